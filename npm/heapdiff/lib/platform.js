'use strict';
// Which prebuilt binary fits this machine: npm/platforms.json lists one package per platform
// (`@heapdiff/linux-x64-gnu`, …), each listed in optionalDependencies so that npm installs only
// the one whose os, cpu and libc match.

const fs = require('node:fs');
const path = require('node:path');

/** The platform keys that have a package (kept equal to npm/platforms.json by npm/pack.sh). */
const KEYS = [
  'linux-x64-gnu',
  'linux-x64-musl',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64',
];

/** `gnu` or `musl`: glibc reports its version in Node's diagnostic report, musl does not. */
function linuxLibc() {
  try {
    const header = process.report.getReport().header;
    return header.glibcVersionRuntime ? 'gnu' : 'musl';
  } catch {
    return fs.existsSync('/etc/alpine-release') ? 'musl' : 'gnu';
  }
}

/** This machine's key, as the platform packages are named (`linux-x64-gnu`, `darwin-arm64`). */
function platformKey() {
  const base = `${process.platform}-${process.arch}`;
  return process.platform === 'linux' ? `${base}-${linuxLibc()}` : base;
}

/** The file name of the binary inside a platform package. */
function binaryName() {
  return process.platform === 'win32' ? 'heapdiff.exe' : 'heapdiff';
}

/**
 * The heapdiff binary to run: `HEAPDIFF_BIN` when set, else the platform package's. Throws an
 * error that says what to do when neither exists.
 */
function findBinary() {
  const own = (process.env.HEAPDIFF_BIN ?? '').trim();
  if (own !== '') {
    const file = path.resolve(own);
    if (!fs.existsSync(file)) {
      throw new Error(`heapdiff: HEAPDIFF_BIN is ${own}, which does not exist`);
    }
    return file;
  }
  const key = platformKey();
  const pkg = `@heapdiff/${key}`;
  if (!KEYS.includes(key)) {
    throw new Error(
      `heapdiff: no prebuilt binary for ${key} (there are: ${KEYS.join(', ')}). ` +
        'Build one (`cargo install heapdiff`) and set HEAPDIFF_BIN to its path.',
    );
  }
  let file;
  try {
    file = require.resolve(`${pkg}/bin/${binaryName()}`);
  } catch {
    throw new Error(
      `heapdiff: the package ${pkg}, which holds the binary for this machine (${key}), is not ` +
        'installed. npm skips it when optional dependencies are left out (--omit=optional, ' +
        '--no-optional) or when the lockfile was made on another platform: reinstall heapdiff ' +
        `without those (npm install heapdiff ${pkg}), or set HEAPDIFF_BIN to a heapdiff binary.`,
    );
  }
  makeExecutable(file);
  return file;
}

/** Some package managers drop the executable bit of files that are not `bin` entries. */
function makeExecutable(file) {
  if (process.platform === 'win32') return;
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    try {
      fs.chmodSync(file, 0o755);
    } catch {
      // Left to the spawn, whose error names the file.
    }
  }
}

module.exports = { KEYS, platformKey, binaryName, findBinary };
