#!/usr/bin/env bash
# hack/node-deps.sh -- the npm packages of hack/loadsim/package.json (bull, bullmq, prom-client),
# installed once into a cache outside the repository keyed by the package list, and linked at
# ~/.cache/gearbox/node_modules. Prints nothing but progress; `hack/node-deps.sh path` prints the
# directory to put in NODE_PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${GEARBOX_CACHE:-$HOME/.cache/gearbox}
key=$(sha256sum hack/loadsim/package.json | cut -c1-16)
dir=$CACHE/node-$key
if [[ ${1:-} == path ]]; then
  echo "$CACHE/node_modules"
  exit 0
fi
if [[ ! -f $dir/.done ]]; then
  command -v npm >/dev/null || { echo "[node-deps] ERROR: npm is not installed" >&2; exit 1; }
  echo "[node-deps] npm install into $dir" >&2
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  cp hack/loadsim/package.json "$dir.tmp/"
  (cd "$dir.tmp" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
  touch "$dir/.done"
fi
ln -sfn "$dir/node_modules" "$CACHE/node_modules"
echo "[node-deps] bull, bullmq and prom-client ready ($CACHE/node_modules)" >&2
