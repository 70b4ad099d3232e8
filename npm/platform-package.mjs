// Writes package.json and README.md of one platform package (`@heapdiff/KEY`) into DIR.
//   node npm/platform-package.mjs KEY VERSION DIR
import fs from 'node:fs';
import path from 'node:path';

const [key, version, dir] = process.argv.slice(2);
const { platforms } = JSON.parse(fs.readFileSync(new URL('./platforms.json', import.meta.url)));
const platform = platforms.find((p) => p.key === key);
if (!platform) {
  console.error(`npm/platform-package.mjs: no platform ${key} in npm/platforms.json`);
  process.exit(2);
}
const binary = platform.os === 'win32' ? 'heapdiff.exe' : 'heapdiff';
const pkg = {
  name: `@heapdiff/${key}`,
  version,
  description: `The heapdiff binary for ${key} (installed by the heapdiff package)`,
  license: 'MIT',
  os: [platform.os],
  cpu: [platform.cpu],
  ...(platform.libc ? { libc: [platform.libc] } : {}),
  files: [`bin/${binary}`],
  preferUnplugged: true,
};
fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
fs.writeFileSync(
  path.join(dir, 'README.md'),
  `# @heapdiff/${key}\n\nThe heapdiff binary for ${key}. Install \`heapdiff\`, which picks this ` +
    'package on this platform; see its README.\n',
);
