// Runs one Node build and writes s1/s2/s3.heapsnapshot into <outdir>.
// Usage: node --expose-gc drive-node.cjs <service|webapp> <absolute path of the built script> <outdir>
//   service: require()s ts-service's dist/orders.js and calls handleRequest(i) per request
//   webapp:  require()s the esbuild bundle (an IIFE that sets globalThis.webApp) and calls
//            webApp.click(i) per click
// Warmup of WARMUP requests (it fills the bounded decoy caches), snapshot 1, STEP requests,
// snapshot 2, STEP requests, snapshot 3. Each snapshot follows two global.gc() calls.
'use strict';
const path = require('path');
const v8 = require('v8');

const WARMUP = 300;
const STEP = 400;

const [kind, script, outDir] = process.argv.slice(2);
if (!kind || !script || !outDir || typeof global.gc !== 'function') {
  console.error('usage: node --expose-gc drive-node.cjs <service|webapp> <script> <outdir>');
  process.exit(2);
}

let act;
if (kind === 'service') {
  const service = require(path.resolve(script));
  act = (i) => service.handleRequest(i);
} else if (kind === 'webapp') {
  require(path.resolve(script));
  act = (i) => globalThis.webApp.click(i);
} else {
  throw new Error(`unknown kind ${kind}`);
}

let next = 0;
function run(n) {
  for (let k = 0; k < n; k++) act(next++);
}

function snapshot(name) {
  global.gc();
  global.gc();
  const file = v8.writeHeapSnapshot(path.join(outDir, name));
  return file;
}

run(WARMUP);
snapshot('s1.heapsnapshot');
run(STEP);
snapshot('s2.heapsnapshot');
run(STEP);
snapshot('s3.heapsnapshot');
const stats = kind === 'service' ? require(path.resolve(script)).stats() : globalThis.webApp.stats();
console.log(`${path.basename(outDir)}: ${next} requests, ${JSON.stringify(stats)}`);
