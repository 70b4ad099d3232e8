#!/usr/bin/env node
// Judges one runner's results (run.sh calls it after each runner):
//
//   node check.mjs node-test|jest|vitest RESULTS.json SNAPSHOT_TMPDIR
//   node check.mjs tsc TSC_OUTPUT.txt TSC_EXIT_STATUS
//
// For a test runner: the leak test (tests/<runner>/leaky.test.*) failed, its message has
// heapdiff's "Likely leak" verdict and names the leak's site, app/leaky.js at the line marked
// "LEAK SITE", and says where its snapshots were kept (in SNAPSHOT_TMPDIR, the runner's TMPDIR,
// all 4 of them); the clean test (tests/<runner>/clean.test.*) passed and left no snapshots; no
// other test ran. For tsc: it exited 0 having checked both of heapdiff's type files.
// Prints one line saying what held, or what did not and exits 1.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [runner, resultsFile, third] = process.argv.slice(2);

const problems = [];
const expect = (ok, problem) => {
  if (!ok) problems.push(problem);
  return ok;
};

function stripAnsi(text) {
  // eslint-disable-next-line no-control-regex
  return String(text ?? '').replace(/\u001b\[[0-9;]*m/g, '');
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The line of app/leaky.js that makes the leaking closure. */
function leakLine() {
  const lines = fs.readFileSync(path.join(here, 'app', 'leaky.js'), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes('// LEAK SITE'));
  if (index < 0) throw new Error('app/leaky.js has no line marked // LEAK SITE');
  return index + 1;
}

/** Every test of the results, as { file, name, status, duration, message }. */
function tests(results) {
  if (runner === 'node-test') {
    // tests/node-test/json-reporter.mjs; a file that failed outside its tests is reported as a
    // test named after the file, which is kept: it shows up as an unexpected test.
    return results.tests.map((t) => ({
      file: t.file ?? '',
      name: t.name,
      status: t.status,
      duration: t.duration_ms,
      message: t.message ?? '',
    }));
  }
  // Jest's --json and Vitest's json reporter share a shape.
  return results.testResults.flatMap((file) => {
    const own = file.assertionResults.map((a) => ({
      file: file.name,
      name: a.title,
      status: a.status,
      duration: a.duration ?? 0,
      message: (a.failureMessages ?? []).join('\n'),
    }));
    if (own.length === 0 && file.status !== 'passed') {
      // The file failed before any test ran (an import error, say).
      own.push({ file: file.name, name: '(file)', status: file.status, duration: 0, message: file.message });
    }
    return own;
  });
}

function checkRunner() {
  const tmp = path.resolve(third);
  let results;
  try {
    results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  } catch (error) {
    problems.push(`no results (${error.message})`);
    return null;
  }
  const all = tests(results).map((t) => ({ ...t, message: stripAnsi(t.message) }));
  const ofFile = (stem) => all.filter((t) => path.basename(t.file).startsWith(`${stem}.test.`));
  const leaky = ofFile('leaky');
  const clean = ofFile('clean');
  const others = all.filter((t) => !leaky.includes(t) && !clean.includes(t));
  expect(leaky.length === 1, `${leaky.length} leak tests ran, not 1`);
  expect(clean.length === 1, `${clean.length} clean tests ran, not 1`);
  expect(
    others.length === 0,
    `unexpected tests: ${others.map((t) => `${t.name} (${t.status}): ${t.message.slice(0, 300)}`).join('; ')}`,
  );

  const line = leakLine();
  let site = null;
  let kept = null;
  const leak = leaky[0];
  if (leak && expect(leak.status === 'failed', `the leak test ${leak.status}, it should have failed`)) {
    const { message } = leak;
    const verdict = message.split('\n').find((l) => l.includes('heapdiff: ')) ?? '';
    const before = problems.length;
    expect(verdict.includes('Likely leak'), `the leak test's message has no "Likely leak" verdict`);
    site = message.match(/made by: .*?(app\/leaky\.js:(\d+):(\d+))/);
    if (expect(site !== null, `the leak test's message names no site in app/leaky.js`)) {
      expect(
        Number(site[2]) === line && verdict.includes(`app/leaky.js:${line}:`),
        `the leak test's message names ${site[1]}, not app/leaky.js:${line}`,
      );
    }
    kept = message.match(/Snapshots kept in (\S+?);/)?.[1] ?? null;
    if (expect(kept !== null, `the leak test's message does not say where its snapshots are`)) {
      expect(path.dirname(kept) === tmp, `its snapshots are in ${kept}, not in the runner's TMPDIR ${tmp}`);
      const files = fs.existsSync(kept) ? fs.readdirSync(kept).filter((f) => f.endsWith('.heapsnapshot')) : [];
      expect(files.length === 4, `${kept} has ${files.length} snapshots, not the 4 taken`);
      // Beside each, the process's memory when it was taken (reports split RSS growth by it).
      const memory = fs.existsSync(kept) ? fs.readdirSync(kept).filter((f) => f.endsWith('.memory.json')) : [];
      expect(memory.length === 4, `${kept} has ${memory.length} memory files, not one per snapshot`);
      const usage = memory.length > 0 ? JSON.parse(fs.readFileSync(path.join(kept, memory[0]), 'utf8')) : {};
      expect(usage.rss > 0 && usage.time > 0, `${memory[0]} has no rss and time: ${JSON.stringify(usage)}`);
    }
    if (problems.length > before) problems.push(`the leak test's message:\n${message}`);
  }
  const ok = clean[0];
  if (ok) {
    expect(ok.status === 'passed', `the clean test ${ok.status}, it should have passed:\n${ok.message}`);
  }
  // The clean test's snapshots were deleted; the only folder left is the leak test's.
  const left = fs.existsSync(tmp)
    ? fs.readdirSync(tmp).filter((f) => f.startsWith('heapdiff-') && path.join(tmp, f) !== kept)
    : [];
  expect(left.length === 0, `snapshot folders left besides the leak test's: ${left.join(', ')}`);

  if (problems.length > 0) return null;
  return (
    `${runner}: leak test failed naming ${site[1]} (${seconds(leak.duration)}), ` +
    `clean test passed (${seconds(ok.duration)})`
  );
}

function checkTsc() {
  const status = Number(third);
  const output = fs.readFileSync(resultsFile, 'utf8');
  const errors = output.split('\n').filter((l) => /error TS\d+/.test(l));
  expect(status === 0 && errors.length === 0, `tsc exited ${status}:\n${errors.join('\n') || output}`);
  // --listFiles names every file checked: both of heapdiff's type files must be among them.
  const listed = output.split('\n').map((l) => l.trim().replace(/\\/g, '/'));
  for (const types of [
    'heapdiff/lib/index.d.mts',
    'heapdiff/lib/index.d.ts',
    'heapdiff/lib/playwright.d.mts',
    'heapdiff/lib/playwright.d.ts',
  ]) {
    expect(listed.some((l) => l.endsWith(types)), `tsc did not check ${types}`);
  }
  if (problems.length > 0) return null;
  return 'tsc: types/esm.mts, cjs.cts and pw.mts (lib/index.d.mts, index.d.ts, playwright.d.mts, playwright.d.ts) type-check';
}

if (!['node-test', 'jest', 'vitest', 'tsc'].includes(runner) || !resultsFile || third === undefined) {
  console.error('usage: node check.mjs node-test|jest|vitest RESULTS.json SNAPSHOT_TMPDIR\n' +
    '       node check.mjs tsc TSC_OUTPUT.txt TSC_EXIT_STATUS');
  process.exit(2);
}
const summary = runner === 'tsc' ? checkTsc() : checkRunner();
if (summary && problems.length === 0) {
  console.log(summary);
} else {
  console.log(`${runner}: FAILED`);
  for (const problem of problems) console.log(`  - ${problem.replace(/\n/g, '\n    ')}`);
  process.exit(1);
}
