#!/usr/bin/env bash
# Scaling of `heapdiff BASE LATE` on adversarial heap shapes (benches/shapes.js): for each
# shape, N objects and then 2N, the wall time of each and their ratio (about 2 for a linear
# cost; the issue asks for at most ~2.2 per doubling).
#
#   benches/scaling.sh [N]            # default N = 200000
#   SHAPES="chain fan" benches/scaling.sh 400000
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
n="${1:-200000}"
shapes="${SHAPES:-chain alternating fan doubly fiber shared}"
cargo build --release --quiet
bin="$repo/target/release/heapdiff"

wall() { # wall BASE LATE: seconds of one run
  local start end
  start=$(date +%s.%N)
  "$bin" --quiet --json "$1" "$2" > /dev/null
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN {printf "%.2f", e - s}'
}

printf '| shape | N | time | 2N | time | ratio |\n| --- | ---: | ---: | ---: | ---: | ---: |\n'
for shape in $shapes; do
  times=()
  for size in "$n" $((2 * n)); do
    dir="bench-data/shapes/$shape-$size"
    if [[ ! -f "$dir/late.heapsnapshot" ]]; then
      node --stack-size=65500 --max-old-space-size=8000 benches/shapes.js "$shape" "$size" "$dir"
    fi
    times+=("$(wall "$dir/base.heapsnapshot" "$dir/late.heapsnapshot")")
  done
  awk -v s="$shape" -v n="$n" -v a="${times[0]}" -v b="${times[1]}" \
    'BEGIN {printf "| %s | %d | %.2f s | %d | %.2f s | %.2f |\n", s, n, a, 2 * n, b, b / a}'
done
