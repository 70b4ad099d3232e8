#!/usr/bin/env bash
# Packs heapdiff's npm packages as tarballs: `heapdiff` (the launcher and the JavaScript API)
# and one platform package `@heapdiff/KEY` carrying a binary (npm/platforms.json lists them).
#
#   npm/pack.sh [--platform KEY] [--binary PATH] [--out DIR]
#
# Without --binary it builds this machine's binary (cargo build --release --locked) and packs it
# for this machine's platform; the release workflow passes the binary it built for --platform.
# Writes DIR/heapdiff-VERSION.tgz and DIR/heapdiff-KEY-VERSION.tgz (default DIR: target/npm)
# and prints their paths, one per line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
platform=""
binary=""
out="$root/target/npm"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --platform) platform="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "npm/pack.sh: unknown argument $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
done

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)"
node "$root/npm/check-versions.mjs" "$version" >&2

if [[ -z "$platform" ]]; then
  platform="$(node -e 'process.stdout.write(require(process.argv[1]).platformKey())' \
    "$root/npm/heapdiff/lib/platform.js")"
fi
if [[ -z "$binary" ]]; then
  (cd "$root" && cargo build --release --locked >&2)
  binary="$root/target/release/heapdiff"
fi
[[ -f "$binary" ]] || { echo "npm/pack.sh: no binary at $binary" >&2; exit 2; }

stage="$out/stage"
rm -rf "$stage"
mkdir -p "$stage/heapdiff" "$stage/$platform/bin"
cp -r "$root/npm/heapdiff/." "$stage/heapdiff/"
cp "$root/LICENSE" "$stage/heapdiff/"
rm -rf "$stage/heapdiff/node_modules"
name="heapdiff"
[[ "$platform" == win32-* ]] && name="heapdiff.exe"
cp "$binary" "$stage/$platform/bin/$name"
chmod 755 "$stage/$platform/bin/$name"
# Debug info is for profiling here (Cargo.toml keeps it in release builds), not for users: a
# third of the download. A binary of another architecture stays as it is.
if [[ "$platform" != win32-* ]] && command -v strip >/dev/null; then
  strip "$stage/$platform/bin/$name" 2>/dev/null || echo "npm/pack.sh: $binary left unstripped" >&2
fi
cp "$root/LICENSE" "$stage/$platform/"
node "$root/npm/platform-package.mjs" "$platform" "$version" "$stage/$platform" >&2

mkdir -p "$out"
for dir in "$stage/heapdiff" "$stage/$platform"; do
  file="$(cd "$dir" && npm pack --silent --pack-destination "$out")"
  echo "$out/$file"
done
