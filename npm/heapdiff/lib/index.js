'use strict';
// heapdiff's JavaScript API: leak assertions for node:test, Jest and Vitest, and the binary.

const { findBinary, platformKey } = require('./platform.js');
const { run, runJson } = require('./run.js');
const { NodeHeap } = require('./node.js');
const { settings, measure, assertResult } = require('./series.js');

/**
 * Repeats `work` in this process, snapshots the heap at equal steps and asks heapdiff whether
 * anything grew at every step. Resolves to `{ leaked, message, report, snapshots, dir }`.
 */
async function checkLeak(work, options) {
  const s = settings(options);
  const heap = new NodeHeap();
  try {
    return await measure(work, heap, s);
  } finally {
    heap.close();
  }
}

/**
 * Like `checkLeak`, but rejects with an AssertionError whose message is heapdiff's verdict
 * and first finding when something grew at every step; resolves to the result otherwise.
 */
async function assertNoLeak(work, options) {
  return assertResult(await checkLeak(work, options), assertNoLeak);
}

/** `heapdiff ARGS…` → `{ code, stdout, stderr }`. */
function heapdiff(args, options) {
  return run(args, options);
}

/** `heapdiff --json ARGS…` → `{ code, report, stderr }`. */
function heapdiffJson(args, options) {
  return runJson(args, options);
}

module.exports = { assertNoLeak, checkLeak, heapdiff, heapdiffJson, findBinary, platformKey };
