'use strict';
// Runs the heapdiff binary and reads its JSON report.

const { spawn } = require('node:child_process');
const { findBinary } = require('./platform.js');

/** Exit statuses of the binary (README: "Budgets and exit codes"). */
const EXIT = { OK: 0, EXCEEDED: 1, CANNOT_CHECK: 2 };

/**
 * Runs heapdiff with `args` and resolves to its exit status and output; rejects only when the
 * binary cannot be started or dies of a signal.
 */
function run(args, options = {}) {
  const binary = options.binary ?? findBinary();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.on('error', (error) =>
      reject(new Error(`heapdiff: could not run ${binary}: ${error.message}`)),
    );
    child.on('close', (code, signal) => {
      if (signal) {
        reject(new Error(`heapdiff: ${binary} was killed by ${signal}`));
        return;
      }
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

/**
 * `heapdiff --json ARGS…`: resolves to `{ code, report, stderr }`, `report` being the parsed
 * JSON (null when heapdiff could not check and printed none).
 */
async function runJson(args, options = {}) {
  const { code, stdout, stderr } = await run(['--json', ...args], options);
  let report = null;
  if (stdout.trim() !== '') {
    try {
      report = JSON.parse(stdout);
    } catch (error) {
      throw new Error(`heapdiff: its JSON report could not be read (${error.message})`);
    }
  }
  return { code, report, stderr };
}

module.exports = { EXIT, run, runJson };
