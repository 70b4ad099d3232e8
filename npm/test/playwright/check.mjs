// Reads Playwright's JSON report of this project (node check.mjs RESULTS.json) and checks what
// each spec must have done: the clean page passed, the leaky page failed with heapdiff's
// "Likely leak" naming leaky-dialog.js and the line of its listener, the error checks passed.
// Removes the snapshot folders the failing spec kept; prints one summary line; exits 1 when an
// expectation is not met.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const problems = [];
const expect = (ok, what) => {
  if (!ok) problems.push(what);
  return ok;
};
const plain = (text) => String(text ?? '').replace(/\u001b\[[0-9;]*m/g, '');
/** The first lines of an error message, up to its code frame, for a summary. */
function excerpt(text) {
  const lines = plain(text).split('\n');
  const frame = lines.findIndex((l) => /^\s*(>\s*)?\d+ \|/.test(l) || /^\s+at /.test(l));
  return lines
    .slice(0, frame === -1 ? lines.length : frame)
    .filter((l) => l.trim() !== '')
    .slice(0, 8)
    .join('\n    ');
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node check.mjs RESULTS.json');
  process.exit(2);
}
const report = JSON.parse(fs.readFileSync(file, 'utf8'));

// Every test of the report, by "file › title".
const tests = new Map();
(function walk(suite, file) {
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests) tests.set(`${spec.file ?? file} › ${spec.title}`, test);
  }
  for (const child of suite.suites ?? []) walk(child, child.file ?? file);
})({ suites: report.suites }, '');

for (const error of report.errors ?? []) problems.push(`Playwright: ${plain(error.message)}`);

/** The one result of a test (retries are off), or null. */
function resultOf(key) {
  const test = tests.get(key);
  if (!expect(test, `no test "${key}" in the report`)) return null;
  tests.delete(key);
  if (!expect(test.results.length === 1, `${key}: ${test.results.length} runs, expected 1`)) {
    return null;
  }
  return { test, result: test.results[0] };
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const summary = [];

// The clean page: passed.
const clean = resultOf('clean.spec.ts › the clean settings dialog does not leak');
if (clean) {
  const errors = clean.result.errors.map((e) => excerpt(e.message)).join('\n');
  if (expect(clean.result.status === 'passed', `clean page: ${clean.result.status}: ${errors}`)) {
    summary.push(`clean passed (${seconds(clean.result.duration)})`);
  }
}

// The leaky page: failed, with the listener's script and line in the message.
const script = path.join(here, 'pages', 'leaky-dialog.js');
const line = fs
  .readFileSync(script, 'utf8')
  .split('\n')
  .findIndex((text) => text.includes('function layoutSettings')) + 1;
const kept = [];
const leak = resultOf('leak.spec.ts › the leaky settings dialog leaks');
if (leak) {
  const { test, result } = leak;
  const message = plain(result.errors[0]?.message);
  for (const m of message.matchAll(/Snapshots kept in (.+?); the whole report/g)) kept.push(m[1]);
  const site = `leaky-dialog.js:${line}:`;
  const location = result.errors[0]?.location;
  const unmet = [
    [test.expectedStatus === 'failed', 'marked test.fail()'],
    [result.status === 'failed', `status failed (not ${result.status})`],
    [message.includes('Likely leak'), '"Likely leak"'],
    [message.includes(site), `"${site}"`],
    [message.includes('per action'), '"per action"'],
    [kept.length === 1, `one "Snapshots kept in" (not ${kept.length})`],
    // The error points at the test's line, not at a message line Playwright took for a frame.
    [location?.file?.endsWith(`${path.sep}leak.spec.ts`), `located in leak.spec.ts (not ${location?.file})`],
  ].filter(([ok]) => !ok);
  const ok = expect(
    unmet.length === 0,
    `leak spec: expected ${unmet.map(([, what]) => what).join(', ')}; got: ${excerpt(message)}`,
  );
  if (ok) {
    const verdict = message.match(/Likely leak: .*/)[0];
    summary.push(`leak failed as expected (${seconds(result.duration)}): ${verdict}`);
  }
}

// The snapshots of the leak: four kept, then removed.
for (const dir of kept) {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const snapshots = files.filter((f) => f.endsWith('.heapsnapshot'));
  if (expect(snapshots.length === 4, `${dir} holds ${files.length} files, expected 4 snapshots`)) {
    // Only a folder of snapshots is removed.
    if (snapshots.length === files.length) fs.rmSync(dir, { recursive: true, force: true });
  }
}

// What the report says (leak-report.spec.ts asserts it with checkLeak's report): one leak is
// one finding; a listener list that moves as it grows is still found growing.
for (const [title, said] of [
  ['the leaky dialog is one finding that holds every option of every dialog', 'the leak is one finding'],
  ['a window listener that is never removed is a growing finding', 'a leaked listener is found'],
]) {
  const key = `leak-report.spec.ts › ${title}`;
  const { result } = resultOf(key) ?? {};
  const errors = (result?.errors ?? []).map((e) => excerpt(e.message)).join('\n');
  if (expect(result?.status === 'passed', `${key}: ${result?.status}: ${errors}`)) {
    summary.push(said);
  }
}

// The errors of the helper.
let errorChecks = 0;
for (const key of [...tests.keys()].filter((k) => k.startsWith('errors.spec.ts › '))) {
  const { result } = resultOf(key) ?? {};
  const errors = (result?.errors ?? []).map((e) => excerpt(e.message)).join('\n');
  if (expect(result?.status === 'passed', `${key}: ${result?.status}: ${errors}`)) errorChecks++;
}
expect(errorChecks === 4, `${errorChecks} error checks passed, expected 4`);
summary.push(`${errorChecks} error checks passed`);

for (const key of tests.keys()) problems.push(`unexpected test in the report: ${key}`);

// Both entry points of heapdiff/playwright export the same functions.
const cjs = createRequire(path.join(here, 'package.json'))('heapdiff/playwright');
const esm = await import('heapdiff/playwright');
for (const name of ['assertNoLeak', 'checkLeak']) {
  expect(typeof cjs[name] === 'function' && esm[name] === cjs[name], `heapdiff/playwright: ${name}`);
}

if (problems.length > 0) {
  console.log(`playwright: FAILED: ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`playwright: ok: ${summary.join('; ')}`);
