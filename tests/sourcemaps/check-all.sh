#!/usr/bin/env bash
# Runs heapdiff on every build's snapshots (series s1 s2 s3, and the pair s1 s3) and checks
# each report with check.mjs against truth.json.
# Usage: bash check-all.sh [HEAPDIFF] [OUT]
#   HEAPDIFF defaults to ../../target/release/heapdiff, OUT to ../../bench-data/sourcemaps.
# heapdiff runs in OUT (relative scripts in its JSON are resolved there). --source-maps DIR is
# passed for the builds whose maps are not beside their script (truth.json source_maps_arg),
# when this heapdiff has that option. Reports land in OUT/<build>/series.json, pair.json.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HD="$(realpath "${1:-$HERE/../../target/release/heapdiff}")"
OUT="$(cd "${2:-$HERE/../../bench-data/sourcemaps}" && pwd)"
has_maps_opt=0
"$HD" --help 2>&1 | grep -q -- '--source-maps' && has_maps_opt=1
status=0
cd "$OUT"
for b in $(node -e 'console.log(Object.keys(require(process.argv[1]).builds).join(" "))' "$OUT/truth.json"); do
  extra=()
  dir="$(node -e 'const t=require(process.argv[1]); console.log(t.builds[process.argv[2]].source_maps_arg || "")' "$OUT/truth.json" "$b")"
  if [ -n "$dir" ] && [ "$has_maps_opt" = 1 ]; then extra=(--source-maps "$dir"); fi
  "$HD" "$b/s1.heapsnapshot" "$b/s2.heapsnapshot" "$b/s3.heapsnapshot" --json "${extra[@]}" > "$b/series.json"
  "$HD" "$b/s1.heapsnapshot" "$b/s3.heapsnapshot" --json "${extra[@]}" > "$b/pair.json"
  for r in series pair; do
    echo "--- $b $r"
    node "$HERE/check.mjs" "$b/$r.json" truth.json "$b" || status=1
  done
done
exit $status
