#!/usr/bin/env bash
# Builds the leaking apps (tsc and esbuild, with source maps) and takes heap snapshots of them.
# Usage: bash build.sh [OUT]   (OUT defaults to ../../bench-data/sourcemaps, git-ignored)
# See README.md for what lands where.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$HERE/../../bench-data/sourcemaps}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
cd "$HERE"

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
BIN="$HERE/node_modules/.bin"

BUILDS=(ts-service bundle-external bundle-inline served maps-apart browser-external browser-inline)
for b in "${BUILDS[@]}"; do rm -rf "${OUT:?}/$b"; done
rm -f "$OUT/truth.json"

# 1. tsc: dist/*.js with dist/*.js.map beside, each .js ending in //# sourceMappingURL=X.js.map
"$BIN/tsc" -p ts-service/tsconfig.json --outDir "$OUT/ts-service/dist"

# 2. esbuild: one minified IIFE bundle (it sets globalThis.webApp), so the same file runs in
#    Node (require) and in a page (<script src>).
esb=("$BIN/esbuild" web-app/src/app.ts --bundle --minify --platform=browser --format=iife
     --target=es2020 --log-level=warning)
"${esb[@]}" --sourcemap --outfile="$OUT/bundle-external/app.js"
"${esb[@]}" --sourcemap=inline --outfile="$OUT/bundle-inline/app.js"

# 3. served/app.js keeps its //# sourceMappingURL=app.js.map comment, but the map lives in
#    maps-apart/ (same depth, so the map's relative "sources" still resolve).
mkdir -p "$OUT/served" "$OUT/maps-apart"
cp "$OUT/bundle-external/app.js" "$OUT/served/app.js"
cp "$OUT/bundle-external/app.js.map" "$OUT/maps-apart/app.js.map"

# 4. Check the builds before snapshotting them.
fail() { echo "build.sh: $*" >&2; exit 1; }
for js in "$OUT"/ts-service/dist/*.js; do
  [ -f "$js.map" ] || fail "missing $js.map"
  [ "$(grep -c 'sourceMappingURL' "$js")" = 1 ] || fail "$js: not one sourceMappingURL"
  tail -n 1 "$js" | grep -qx "//# sourceMappingURL=$(basename "$js").map" || fail "$js: last line"
done
[ "$(grep -c '^//# sourceMappingURL=app.js.map$' "$OUT/bundle-external/app.js")" = 1 ] || fail "bundle-external: comment"
[ -f "$OUT/bundle-external/app.js.map" ] || fail "bundle-external: no map"
[ "$(grep -c '^//# sourceMappingURL=data:application/json;base64,' "$OUT/bundle-inline/app.js")" = 1 ] || fail "bundle-inline: comment"
[ ! -e "$OUT/bundle-inline/app.js.map" ] || fail "bundle-inline: unexpected map file"
[ ! -e "$OUT/served/app.js.map" ] || fail "served: map beside"
cmp -s "$OUT/bundle-external/app.js" "$OUT/served/app.js" || fail "served differs"

# 5. Snapshots: s1 s2 s3 per build (warmup 300, then 400 requests between snapshots).
node --expose-gc scripts/drive-node.cjs service "$OUT/ts-service/dist/orders.js" "$OUT/ts-service"
for b in bundle-external bundle-inline served; do
  node --expose-gc scripts/drive-node.cjs webapp "$OUT/$b/app.js" "$OUT/$b"
done
mkdir -p "$OUT/browser-external" "$OUT/browser-inline"
node scripts/drive-browser.mjs "$OUT/served/app.js" "$OUT/browser-external"
node scripts/drive-browser.mjs "$OUT/bundle-inline/app.js" "$OUT/browser-inline"

# 6. truth.json: where each build's leaks are in the original sources.
node scripts/truth.mjs "$OUT"

for b in ts-service bundle-external bundle-inline served browser-external browser-inline; do
  for s in s1 s2 s3; do
    [ -s "$OUT/$b/$s.heapsnapshot" ] || fail "missing $OUT/$b/$s.heapsnapshot"
  done
done
ls -l "$OUT"/*/s?.heapsnapshot | awk '{printf "%10d  %s\n", $5, $9}'
echo "build.sh: done, output in $OUT"
