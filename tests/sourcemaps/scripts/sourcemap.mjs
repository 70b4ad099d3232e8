// A small, dependency-free source-map (v3) reader: enough to map a position in a compiled
// script back to its original source, as an oracle independent of heapdiff's Rust code.
// Positions here are 0-based lines and columns (as in V8 heap snapshots and in the map).
import fs from 'node:fs';
import path from 'node:path';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

function decodeVlqs(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const digit = B64_INDEX.get(c);
    if (digit === undefined) throw new Error(`bad base64 VLQ digit ${c}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

// Returns lines[generatedLine] = [[genCol, srcIndex, origLine, origCol, nameIndex?], ...] sorted.
export function decodeMappings(mappings) {
  const lines = [];
  let src = 0, origLine = 0, origCol = 0, name = 0;
  for (const lineText of mappings.split(';')) {
    const segs = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const v = decodeVlqs(seg);
      genCol += v[0];
      if (v.length >= 4) {
        src += v[1]; origLine += v[2]; origCol += v[3];
        if (v.length >= 5) { name += v[4]; segs.push([genCol, src, origLine, origCol, name]); }
        else segs.push([genCol, src, origLine, origCol]);
      } else {
        segs.push([genCol]);
      }
    }
    segs.sort((a, b) => a[0] - b[0]);
    lines.push(segs);
  }
  return lines;
}

// Reads the map a compiled script names in its last //# sourceMappingURL= comment: a data:
// URL (inline map) or a path relative to the script. `mapsDir`, when given, is searched
// first for <basename>.map and for <basename> (a script with an inline map), as heapdiff's
// --source-maps DIR does. Returns {map, mapDir} or null.
export function loadMapFor(scriptPathOrUrl, mapsDir) {
  const base = path.basename(scriptPathOrUrl.replace(/[?#].*$/, ''));
  const candidates = [];
  if (mapsDir) {
    candidates.push({ mapFile: path.join(mapsDir, base + '.map') });
    candidates.push({ script: path.join(mapsDir, base) });
  }
  if (!/^[a-z]+:\/\//i.test(scriptPathOrUrl)) candidates.push({ script: scriptPathOrUrl });
  for (const c of candidates) {
    if (c.mapFile && fs.existsSync(c.mapFile)) {
      return { map: JSON.parse(fs.readFileSync(c.mapFile, 'utf8')), mapDir: path.dirname(c.mapFile) };
    }
    if (c.script && fs.existsSync(c.script)) {
      const text = fs.readFileSync(c.script, 'utf8');
      const all = [...text.matchAll(/\/\/[#@] sourceMappingURL=(\S+)/g)];
      if (!all.length) continue;
      const url = all[all.length - 1][1];
      const inline = /^data:application\/json;(?:charset=utf-8;)?base64,(.*)$/i.exec(url);
      if (inline) {
        return { map: JSON.parse(Buffer.from(inline[1], 'base64').toString('utf8')), mapDir: path.dirname(c.script) };
      }
      const mapFile = path.resolve(path.dirname(c.script), decodeURIComponent(url));
      if (fs.existsSync(mapFile)) {
        return { map: JSON.parse(fs.readFileSync(mapFile, 'utf8')), mapDir: path.dirname(mapFile) };
      }
    }
  }
  return null;
}

// Maps a 0-based generated (line, column) to {source (absolute path), line, column (0-based),
// name} with the usual "greatest lower bound" rule on that generated line: the last segment
// starting at or before the column. null when that line has no mapped segment there.
export function originalPosition({ map, mapDir }, line, column) {
  if (!map._decoded) map._decoded = decodeMappings(map.mappings);
  const segs = map._decoded[line] || [];
  let best = null;
  for (const s of segs) {
    if (s[0] <= column) best = s; else break;
  }
  if (!best || best.length < 4) return null;
  const root = map.sourceRoot ? map.sourceRoot : '';
  const source = path.resolve(mapDir, root, map.sources[best[1]]);
  return { source, line: best[2], column: best[3], name: best.length >= 5 ? map.names[best[4]] : null };
}
