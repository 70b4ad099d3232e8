// npm/pack.sh's check: the npm package has the crate's version, depends on exactly the platform
// packages of npm/platforms.json at that version, and its launcher knows every one of them.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const version = process.argv[2];
const pkg = JSON.parse(fs.readFileSync(new URL('./heapdiff/package.json', import.meta.url)));
const { platforms } = JSON.parse(fs.readFileSync(new URL('./platforms.json', import.meta.url)));
const { KEYS } = require('./heapdiff/lib/platform.js');

const problems = [];
if (pkg.version !== version) {
  problems.push(`npm/heapdiff/package.json has version ${pkg.version}, Cargo.toml ${version}`);
}
const wanted = Object.fromEntries(platforms.map((p) => [`@heapdiff/${p.key}`, version]));
if (JSON.stringify(pkg.optionalDependencies) !== JSON.stringify(wanted)) {
  problems.push(
    `optionalDependencies of npm/heapdiff/package.json should be ${JSON.stringify(wanted)}`,
  );
}
if (JSON.stringify(KEYS) !== JSON.stringify(platforms.map((p) => p.key))) {
  problems.push('KEYS of npm/heapdiff/lib/platform.js differ from npm/platforms.json');
}
if (problems.length > 0) {
  console.error(`npm/pack.sh: ${problems.join('; ')}`);
  process.exit(2);
}
