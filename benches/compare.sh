#!/usr/bin/env bash
# Times heapdiff beside Chrome DevTools' own heap-snapshot code and memlab (both run by the
# oracle in ../shared/oracle) on the same snapshots, in one run, and prints the ratios.
#
#   benches/compare.sh BASE LATE
#   benches/compare.sh --generate HEAP_MB [BASE_FRACTION]   # writes bench-data/gen-<MB>/ first
#
# Env: ORACLE_DIR  the oracle set up per its README (default ../oracle-work)
#      HEAP_MB     --max-old-space-size for the peers (default 16384)
#      SKIP_MEMLAB set to 1 to leave memlab out
#      REPEAT      runs per step (default 1); the median wall time and the largest peak RSS count
# Each run is one process measured by /usr/bin/time -v (wall clock, peak RSS).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
ORACLE_DIR="${ORACLE_DIR:-$repo/../oracle-work}"
HEAP_MB="${HEAP_MB:-16384}"
REPEAT="${REPEAT:-1}"

if [[ "${1:-}" == "--generate" ]]; then
  mb="${2:?heap MB}"
  fraction="${3:-0.1}"
  out="bench-data/gen-$mb-$fraction"
  if [[ ! -f "$out/late.heapsnapshot" ]]; then
    node --max-old-space-size=20000 --expose-gc benches/generate.js "$mb" "$out" "$fraction"
  fi
  set -- "$out/base.heapsnapshot" "$out/late.heapsnapshot"
fi
base="${1:?usage: benches/compare.sh BASE LATE}"
late="${2:?usage: benches/compare.sh BASE LATE}"
command -v /usr/bin/time >/dev/null || apt-get install -y time
[[ -f "$ORACLE_DIR/devtools-oracle.mjs" ]] || { echo "no oracle at $ORACLE_DIR" >&2; exit 2; }

cargo build --release --quiet
bin="$repo/target/release/heapdiff"
logs="$(mktemp -d)"
results=()

# step NAME CMD... : runs CMD REPEAT times, records "NAME median_wall_seconds max_peak_rss_mb"
step() {
  local name="$1"; shift
  local walls=() rss=0 run wall mb
  for ((run = 1; run <= REPEAT; run++)); do
    if ! /usr/bin/time -v "$@" > "$logs/$name.out" 2> "$logs/$name.err"; then
      echo "$name failed; see $logs/$name.err" >&2
      return 1
    fi
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$logs/$name.err")"
    mb="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$logs/$name.err")"
    walls+=("$wall")
    if (( mb > rss )); then rss=$mb; fi
  done
  wall="$(printf '%s\n' "${walls[@]}" | sort -g | awk '{w[NR] = $1} END {print w[int((NR + 1) / 2)]}')"
  results+=("$name $wall $rss")
}

size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN {printf "%.1f", b / 1e6}'; }
echo "base: $base ($(size_mb "$base") MB), late: $late ($(size_mb "$late") MB)"
echo "runs per step: $REPEAT (median wall time, largest peak RSS)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(node --version); heapdiff $("$bin" --version | cut -d' ' -f2)"

step heapdiff-summary "$bin" summary --json "$late"
step devtools-summary node --max-old-space-size="$HEAP_MB" "$ORACLE_DIR/devtools-oracle.mjs" summary "$late"
step heapdiff-diff "$bin" --json "$base" "$late"
step devtools-between node --max-old-space-size="$HEAP_MB" "$ORACLE_DIR/devtools-oracle.mjs" between "$base" "$late"
if [[ "${SKIP_MEMLAB:-0}" != 1 ]]; then
  step memlab-parse node --max-old-space-size="$HEAP_MB" "$ORACLE_DIR/memlab-oracle.mjs" parse "$late"
  step memlab-between node --max-old-space-size="$HEAP_MB" "$ORACLE_DIR/memlab-oracle.mjs" between "$base" "$late"
fi

printf '\n| step | wall s | peak RSS MB |\n| --- | ---: | ---: |\n'
declare -A wall rss
for r in "${results[@]}"; do
  read -r name w m <<< "$r"
  wall[$name]=$w
  rss[$name]=$m
  printf '| %s | %.2f | %s |\n' "$name" "$w" "$m"
done
ratio() { # ratio PEER OURS
  [[ -n "${wall[$1]:-}" && -n "${wall[$2]:-}" ]] || return 0
  awk -v pw="${wall[$1]}" -v ow="${wall[$2]}" -v pm="${rss[$1]}" -v om="${rss[$2]}" -v p="$1" -v o="$2" \
    'BEGIN {printf "%s / %s: %.1fx the time, %.1fx the memory\n", p, o, pw / ow, pm / om}'
}
echo
ratio devtools-summary heapdiff-summary
ratio devtools-between heapdiff-diff
ratio memlab-parse heapdiff-summary
ratio memlab-between heapdiff-diff
rm -rf "$logs"
