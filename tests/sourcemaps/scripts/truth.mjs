// Writes <OUT>/truth.json: for each build folder, where its leaks are in the original sources.
// Usage: node truth.mjs <OUT>
//
// Lines are found by grepping the sources for each leak's `grep` string (it must occur on
// exactly one line), so editing a source file cannot make truth.json stale.
//
// Per leak:
//   kind     "closures" (one closure per request) or "objects" (one instance per request)
//   source   the original file, relative to tests/sourcemaps (`source_abs`: absolute)
//   line     1-based line of the SITE heapdiff reports for these objects, in `source`:
//            for closures the line with the function literal (V8 locates a closure at the
//            start of its parameter list), for objects the line of their constructor's
//            definition (V8 locates an instance at its constructor, not at the `new`)
//   grep     a string that line contains
//   package  the npm package whose code made the leaking objects, or "app" for own code
//   made_at  the line of our own code that makes the leak happen per request (the `new` or
//            `.on(` call): {source, line, grep}; informational
//   name     the function/class name in the original source (minified builds rename it)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] || path.join(here, '../../bench-data/sourcemaps'));

function at(source, grep) {
  const lines = fs.readFileSync(path.join(here, source), 'utf8').split('\n');
  const hits = lines.flatMap((text, i) => (text.includes(grep) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`${source}: "${grep}" is on ${hits.length} lines, want 1`);
  return { source, source_abs: path.join(here, source), line: hits[0], grep };
}

function leak(kind, name, pkg, site, madeAt) {
  const s = at(...site);
  const m = at(...madeAt);
  return { kind, name, package: pkg, ...s, made_at: { source: m.source, line: m.line, grep: m.grep } };
}

const service = [
  leak('objects', 'OrderValidator', 'app',
    ['ts-service/src/rules.ts', 'constructor(public rules: Rule[], public customer: string)'],
    ['ts-service/src/orders.ts', 'new OrderValidator(']),
  leak('closures', '(anonymous)', 'app',
    ['ts-service/src/orders.ts', 'registry.set(order.id, () => audit(order, ok))'],
    ['ts-service/src/orders.ts', 'registry.set(order.id, () => audit(order, ok))']),
];
const webApp = [
  leak('objects', 'EE', 'eventemitter3',
    ['node_modules/eventemitter3/index.js', 'function EE(fn, context, once) {'],
    ['web-app/src/app.ts', "bus.on('order:placed', onOrderPlaced)"]),
  leak('closures', '(anonymous)', 'app',
    ['web-app/src/drafts.ts', 'undoStack.push(() => restoreDraft(draft))'],
    ['web-app/src/drafts.ts', 'undoStack.push(() => restoreDraft(draft))']),
];

const snaps = (b) => ['s1', 's2', 's3'].map((s) => path.join(out, b, `${s}.heapsnapshot`));
const builds = {
  'ts-service': {
    runtime: 'node', compiler: 'tsc', script: path.join(out, 'ts-service/dist/*.js'),
    maps: 'beside (dist/*.js.map)', source_maps_arg: null, leaks: service,
  },
  'bundle-external': {
    runtime: 'node', compiler: 'esbuild', script: path.join(out, 'bundle-external/app.js'),
    maps: 'beside (app.js.map)', source_maps_arg: null, leaks: webApp,
  },
  'bundle-inline': {
    runtime: 'node', compiler: 'esbuild', script: path.join(out, 'bundle-inline/app.js'),
    maps: 'inline (data: URL in app.js)', source_maps_arg: null, leaks: webApp,
  },
  served: {
    runtime: 'node', compiler: 'esbuild', script: path.join(out, 'served/app.js'),
    maps: 'apart: the comment names app.js.map, which is in maps-apart/',
    source_maps_arg: path.join(out, 'maps-apart'), leaks: webApp,
  },
  'browser-external': {
    runtime: 'chromium', compiler: 'esbuild', script: 'http://127.0.0.1:<random port>/app.js (served/app.js)',
    maps: 'not in the snapshot; maps-apart/app.js.map', source_maps_arg: path.join(out, 'maps-apart'),
    leaks: webApp,
  },
  'browser-inline': {
    runtime: 'chromium', compiler: 'esbuild', script: 'http://127.0.0.1:<random port>/app.js (bundle-inline/app.js)',
    maps: 'inline in the script (also in the snapshot, if heapdiff reads script sources)',
    source_maps_arg: path.join(out, 'bundle-inline'), leaks: webApp,
  },
};
for (const [name, b] of Object.entries(builds)) b.snapshots = snaps(name);

const truth = {
  about: 'Leaks of the builds made by tests/sourcemaps/build.sh; see scripts/truth.mjs for the fields',
  root: here,
  out,
  builds,
};
fs.writeFileSync(path.join(out, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
console.log(`truth.json: ${Object.keys(builds).length} builds`);
