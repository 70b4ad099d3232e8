#!/usr/bin/env node
'use strict';
// `npx heapdiff …`: runs the prebuilt binary of this platform with the same arguments,
// standard streams and exit status.

const { spawnSync } = require('node:child_process');
const { findBinary } = require('../lib/platform.js');

let binary;
try {
  binary = findBinary();
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
const result = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
if (result.error) {
  process.stderr.write(`heapdiff: could not run ${binary}: ${result.error.message}\n`);
  process.exit(2);
}
if (result.signal) {
  // Die of the same signal, so that shells and CI see what happened.
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 2);
