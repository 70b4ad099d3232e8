#!/usr/bin/env bash
# heapdiff/playwright in Chromium: a leaky page must fail with heapdiff's "Likely leak", a
# clean page must pass. Prints one summary line; exits non-zero on any unmet expectation.
#
#   npm/test/playwright/run.sh heapdiff-X.tgz heapdiff-linux-x64-gnu-X.tgz
#   HEAPDIFF_BIN=target/release/heapdiff npm/test/playwright/run.sh npm/heapdiff
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 PACKAGE...   (what to install as heapdiff: tarballs or a directory)" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)

# The packages as absolute paths (npm runs in this folder); other specs go to npm as they are.
packages=()
for package in "$@"; do
  if [ -e "$package" ]; then
    packages+=("$(cd "$(dirname "$package")" && pwd)/$(basename "$package")")
  else
    packages+=("$package")
  fi
done

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
fi
# playwright.config.js launches this one.
if [ ! -x /usr/bin/chromium ]; then
  echo "run.sh: /usr/bin/chromium is missing" >&2
  exit 2
fi

cd "$here"
work=$(mktemp -d "${TMPDIR:-/tmp}/heapdiff-playwright-XXXXXX")
npm_quietly() {
  if ! npm "$@" --no-audit --no-fund >"$work/npm.log" 2>&1; then
    echo "playwright: FAILED: npm $*:"
    tail -n 40 "$work/npm.log"
    exit 1
  fi
}
[ -d node_modules ] || npm_quietly ci
# npm keeps an installed heapdiff of the same version and source even when its files changed:
# the previous one goes first.
rm -rf node_modules/heapdiff node_modules/@heapdiff
# --install-links copies a directory as npm would pack it, instead of linking it (a link would
# let npm put heapdiff's optional dependencies into the source folder).
npm_quietly install --no-save --install-links "${packages[@]}"

status=0
start=$(date +%s)
PLAYWRIGHT_JSON_OUTPUT_FILE="$work/results.json" npx playwright test --reporter=json \
  >"$work/playwright.log" 2>&1 || status=$?
seconds=$(($(date +%s) - start))
if [ ! -s "$work/results.json" ]; then
  echo "playwright: FAILED: no JSON report (exit $status); its output:"
  tail -n 40 "$work/playwright.log"
  echo "(kept in $work)"
  exit 1
fi
# The checker also removes the snapshot folders the failing spec kept.
if ! summary=$(node check.mjs "$work/results.json"); then
  echo "$summary (${seconds} s; Playwright's report and output kept in $work)"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "playwright: FAILED: Playwright exited with $status although every check passed: $summary"
  echo "(kept in $work)"
  exit 1
fi
rm -rf "$work"
echo "$summary (${seconds} s)"
