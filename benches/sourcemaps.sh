#!/usr/bin/env bash
# What reading source maps costs: heapdiff on two snapshots of a Node program whose code is one
# LARGE minified esbuild bundle (benches/sourcemaps-app.js with ~25 libraries of corpus/node_modules:
# several MB of code, a map of 15-20 MB beside it), timed with its map read (the default) and
# with --no-source-maps, alternating.
#
#   bash benches/sourcemaps.sh [--force]      # from the repository root
#   REPEAT=5 WARMUP=300 REQUESTS=3000 BIN=… bash benches/sourcemaps.sh
#
# Prints the median wall time and peak RSS of `heapdiff base late --json` (and of
# `--group-by package`) both ways and their ratio, the bundle, map and snapshot sizes, how many
# sites of the JSON report got a `generated` place (so the map was read), and the -v phases of a
# run with maps. Data goes to bench-data/sourcemaps-bench (ignored by git); the bundle and the
# snapshots are kept between runs unless --force.
#
# The binary: $BIN, else /work/target-bench/release/heapdiff when it exists, else
# target/release/heapdiff (built here with cargo build --release when missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$repo/bench-data/sourcemaps-bench"
repeat="${REPEAT:-5}"
warmup="${WARMUP:-300}"
requests="${REQUESTS:-3000}"
force=0
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "sourcemaps.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done

if [[ -n "${BIN:-}" ]]; then
  bin="$BIN"
elif [[ -x /work/target-bench/release/heapdiff ]]; then
  bin=/work/target-bench/release/heapdiff
else
  bin="$repo/target/release/heapdiff"
  [[ -x "$bin" ]] || (cd "$repo" && cargo build --release --quiet)
fi
[[ -x "$bin" ]] || { echo "sourcemaps.sh: no heapdiff binary at $bin" >&2; exit 1; }

# Tools: esbuild (tests/sourcemaps' pinned one), the corpus libraries, GNU time, jq.
esbuild="$repo/tests/sourcemaps/node_modules/.bin/esbuild"
[[ -x "$esbuild" ]] || (cd "$repo/tests/sourcemaps" && npm ci --no-audit --no-fund >&2)
[[ -d "$repo/corpus/node_modules/mongoose" ]] || (cd "$repo/corpus" && npm ci --no-audit --no-fund >&2)
if [[ ! -x /usr/bin/time ]]; then
  (apt-get install -y time >&2 || (apt-get update >&2 && apt-get install -y time >&2))
fi
command -v jq >/dev/null || (apt-get install -y jq >&2 || (apt-get update >&2 && apt-get install -y jq >&2))

mkdir -p "$out"
js="$out/app.js"
map="$out/app.js.map"
base="$out/base.heapsnapshot"
late="$out/late.heapsnapshot"

# 1. The bundle: one minified file, its map beside (//# sourceMappingURL=app.js.map).
if (( force )) || [[ ! -s "$js" || ! -s "$map" || "$here/sourcemaps-app.js" -nt "$js" ]]; then
  echo "bundling benches/sourcemaps-app.js…" >&2
  rm -f "$js" "$map" "$base" "$late"
  NODE_PATH="$repo/corpus/node_modules" "$esbuild" "$here/sourcemaps-app.js" \
    --bundle --minify --sourcemap --platform=node --log-level=error --outfile="$js"
  tail -n 1 "$js" | grep -qx '//# sourceMappingURL=app.js.map' || { echo "sourcemaps.sh: no map comment" >&2; exit 1; }
fi

# 2. Two snapshots of it, REQUESTS leaking requests apart.
if (( force )) || [[ ! -s "$base" || ! -s "$late" ]]; then
  echo "running the bundle: $warmup requests, snapshot, $requests requests, snapshot…" >&2
  rm -f "$base" "$late"
  (cd "$out" && node --expose-gc --no-warnings --max-old-space-size=8000 app.js "$out" "$warmup" "$requests" >&2)
fi

# 3. Timings.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# run NAME ARGS…: one timed run; appends "wall_s rss_kb" to $tmp/NAME.
run() {
  local name="$1"; shift
  /usr/bin/time -f '%e %M' -o "$tmp/one" "$bin" "$@" >/dev/null 2>"$tmp/stderr" || {
    echo "sourcemaps.sh: heapdiff $* failed:" >&2; cat "$tmp/stderr" >&2; exit 1; }
  cat "$tmp/one" >>"$tmp/$name"
}
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }

"$bin" -q "$base" "$late" --json >/dev/null  # page cache
echo "timing heapdiff, $repeat runs each way, alternating…" >&2
for _ in $(seq "$repeat"); do
  run maps "$base" "$late" --json
  run nomaps "$base" "$late" --json --no-source-maps
done
group=1
for _ in $(seq "$repeat"); do
  run gmaps "$base" "$late" --json --group-by package
  run gnomaps "$base" "$late" --json --group-by package --no-source-maps
done

# Proof that the map was read: sites with a `generated` place in the JSON.
"$bin" -q "$base" "$late" --json >"$tmp/maps.json"
"$bin" -q "$base" "$late" --json --no-source-maps >"$tmp/nomaps.json"
count_generated() { jq '[.. | objects | select(has("generated"))] | length' "$1"; }
gen_maps=$(count_generated "$tmp/maps.json")
gen_nomaps=$(count_generated "$tmp/nomaps.json")
app_sites=$(grep -o '"file":"[^"]*' "$tmp/maps.json" | grep -c 'corpus/node_modules\|sourcemaps-app' || true)
notes=$(jq -r '[.. | objects | .notes? // empty | .[]?] | map(tostring) | unique | .[]' "$tmp/maps.json" 2>/dev/null | grep -i 'map' | head -5 || true)
"$bin" -q "$base" "$late" --json --group-by package >"$tmp/gmaps.json"
gpkgs=$(jq '[.. | objects | .package? // empty | strings] | unique | length' "$tmp/gmaps.json")

# 4. Report.
col() { median <"$tmp/$1" 2>/dev/null; }
stat_of() { awk -v k="$2" '{print $k}' "$tmp/$1" | median; }
echo
echo "heapdiff: $bin"
echo "bundle:   $js  $(mb "$(stat -c %s "$js")")"
echo "map:      $map  $(mb "$(stat -c %s "$map")")  ($(jq '.sources | length' "$map") sources)"
echo "base:     $(mb "$(stat -c %s "$base")")   late: $(mb "$(stat -c %s "$late")")   ($warmup + $requests requests)"
echo "sites with a generated place: $gen_maps with maps, $gen_nomaps with --no-source-maps"
echo "packages named with --group-by package (maps): $gpkgs"
[[ -n "$notes" ]] && echo "notes about maps: $notes"
echo
printf '%-34s %10s %10s %8s %12s %12s\n' "median of $repeat runs" "maps (s)" "no maps" "ratio" "RSS maps" "RSS no maps"
row() {
  local label="$1" a="$2" b="$3"
  local wa wb ra rb
  wa=$(stat_of "$a" 1); wb=$(stat_of "$b" 1)
  ra=$(stat_of "$a" 2); rb=$(stat_of "$b" 2)
  printf '%-34s %10.2f %10.2f %8s %9.0f MB %9.0f MB\n' "$label" "$wa" "$wb" \
    "$(awk -v a="$wa" -v b="$wb" 'BEGIN {printf "%.3f", a / b}')" "$(bc -l <<<"$ra/1024")" "$(bc -l <<<"$rb/1024")"
}
row "heapdiff base late --json" maps nomaps
(( group )) && row "  --group-by package" gmaps gnomaps
echo
echo "each run (wall s, peak RSS KB):"
for k in maps nomaps gmaps gnomaps; do printf '  %-8s %s\n' "$k" "$(awk '{printf "%s/%s  ", $1, $2}' "$tmp/$k")"; done
echo
echo "phases of one run with maps (heapdiff -v), then without:"
"$bin" -v "$base" "$late" --json 2>&1 >/dev/null | sed 's/^/  maps:    /'
"$bin" -v "$base" "$late" --json --no-source-maps 2>&1 >/dev/null | sed 's/^/  no maps: /'
