#!/usr/bin/env node
// Checks heapdiff's --json output for one build against truth.json (made by build.sh).
//
//   node check.mjs REPORT.json TRUTH.json BUILD [--cwd DIR] [--quiet]
//
//   REPORT.json  `heapdiff s1 s2 s3 --json [--source-maps DIR] > REPORT.json` (a series) or a
//                pair report (`heapdiff s1 s3 --json`); run from DIR (--cwd, default: this
//                process's cwd), against which relative `script` paths are resolved
//   TRUTH.json   <OUT>/truth.json;  BUILD  one of its builds (ts-service, bundle-external,
//                bundle-inline, served, browser-external, browser-inline)
//
// Exit 0 when every check passes, 1 when one fails, 2 on bad usage.
//
// ASSUMPTIONS about heapdiff's output (the contract of its source-map support; the rest of
// the schema is read tolerantly, unknown fields are ignored):
//  * A "site" object has `function`, `script`, `line`, `column`, `created_by`. When a source
//    map resolved it, it also has `generated: {function, script, line, column}`: the position
//    in the compiled file, in the same line/column base as the site itself. `script` is then
//    the original source as the map names it, resolved against the map's folder: absolute,
//    or relative to the cwd heapdiff ran in.
//  * Line bases (schema_version 2: every position is 1-based), where the site sits:
//      clusters[].site                               1-based
//      findings[].site                               1-based
//      clusters[].allocation.allocated_by            1-based
//      clusters[].allocation.stacks[].frames[]       1-based
//      allocation_sites[], allocation[] (rows)       1-based
//    A site with `generated` anywhere else is reported as "unknown base" (a warning) and its
//    line is not checked. Lines are checked EXACTLY: no ±1 tolerance.
//  * Series and pair reports have sites under findings[] and clusters[]. A site heapdiff
//    found no script for (`<unknown>`) or in eval'd code (`<eval>`) is no build's.
//  * A `package` field on a site must name the npm package of its script
//    (node_modules/<pkg>/…, scoped @a/b too), or be null for the application's own code.
//  * An optional top-level array `packages` (or `by_package`) of rows with `package` or
//    `name`: every truth leak's package must have a row.
//
// CHECKS
//  1. Every site with `generated`: its `script` is an original source (not the compiled file,
//     not under truth.out), exists on disk, and its line is in range. An independent oracle
//     (scripts/sourcemap.mjs: the map beside the compiled file, inline, or in the build's
//     --source-maps folder; greatest-lower-bound lookup) maps `generated` to the same file and
//     line (column mismatches are warnings: column conventions may differ).
//  2. Every truth leak is named by some findings[].site (script = truth source, line = truth
//     line, and that line of the file contains the truth grep string).
//  3. No site still points into a compiled script of this build (a site under truth.out
//     without `generated` is an unmapped site).
import fs from 'node:fs';
import path from 'node:path';
import { loadMapFor, originalPosition } from './scripts/sourcemap.mjs';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const quiet = args.includes('--quiet') && args.splice(args.indexOf('--quiet'), 1);
const cwd = path.resolve(opt('--cwd') ?? process.cwd());
const [reportFile, truthFile, buildName] = args;
if (!reportFile || !truthFile || !buildName) {
  console.error('usage: node check.mjs REPORT.json TRUTH.json BUILD [--cwd DIR] [--quiet]');
  process.exit(2);
}
const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
const build = truth.builds[buildName];
if (!build) {
  console.error(`no build ${buildName} in ${truthFile} (have: ${Object.keys(truth.builds).join(', ')})`);
  process.exit(2);
}

const errors = [];
const warnings = [];
const notes = [];
const real = (p) => { try { return fs.realpathSync(p); } catch { return path.resolve(p); } };
const isUrl = (s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
const resolveScript = (s) => (isUrl(s) ? s : real(path.resolve(cwd, s)));
const outDir = real(truth.out);
const under = (p, dir) => !isUrl(p) && (p === dir || p.startsWith(dir + path.sep));
const fileLines = new Map();
const linesOf = (p) => {
  if (!fileLines.has(p)) fileLines.set(p, fs.readFileSync(p, 'utf8').split('\n'));
  return fileLines.get(p);
};
const packageOf = (p) => {
  const m = /(?:^|[\\/])node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(p.replace(/.*node_modules/, 'node_modules'));
  return m ? m[1].replace(/\\/g, '/') : 'app';
};

// Walk the report; collect every object that looks like a site (has script and line).
function baseFor(where) {
  if (/^clusters\[\d+\]\.site$/.test(where)) return 1;
  if (/^findings\[\d+\]\.site$/.test(where)) return 1;
  if (/^clusters\[\d+\]\.allocation\.(allocated_by|stacks\[\d+\]\.frames\[\d+\])$/.test(where)) return 1;
  if (/^(allocation_sites|allocation)\[\d+\]$/.test(where)) return 1;
  return null;
}
const sites = [];
(function walk(v, where) {
  if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${where}[${i}]`));
  if (!v || typeof v !== 'object') return;
  if (typeof v.script === 'string' && typeof v.line === 'number' && !where.endsWith('.generated')) {
    sites.push({ where, site: v, base: baseFor(where) });
  }
  for (const [k, x] of Object.entries(v)) walk(x, where ? `${where}.${k}` : k);
})(report, '');

const describe = (s) => `${s.where}: ${s.site.function ?? '?'} @ ${s.site.script}:${s.site.line}:${s.site.column}`
  + (s.site.generated ? ` (generated ${s.site.generated.script}:${s.site.generated.line}:${s.site.generated.column})` : '');

let mapped = 0;
const matched = new Map(); // truth leak index -> where
for (const s of sites) {
  const { site, base } = s;
  const abs = resolveScript(site.script);
  if (!site.generated) {
    // 3. unmapped site in a compiled script of this build
    // Node's own scripts (node:…) and the stacks' (root) have no map and are no build's.
    const builtin = site.script === '' || site.script === '<unknown>' || site.script === '<eval>'
      || site.script.startsWith('node:') || site.script.startsWith('internal/');
    const compiled = !builtin
      && (under(abs, outDir) || (isUrl(site.script) && /\/app\.js(?:[?#]|$)/.test(site.script)));
    if (compiled) errors.push(`not source-mapped: ${describe(s)}`);
    continue;
  }
  mapped++;
  const g = site.generated;
  if (base === null) {
    warnings.push(`unknown line base, line not checked: ${describe(s)}`);
    continue;
  }
  // 1. original source, on disk, line in range
  if (isUrl(site.script)) { errors.push(`script is a URL, not an original source path: ${describe(s)}`); continue; }
  if (site.script === g.script || under(abs, outDir) || /\.map$/.test(abs)) {
    errors.push(`script is the compiled file, not an original source: ${describe(s)}`);
    continue;
  }
  if (!fs.existsSync(abs)) { errors.push(`original source not on disk (${abs}): ${describe(s)}`); continue; }
  const lines = linesOf(abs);
  const idx = site.line - base;
  if (!Number.isInteger(idx) || idx < 0 || idx >= lines.length) {
    errors.push(`line out of range (file has ${lines.length} lines, base ${base}): ${describe(s)}`);
    continue;
  }
  // 1. oracle
  const maps = loadMapFor(isUrl(g.script) ? g.script : path.resolve(cwd, g.script), build.source_maps_arg);
  if (!maps) {
    warnings.push(`oracle found no map for ${g.script}: ${describe(s)}`);
  } else {
    const o = originalPosition(maps, g.line - base, g.column - base);
    if (!o) errors.push(`oracle: generated position maps to nothing: ${describe(s)}`);
    else if (real(o.source) !== abs || o.line !== idx) {
      errors.push(`oracle maps generated to ${o.source}:${o.line + base} (base ${base}), heapdiff says ${abs}:${site.line}: ${describe(s)}`);
    } else if (o.column !== site.column - base) {
      warnings.push(`column differs from oracle (${o.column + base}): ${describe(s)}`);
    }
  }
  if (site.package !== undefined && (site.package ?? 'app') !== packageOf(abs)) {
    errors.push(`package ${JSON.stringify(site.package)}, want ${JSON.stringify(packageOf(abs))}: ${describe(s)}`);
  }
  // 2. which truth leak is this?
  build.leaks.forEach((leak, i) => {
    if (real(leak.source_abs) === abs && leak.line === idx + 1) {
      if (!lines[idx].includes(leak.grep)) {
        errors.push(`line ${idx + 1} of ${leak.source} does not contain ${JSON.stringify(leak.grep)}: ${describe(s)}`);
      } else if (/^findings\[\d+\]\.site$/.test(s.where) && !matched.has(i)) {
        matched.set(i, s.where);
      }
    }
  });
}
// 2. every leak named by a finding's site
build.leaks.forEach((leak, i) => {
  if (matched.has(i)) notes.push(`found ${leak.name} (${leak.package}) ${leak.source}:${leak.line} at ${matched.get(i)}`);
  else errors.push(`no findings[].site names ${leak.name} (${leak.package}) at ${leak.source}:${leak.line} "${leak.grep}"`);
});
// --group-by package rows, when present
const rows = report.packages ?? report.by_package;
if (Array.isArray(rows)) {
  // heapdiff names the application's own code "(app)".
  const names = new Set(rows.map((r) => (r.package === '(app)' ? 'app' : r.package)));
  for (const leak of build.leaks) {
    if (!names.has(leak.package)) errors.push(`no package row for ${leak.package}`);
  }
}

if (!quiet) {
  console.log(`${buildName}: ${sites.length} sites, ${mapped} with generated positions`);
  for (const n of notes) console.log(`  ok    ${n}`);
  for (const w of warnings) console.log(`  warn  ${w}`);
}
for (const e of errors) console.log(`  FAIL  ${e}`);
console.log(`${buildName}: ${errors.length ? `FAIL (${errors.length})` : 'ok'}`);
process.exit(errors.length ? 1 : 0);
