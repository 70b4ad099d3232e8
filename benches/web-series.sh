#!/usr/bin/env bash
# A series of a web app: four Chromium snapshots of benches/web-dashboard.html (Chart.js charts
# leaked through Chart.instances: about 6, 67, 75 and 83 MB), then the wall time and peak RSS
# of `heapdiff s1 s2 s3 s4` beside memlab's three-snapshot `find-leaks` on the same files.
#
#   benches/web-series.sh            # FIRST=28 LATER=4 charts per step by default
#
# Env: ORACLE_DIR  the oracle set up per its README (default ../oracle-work), for memlab
#      REPEAT      runs per step (default 3): median wall time, largest peak RSS
# Needs Debian's chromium and the corpus's npm packages (`cd corpus && npm ci`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
ORACLE_DIR="${ORACLE_DIR:-$repo/../oracle-work}"
REPEAT="${REPEAT:-3}"
first="${FIRST:-28}" later="${LATER:-4}"
out="bench-data/web-series-$first-$later"
if [[ ! -f "$out/s4.heapsnapshot" ]]; then
  node corpus/browser/drive.js "benches/web-dashboard.html?first=$first&later=$later" "$out"
fi
cargo build --release --quiet
bin="$repo/target/release/heapdiff"
memlab="$ORACLE_DIR/node_modules/.bin/memlab"
[[ -x "$memlab" ]] || { echo "no memlab at $memlab (set up the oracle)" >&2; exit 2; }

# step NAME CMD...: REPEAT runs under /usr/bin/time; prints "NAME median_s peak_MB".
step() {
  local name="$1"; shift
  local walls=() rss=0 run log
  log="$(mktemp)"
  for ((run = 1; run <= REPEAT; run++)); do
    /usr/bin/time -f "%e %M" -o "$log" "$@" > /dev/null 2>&1
    read -r wall kb < "$log"
    walls+=("$wall")
    (( kb / 1024 > rss )) && rss=$((kb / 1024))
  done
  rm -f "$log"
  printf '| %s | %s s | %s MB |\n' "$name" \
    "$(printf '%s\n' "${walls[@]}" | sort -g | awk '{w[NR] = $1} END {print w[int((NR + 1) / 2)]}')" "$rss"
}

s=("$out"/s{1,2,3,4}.heapsnapshot)
echo "snapshots: $(du -m "${s[@]}" | awk '{printf "%s%s MB", sep, $1; sep = " + "}'); runs per step: $REPEAT"
printf '| step | wall (median) | peak RSS |\n| --- | ---: | ---: |\n'
step "heapdiff s1 s2 s3 s4" "$bin" --quiet "${s[@]}"
step "memlab find-leaks s1 s3 s4" "$memlab" find-leaks --baseline "${s[0]}" --target "${s[2]}" --final "${s[3]}"
step "memlab find-leaks s2 s3 s4" "$memlab" find-leaks --baseline "${s[1]}" --target "${s[2]}" --final "${s[3]}"
