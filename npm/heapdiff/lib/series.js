'use strict';
// The leak test shared by Node and the browser: repeat one unit of work, snapshot the heap at
// equal steps, let heapdiff judge the series, keep the snapshots only when they are needed.

const { AssertionError } = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { leakMessage } = require('./format.js');
const { memoryFile } = require('./node.js');
const { findBinary } = require('./platform.js');
const { EXIT, runJson } = require('./run.js');

const DEFAULTS = { iterations: 30, warmup: 5, snapshots: 4, keep: 'on-failure' };
const KEEP = ['on-failure', 'always', 'never'];

/** A value as a message quotes it: strings in quotes (`'30'`), the rest as they print. */
function shown(value) {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function integer(name, value, min) {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`heapdiff: ${name} must be an integer ≥ ${min}, not ${shown(value)}`);
  }
  return value;
}

/** The options with their defaults, checked; `perStep` iterations run between snapshots. */
function settings(options = {}) {
  // An option given as undefined (passed through by a wrapper) keeps its default.
  const given = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined));
  const o = { ...DEFAULTS, ...given };
  const snapshots = integer('snapshots', o.snapshots, 3);
  const iterations = integer('iterations', o.iterations, snapshots - 1);
  const warmup = integer('warmup', o.warmup, 0);
  if (!KEEP.includes(o.keep)) {
    throw new TypeError(`heapdiff: keep must be one of ${KEEP.join(', ')}, not ${shown(o.keep)}`);
  }
  const args = o.args ?? [];
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
    throw new TypeError('heapdiff: args must be an array of strings');
  }
  const failIf = o.failIf ?? ['growing.count>0'];
  if (o.binary !== undefined && !fs.existsSync(o.binary)) {
    throw new TypeError(`heapdiff: binary is ${shown(o.binary)}, which does not exist`);
  }
  return {
    snapshots,
    warmup,
    perStep: Math.ceil(iterations / (snapshots - 1)),
    dir: o.dir,
    keep: o.keep,
    args,
    failIf: Array.isArray(failIf) ? failIf : [failIf],
    binary: o.binary,
  };
}

/** The folder the snapshots go to, and whether it was made here (and may be removed). */
function snapshotFolder(s) {
  if (s.dir) {
    fs.mkdirSync(s.dir, { recursive: true });
    return { dir: path.resolve(s.dir), made: false };
  }
  return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-')), made: true };
}

/** Folders of snapshots this process made whose test has not ended, removed if it exits. */
const unfinished = new Map();

/** A runner that ends a timed-out test by ending the process must not leave snapshots. */
function removeUnfinishedAtExit(folder, files) {
  if (unfinished.size === 0) {
    process.once('exit', () => {
      for (const [f, names] of unfinished) remove(f, names);
    });
  }
  unfinished.set(folder, files);
}

function remove(folder, files) {
  for (const file of files) {
    fs.rmSync(file, { force: true });
    fs.rmSync(memoryFile(file), { force: true });
  }
  if (folder.made) fs.rmSync(folder.dir, { recursive: true, force: true });
}

/**
 * Runs `work(i)` `warmup` times, snapshots, then `perStep` times before each further snapshot,
 * and judges the series. `heap.snapshot(file)` collects garbage and writes one snapshot.
 * Resolves to `{ leaked, message, report, snapshots, dir }`; rejects when heapdiff could not
 * check (the snapshots are kept then). `s.unit`, when set, is what the message calls one
 * `work` (`action`; default `iteration`).
 */
async function measure(work, heap, s) {
  if (typeof work !== 'function') {
    throw new TypeError('heapdiff: the first argument must be the function to repeat');
  }
  // Looked up first: without a binary the test fails at once, not after its work and snapshots.
  const binary = s.binary ?? findBinary();
  const folder = snapshotFolder(s);
  // Every name is made before the first snapshot: an array that gains a string per step would
  // itself grow at every step.
  const files = Array.from({ length: s.snapshots }, (_, i) =>
    path.join(folder.dir, `s${String(i + 1).padStart(2, '0')}.heapsnapshot`),
  );
  removeUnfinishedAtExit(folder, files);
  let i = 0;
  try {
    for (; i < s.warmup; i++) await work(i);
    await heap.snapshot(files[0]);
    for (let step = 1; step < s.snapshots; step++) {
      for (let k = 0; k < s.perStep; k++, i++) await work(i);
      await heap.snapshot(files[step]);
    }
  } catch (error) {
    unfinished.delete(folder);
    remove(folder, files);
    throw error;
  }
  const budgets = s.failIf.flatMap((b) => ['--fail-if', b]);
  let outcome;
  try {
    outcome = await runJson([...budgets, ...s.args, ...files], { binary });
  } catch (error) {
    error.message += `\nSnapshots kept in ${folder.dir}`;
    throw error;
  } finally {
    unfinished.delete(folder);
  }
  const { code, report, stderr } = outcome;
  if (code === EXIT.CANNOT_CHECK || report === null || (code !== EXIT.OK && code !== EXIT.EXCEEDED)) {
    throw new Error(
      `heapdiff could not check the snapshots (exit ${code}): ${stderr.trim()}\n` +
        `Snapshots kept in ${folder.dir}`,
    );
  }
  const leaked = code === EXIT.EXCEEDED;
  const keep = s.keep === 'always' || (leaked && s.keep === 'on-failure');
  if (!keep) remove(folder, files);
  const run = {
    perStep: s.perStep,
    snapshots: s.snapshots,
    dir: keep ? folder.dir : null,
    unit: s.unit,
    warmup: s.warmup,
  };
  return {
    leaked,
    message: leaked ? leakMessage(report, run) : `heapdiff: ${report.verdict}`,
    report,
    snapshots: keep ? files : [],
    dir: run.dir,
  };
}

/**
 * Throws an AssertionError carrying the report when `result` leaked; returns it otherwise.
 * Its operator is `fail`, as for `assert.fail(message)`: runners then print the message alone
 * (Jest prints "Expected value … to: undefined" for other operators). `report` and `snapshots`
 * are not enumerable, so that reporters that print an error's fields do not dump the report.
 */
function assertResult(result, stackStart) {
  if (!result.leaked) return result;
  const error = new AssertionError({
    message: result.message,
    operator: 'fail',
    stackStartFn: stackStart,
  });
  for (const [key, value] of [
    ['report', result.report],
    ['snapshots', result.snapshots],
  ]) {
    Object.defineProperty(error, key, { value, enumerable: false, writable: true });
  }
  throw error;
}

module.exports = { DEFAULTS, settings, measure, assertResult };
