#!/usr/bin/env bash
# The quick start's page and the files its end-to-end test applies cannot drift apart: the YAML of
# manifests/examples/quickstart.yaml and quickstart-hpa.yaml (their comments aside) stands verbatim
# in docs/quickstart.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
page=$(<"$root/docs/quickstart.md")
lines() { grep -v '^#' "$1"; }
for f in quickstart.yaml quickstart-hpa.yaml; do
  body=$(lines "$root/manifests/examples/$f")
  if [[ $page != *"$body"* ]]; then
    echo "FAIL: docs/quickstart.md does not show manifests/examples/$f as it is" >&2
    exit 1
  fi
done
echo "docs/quickstart.md shows manifests/examples/quickstart.yaml and quickstart-hpa.yaml as they are"
