#!/usr/bin/env bash
# Runs check-report.js with playwright-core (the corpus's pinned npm packages) and Debian's
# chromium, installing either when missing.
#   tests/browser/run.sh PAIR.html SERIES.html SCREENSHOT_DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ ! -d "$root/corpus/node_modules/playwright-core" ]]; then
  (cd "$root/corpus" && npm ci --no-audit --no-fund >&2)
fi
command -v chromium >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
}
PLAYWRIGHT_CORE="$root/corpus/node_modules/playwright-core" \
  exec node "$root/tests/browser/check-report.js" "$@"
