// Shared by the off-heap scenarios: a snapshot, and process.memoryUsage() beside it (as
// `heapdiff capture` records it), after a full garbage collection.
const fs = require('fs');
const v8 = require('v8');

exports.snapshot = async function snapshot(dir, step) {
  await new Promise((r) => setTimeout(r, 20));
  global.gc();
  v8.writeHeapSnapshot(`${dir}/s${step}.heapsnapshot`);
  global.gc();
  const memory = { ...process.memoryUsage(), time: Date.now() };
  fs.writeFileSync(`${dir}/s${step}.memory.json`, JSON.stringify(memory));
};
