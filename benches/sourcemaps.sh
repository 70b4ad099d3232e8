#!/usr/bin/env bash
# What reading source maps costs: heapdiff on two snapshots of a Node program whose code is one
# LARGE minified esbuild bundle (benches/sourcemaps-app.js with ~25 libraries of corpus/node_modules:
# several MB of code, a map of 15-20 MB beside it), timed with its map read (the default) and
# with --no-source-maps, alternating.
#
#   bash benches/sourcemaps.sh [--force]      # from the repository root
#   REPEAT=5 WARMUP=300 REQUESTS=3000 SMALL=200 BIN=… bash benches/sourcemaps.sh
#
# Prints the median wall time and peak RSS of `heapdiff base late --json` (and of
# `--group-by package`) both ways, their ratio and difference, on the large pair and on a small
# pair of the same program (the map is read once whatever the snapshots' size, so it weighs most
# there); the bundle, map and snapshot sizes; how many sites of the JSON report got a
# `generated` place (so the map was read); and the -v phases of one run each way.
# Data goes to bench-data/sourcemaps-bench (ignored by git); the bundle and the snapshots are
# kept between runs unless --force.
#
# The binary: $BIN, else target/release/heapdiff (built here with cargo build --release when
# missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$repo/bench-data/sourcemaps-bench"
repeat="${REPEAT:-5}"
warmup="${WARMUP:-300}"
requests="${REQUESTS:-3000}"
small="${SMALL:-200}"
force=0
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "sourcemaps.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done

if [[ -n "${BIN:-}" ]]; then
  bin="$BIN"
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
  rm -rf "$js" "$map" "$base" "$late" "$out/small"
  NODE_PATH="$repo/corpus/node_modules" "$esbuild" "$here/sourcemaps-app.js" \
    --bundle --minify --sourcemap --platform=node --log-level=error --outfile="$js"
  tail -n 1 "$js" | grep -qx '//# sourceMappingURL=app.js.map' || { echo "sourcemaps.sh: no map comment" >&2; exit 1; }
fi

# 2. Two snapshot pairs of it: the large one REQUESTS leaking requests apart, a small one
#    SMALL requests apart (there the map, read once whatever the snapshot's size, weighs most).
snap_pair() { # DIR WARMUP N
  local dir="$1"
  if (( force )) || [[ ! -s "$dir/base.heapsnapshot" || ! -s "$dir/late.heapsnapshot" ]]; then
    echo "running the bundle: $2 requests, snapshot, $3 requests, snapshot → $dir…" >&2
    mkdir -p "$dir"
    rm -f "$dir/base.heapsnapshot" "$dir/late.heapsnapshot"
    (cd "$out" && node --expose-gc --no-warnings --max-old-space-size=8000 app.js "$dir" "$2" "$3" >&2)
  fi
}
snap_pair "$out" "$warmup" "$requests"
snap_pair "$out/small" 100 "$small"

# 3. Timings: /usr/bin/time's wall seconds and peak RSS, maps and no maps alternating.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
run() { # NAME ARGS…: one timed run; appends "wall_s rss_kb cpu_s" to $tmp/NAME
  local name="$1"; shift
  /usr/bin/time -f '%e %M %U %S' -o "$tmp/one" "$bin" -q "$@" >/dev/null 2>"$tmp/stderr" || {
    echo "sourcemaps.sh: heapdiff $* failed:" >&2; cat "$tmp/stderr" >&2; exit 1; }
  awk '{print $1, $2, $3 + $4}' "$tmp/one" >>"$tmp/$name"
}
both() { # NAME ARGS…: REPEAT runs each way
  local name="$1"; shift
  for _ in $(seq "$repeat"); do
    run "$name.maps" "$@"
    run "$name.nomaps" "$@" --no-source-maps
  done
}
pair=("$base" "$late")
small_pair=("$out/small/base.heapsnapshot" "$out/small/late.heapsnapshot")
"$bin" -q "${pair[@]}" --json >/dev/null  # page cache
"$bin" -q "${small_pair[@]}" --json >/dev/null
echo "timing heapdiff, $repeat runs each way, alternating…" >&2
both large "${pair[@]}" --json
both large-pkg "${pair[@]}" --json --group-by package
both small "${small_pair[@]}" --json
both small-pkg "${small_pair[@]}" --json --group-by package

# Proof that the map was read: sites with a `generated` place (V8's place in app.js) in the JSON.
count_generated() { jq '[.. | objects | select(has("generated"))] | length' "$1"; }
"$bin" -q "${pair[@]}" --json >"$tmp/maps.json"
"$bin" -q "${pair[@]}" --json --no-source-maps >"$tmp/nomaps.json"
"$bin" -q "${pair[@]}" --json --group-by package >"$tmp/pkg.json"
"$bin" -q "${pair[@]}" --json --group-by package --no-source-maps >"$tmp/pkg-nomaps.json"
gen_maps=$(count_generated "$tmp/maps.json")
gen_nomaps=$(count_generated "$tmp/nomaps.json")
gen_pkgs=$(jq '[.. | objects | select(has("generated")) | .package // empty] | unique | length' "$tmp/maps.json")
pkgs() { jq '[.. | objects | .package? // empty | strings] | unique | length' "$1"; }
notes=$(jq -r '.source_notes[]?' "$tmp/maps.json")

# 4. Report.
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }
size() { mb "$(stat -c %s "$1")"; }
col() { awk -v k="$2" '{print $k}' "$tmp/$1" | median; }
echo
echo "heapdiff: $bin"
echo "bundle:   $js  $(size "$js")"
echo "map:      $map  $(size "$map")  ($(jq '.sources | length' "$map") sources)"
echo "large:    base $(size "$base"), late $(size "$late")  ($warmup requests, then $requests)"
echo "small:    base $(size "${small_pair[0]}"), late $(size "${small_pair[1]}")  (100 requests, then $small)"
echo "large pair, sites with a generated place: $gen_maps with maps (in $gen_pkgs packages), $gen_nomaps with --no-source-maps"
echo "large pair, packages named with --group-by package: $(pkgs "$tmp/pkg.json") with maps, $(pkgs "$tmp/pkg-nomaps.json") without"
[[ -z "$notes" ]] || { echo "notes about maps:"; sed 's/^/  /' <<<"$notes"; }
echo
echo "medians of $repeat runs; wall and CPU (user+sys) seconds, peak RSS; the machine has $(nproc) cores"
printf '%-32s %7s %7s %6s %6s | %7s %7s %6s | %8s %8s\n' "heapdiff …" "wall" "no map" "ratio" "+s" "CPU" "no map" "ratio" "RSS" "no map"
row() { # LABEL NAME
  local wa wb ra rb ca cb
  wa=$(col "$2.maps" 1); wb=$(col "$2.nomaps" 1)
  ra=$(col "$2.maps" 2); rb=$(col "$2.nomaps" 2)
  ca=$(col "$2.maps" 3); cb=$(col "$2.nomaps" 3)
  awk -v l="$1" -v wa="$wa" -v wb="$wb" -v ra="$ra" -v rb="$rb" -v ca="$ca" -v cb="$cb" 'BEGIN {
    printf "%-32s %7.2f %7.2f %6.3f %+6.2f | %7.2f %7.2f %6.3f | %5.0f MB %5.0f MB\n",
      l, wa, wb, wa / wb, wa - wb, ca, cb, ca / cb, ra / 1024, rb / 1024 }'
}
row "large: base late --json" large
row "large: … --group-by package" large-pkg
row "small: base late --json" small
row "small: … --group-by package" small-pkg
echo
echo "every run (wall s / CPU s / peak RSS KB):"
for k in large large-pkg small small-pkg; do
  for m in maps nomaps; do printf '  %-18s %s\n' "$k.$m" "$(awk '{printf "%s/%s/%s  ", $1, $3, $2}' "$tmp/$k.$m")"; done
done
echo
echo "phases (heapdiff -v) of one run on the large pair, with maps | without:"
"$bin" -v "${pair[@]}" --json 2>&1 >/dev/null | grep -v 'trace_\|samples in' >"$tmp/v.maps"
"$bin" -v "${pair[@]}" --json --no-source-maps 2>&1 >/dev/null | grep -v 'trace_\|samples in' >"$tmp/v.nomaps"
paste -d'|' "$tmp/v.maps" <(sed 's/.*: //; s/.* in //; s/.* done at //' "$tmp/v.nomaps") |
  sed "s|$out/||; s/^/  /; s/|/  |  /"
