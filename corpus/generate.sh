#!/usr/bin/env bash
# Writes the leak corpus: four heap snapshots and a truth.json per scenario, into
# bench-data/corpus/<scenario>/ (git ignores bench-data). Installs the pinned npm packages
# (package-lock.json) and, for the browser scenarios, Debian's chromium when missing.
#
#   corpus/generate.sh            # every scenario that is not there yet
#   corpus/generate.sh --force    # all of them again
#   ONLY="ajv-compile vm-contexts" corpus/generate.sh
#   TRACKED=1 corpus/generate.sh  # the Node scenarios under --track-heap-objects (allocation
#                                 # stacks), into bench-data/corpus-tracked/<scenario>/
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tracked="${TRACKED:-0}"
if [[ $tracked == 1 ]]; then
  out="${CORPUS_DIR:-$here/../bench-data/corpus-tracked}"
  node_flags=(--expose-gc --track-heap-objects)
else
  out="${CORPUS_DIR:-$here/../bench-data/corpus}"
  node_flags=(--expose-gc)
fi
force=0
[[ "${1:-}" == "--force" ]] && force=1
if [[ ! -d "$here/node_modules/lru-cache" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund >&2)
fi
mkdir -p "$out"
scenarios=()
browser=("$here"/browser/*.html)
[[ $tracked == 1 ]] && browser=()
for f in "$here"/node/*.js "${browser[@]}"; do
  name="$(basename "$f")"
  name="${name%.*}"
  [[ "$name" == harness ]] && continue
  if [[ -n "${ONLY:-}" && " $ONLY " != *" $name "* ]]; then continue; fi
  scenarios+=("$f")
done
for f in "${scenarios[@]}"; do
  name="$(basename "$f")"
  name="${name%.*}"
  if [[ $force == 0 && -f "$out/$name/truth.json" ]]; then continue; fi
  rm -rf "$out/$name"
  echo "corpus: $name" >&2
  case "$f" in
    *.js) node "${node_flags[@]}" "$f" "$out/$name" ;;
    *.html)
      command -v chromium >/dev/null || {
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
      }
      node "$here/browser/drive.js" "$f" "$out/$name"
      ;;
  esac
done
