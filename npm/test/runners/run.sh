#!/usr/bin/env bash
# heapdiff's JavaScript API under the real test runners: node:test, Jest, Vitest, and tsc.
#
#   npm/test/runners/run.sh PACKAGE...
#
# PACKAGE: what to install as heapdiff, as `npm install` takes it: the tarballs of `npm pack`
# (heapdiff-X.tgz and heapdiff-linux-x64-gnu-X.tgz), or the package's folder (npm/heapdiff)
# with HEAPDIFF_BIN set to a heapdiff binary. Folders are installed as copies (--install-links),
# as a tarball would be, not as links.
#
# Each runner runs tests/<runner>/leaky.test.* (must FAIL, naming app/leaky.js and its line)
# and tests/<runner>/clean.test.* (must PASS); check.mjs judges its machine-readable results
# and prints one line. Exit status 0 when every expectation held, 1 otherwise.
#
# Each runner gets its own TMPDIR in a temporary folder, removed at the end: the snapshots the
# failing leak test keeps by design (and Jest's cache) go there, and nothing is left in /tmp.
# Extra runner arguments: JEST_ARGS (e.g. --runInBand), VITEST_ARGS (e.g. --pool=threads).
# KEEP_LOGS=1 prints the folder of the runners' logs and results and keeps it.

set -u -o pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 PACKAGE...   (heapdiff tarballs, or a folder with HEAPDIFF_BIN set)" >&2
  exit 2
fi

# The packages as absolute paths (they are given relative to the caller's folder).
packages=()
for p in "$@"; do
  if [ -e "$p" ]; then
    packages+=("$(cd "$(dirname "$p")" && pwd)/$(basename "$p")")
  else
    packages+=("$p")
  fi
done

here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 2

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error || exit 2
fi
# --no-save keeps package.json and the lockfile as they are; the next install replaces it.
npm install --no-save --no-audit --no-fund --loglevel=error --install-links "${packages[@]}" || exit 2
installed=$(node -e '
  const { version } = require("heapdiff/package.json");
  let binary;
  try { binary = require("heapdiff").findBinary(); } catch (error) { binary = `none (${error.message})`; }
  console.log(`heapdiff ${version}, binary ${binary}`);
') || exit 2
echo "$installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/heapdiff-runners.XXXXXX") || exit 2
if [ "${KEEP_LOGS:-}" = 1 ]; then
  echo "logs and results in $work"
else
  trap 'rm -rf "$work"' EXIT
fi

status=0

# run NAME COMMAND...: runs a runner with its own TMPDIR, its output to $work/NAME.log.
run() {
  local name=$1
  shift
  mkdir -p "$work/$name/tmp"
  local start end
  start=$(date +%s.%N)
  TMPDIR="$work/$name/tmp" "$@" >"$work/$name.log" 2>&1
  echo "exit status $?" >>"$work/$name.log"
  end=$(date +%s.%N)
  elapsed[$name]=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }')
}

# judge NAME ARGS...: check.mjs's line for the runner, and its log when it failed.
judge() {
  local name=$1
  shift
  local line
  if line=$(node check.mjs "$name" "$@"); then
    echo "$line; whole run ${elapsed[$name]}"
  else
    echo "$line"
    echo "  --- last lines of the $name run ---"
    tail -n 40 "$work/$name.log" | sed 's/^/  | /'
    status=1
  fi
}

declare -A elapsed

run node-test node --test \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./tests/node-test/json-reporter.mjs --test-reporter-destination="$work/node-test.json" \
  tests/node-test/leaky.test.mjs tests/node-test/clean.test.mjs
judge node-test "$work/node-test.json" "$work/node-test/tmp"

# shellcheck disable=SC2086 # JEST_ARGS and VITEST_ARGS are lists of arguments
run jest npx --no-install jest --ci ${JEST_ARGS:-} --json --outputFile="$work/jest.json"
judge jest "$work/jest.json" "$work/jest/tmp"

# shellcheck disable=SC2086
run vitest npx --no-install vitest run ${VITEST_ARGS:-} \
  --reporter=default --reporter=json --outputFile="$work/vitest.json"
judge vitest "$work/vitest.json" "$work/vitest/tmp"

mkdir -p "$work/tsc"
npx --no-install tsc -p types/tsconfig.json --listFiles >"$work/tsc.txt" 2>&1
tsc_status=$?
elapsed[tsc]=n/a
node check.mjs tsc "$work/tsc.txt" "$tsc_status" || status=1

exit $status
