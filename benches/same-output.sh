#!/usr/bin/env bash
# Checks that a faster build says exactly what the build before it said: runs two heapdiff
# binaries on every corpus scenario (pair s1 → s4, series s1 … s4; table, JSON and
# `--compare` JSON for the pair) and on any extra pairs given, and compares the outputs byte
# for byte. Prints one line per run and exits 1 at the first difference.
#
#   benches/same-output.sh OLD_BIN NEW_BIN [BASE LATE ...]
#
# The corpus comes from `corpus/generate.sh` (bench-data/corpus); extra pairs are compared as
# `--json BASE LATE`, so the real heaps of benches/real-heap.js can be checked too.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
old="${1:?usage: benches/same-output.sh OLD_BIN NEW_BIN [BASE LATE ...]}"
new="${2:?usage: benches/same-output.sh OLD_BIN NEW_BIN [BASE LATE ...]}"
shift 2
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
runs=0

# same NAME ARGS...: both binaries on ARGS; stops at the first difference.
same() {
  local name="$1"; shift
  "$old" "$@" > "$out/old" 2> /dev/null || true
  "$new" "$@" > "$out/new" 2> /dev/null || true
  if ! cmp -s "$out/old" "$out/new"; then
    echo "DIFFERENT: $name ($*)"
    diff "$out/old" "$out/new" | head -20
    exit 1
  fi
  runs=$((runs + 1))
  echo "same: $name ($(wc -c < "$out/new") bytes)"
}

for dir in "$repo"/bench-data/corpus/*/; do
  name="$(basename "$dir")"
  snaps=("$dir"s*.heapsnapshot)
  [[ ${#snaps[@]} -ge 2 ]] || continue
  first="${snaps[0]}" last="${snaps[${#snaps[@]} - 1]}"
  same "$name pair" --width 120 "$first" "$last"
  same "$name pair json" --json "$first" "$last"
  same "$name compare json" --json --compare "$first" "$last"
  same "$name series json" --json "${snaps[@]}"
done
while [[ $# -ge 2 ]]; do
  same "pair $(basename "$1") $(basename "$2")" --json "$1" "$2"
  shift 2
done
echo "$runs runs, all outputs identical"
