'use strict';
// Snapshots of this Node process, written in-process: no flags for the test runner.

const inspector = require('node:inspector');
const { setImmediate: turn } = require('node:timers/promises');
const fs = require('node:fs');
const v8 = require('node:v8');

/** Posts one inspector command on `session`. */
function post(session, method) {
  return new Promise((resolve, reject) =>
    session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

/**
 * The heap of this process (or worker thread). Garbage is collected through the inspector, or
 * with `global.gc` under --expose-gc; `node:timers` is used so that a test's fake timers cannot
 * stall it.
 */
class NodeHeap {
  constructor() {
    this.session = null;
    if (typeof globalThis.gc !== 'function') {
      this.session = new inspector.Session();
      this.session.connect();
    }
  }

  async collectGarbage() {
    // Two turns let settled promises and queued immediates of the last iteration finish, and
    // FinalizationRegistry callbacks run, before the collection.
    await turn();
    await turn();
    if (this.session) await post(this.session, 'HeapProfiler.collectGarbage');
    else globalThis.gc();
  }

  async snapshot(file) {
    await this.collectGarbage();
    v8.writeHeapSnapshot(file);
    // The process's memory beside it (NAME.memory.json): reports split RSS growth with it.
    const memory = {
      ...process.memoryUsage(),
      time: Date.now(),
      heapStatistics: v8.getHeapStatistics(),
    };
    fs.writeFileSync(memoryFile(file), JSON.stringify(memory));
  }

  close() {
    this.session?.disconnect();
    this.session = null;
  }
}

/** Where the process's memory at `snapshot` is kept: `s01.heapsnapshot` → `s01.memory.json`. */
function memoryFile(snapshot) {
  return snapshot.replace(/\.heapsnapshot$/, '') + '.memory.json';
}

module.exports = { NodeHeap, memoryFile };
