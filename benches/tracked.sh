#!/usr/bin/env bash
# What reading allocation traces costs: times heapdiff reading a real snapshot written with
# `node --track-heap-objects` (benches/real-heap.js under allocation tracking) beside the same
# file with tracking switched off in its header (trace_function_count 0, padded to the same
# length: the same nodes, edges and strings; the trace sections are skipped, no trace ids kept).
#
#   benches/tracked.sh [SIZE_MB] [RUNS]     # default 200 MB, 5 runs each
#
# Prints the median `read` phase (heapdiff -v) and the median wall time of `heapdiff summary`
# for both files, and the ratios. Data goes to bench-data/tracked-SIZE (ignored by git).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
size="${1:-200}"
runs="${2:-5}"
dir="$repo/bench-data/tracked-$size"
bin="$repo/target/release/heapdiff"
(cd "$repo" && cargo build --release --quiet)
[[ -d "$repo/corpus/node_modules/ajv" ]] || (cd "$repo/corpus" && npm ci --no-audit --no-fund >&2)
if [[ ! -f "$dir/late.heapsnapshot" ]]; then
  echo "writing a tracked ${size} MB heap (slow: allocation tracking is on)…" >&2
  node --expose-gc --track-heap-objects --max-old-space-size=12000 "$here/real-heap.js" "$size" "$dir" >&2
fi
tracked="$dir/late.heapsnapshot"
untracked="$dir/late-untracked.heapsnapshot"
if [[ ! -f "$untracked" ]]; then
  cp "$tracked" "$untracked"
  node -e '
    const fs = require("fs");
    const fd = fs.openSync(process.argv[1], "r+");
    const head = Buffer.alloc(65536);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    const text = head.toString("latin1", 0, n);
    const m = /"trace_function_count":(\d+)/.exec(text);
    if (!m) throw new Error("no trace_function_count in the header");
    const patched = "\"trace_function_count\":0" + " ".repeat(m[1].length - 1);
    fs.writeSync(fd, Buffer.from(patched, "latin1"), 0, patched.length, m.index);
    fs.closeSync(fd);
  ' "$untracked"
fi

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
read_ms() { # the -v "read" phase of `heapdiff summary FILE`, in ms
  "$bin" summary -v "$1" 2>&1 >/dev/null | awk '/: read in /{v=$NF; if (v ~ /ms$/) {sub(/ms/,"",v)} else {sub(/s$/,"",v); v*=1000} print v}'
}
wall_s() {
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" summary --json "$1" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
for f in "$tracked" "$untracked"; do "$bin" summary --json "$f" >/dev/null; done  # page cache
declare -A read wall
for f in tracked untracked; do
  path="$dir/late.heapsnapshot"
  [[ $f == untracked ]] && path="$untracked"
  read[$f]=$(for _ in $(seq "$runs"); do read_ms "$path"; done | median)
  wall[$f]=$(for _ in $(seq "$runs"); do wall_s "$path"; done | median)
done
printf 'file: %s (%s bytes), %s runs each, medians\n' "$tracked" "$(stat -c %s "$tracked")" "$runs"
printf '%-10s %10s %10s\n' "" "read ms" "summary s"
printf '%-10s %10.1f %10.3f\n' tracked "${read[tracked]}" "${wall[tracked]}"
printf '%-10s %10.1f %10.3f\n' untracked "${read[untracked]}" "${wall[untracked]}"
printf 'tracked / untracked: read %.3f, summary %.3f\n' \
  "$(echo "${read[tracked]} / ${read[untracked]}" | bc -l)" \
  "$(echo "${wall[tracked]} / ${wall[untracked]}" | bc -l)"
