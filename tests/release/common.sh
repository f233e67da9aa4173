# tests/release/common.sh -- sourced by the release tests (SCRIPT WORK): ROOT, the assertions,
# WORK (the release's build tree, dist/ and lock), and field DIST NAME (a field of release.json).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$ROOT/tests/lib/assert.sh"
WORK=${1:?usage: $0 WORK}
mkdir -p "$WORK"
field() { python3 "$ROOT/hack/release.py" field "$1/release.json" "$2"; }
# setup DESCRIPTION CMD...: a check the rest depends on; the test stops when it fails (check
# itself returns 0 either way).
setup() {
  local failed=$FAILED
  check "$@"
  ((FAILED == failed)) || { finish; exit 1; }
}
