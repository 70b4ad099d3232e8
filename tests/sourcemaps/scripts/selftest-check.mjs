// Self-test of check.mjs without heapdiff's source-map support: takes a report of today's
// heapdiff (sites in the compiled files), rewrites every site the way the contract says a
// mapped site looks (script = original source relative to the cwd, `generated` = the old
// position) using scripts/sourcemap.mjs, and runs check.mjs on it; then breaks one line by 1
// and expects check.mjs to fail.
// Usage: node selftest-check.mjs REPORT.json TRUTH.json BUILD   (run in heapdiff's cwd)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadMapFor, originalPosition } from './sourcemap.mjs';

const [reportFile, truthFile, buildName] = process.argv.slice(2);
const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
const build = truth.builds[buildName];
const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
const isUrl = (s) => /^[a-z]+:\/\//i.test(s);

function mapSite(site, base) {
  const maps = loadMapFor(isUrl(site.script) ? site.script : path.resolve(site.script), build.source_maps_arg);
  if (!maps) return;
  const o = originalPosition(maps, site.line - base, site.column - base);
  if (!o) return;
  const generated = { function: site.function, script: site.script, line: site.line, column: site.column };
  Object.assign(site, { script: path.relative(process.cwd(), o.source), line: o.line + base, column: o.column + base, generated });
  if (o.name) site.function = o.name;
}
let n = 0;
for (const f of report.findings ?? []) if (f.site) { mapSite(f.site, 1); n++; }
for (const c of report.clusters ?? []) if (c.site) { mapSite(c.site, 1); n++; }

const check = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'check.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selftest-'));
const run = (doc) => {
  const file = path.join(tmp, 'report.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  return spawnSync(process.execPath, [check, file, truthFile, buildName, '--quiet'], { encoding: 'utf8' });
};
const good = run(report);
const broken = structuredClone(report);
const victim = broken.findings.find((f) => f.site?.generated);
victim.site.line += 1;
const bad = run(broken);
fs.rmSync(tmp, { recursive: true, force: true });
const ok = good.status === 0 && bad.status === 1;
console.log(`${buildName}: ${n} sites mapped; mapped report ${good.status === 0 ? 'passes' : 'FAILS'}, `
  + `off-by-one report ${bad.status === 1 ? 'fails' : 'PASSES'} -> ${ok ? 'self-test ok' : 'SELF-TEST FAILED'}`);
if (!ok) console.log(good.stdout, bad.stdout);
process.exit(ok ? 0 : 1);
