# tests/lib/assert.sh -- tiny assertion helpers for the shell-level integration and e2e tests.
# Source it; every check prints one line; finish() prints "N passed, M failed" and sets the exit code.
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "ok   - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }

# check DESCRIPTION CMD...: passes when CMD succeeds
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# eventually SECONDS DESCRIPTION CMD...: polls CMD every 0.5 s until it succeeds or time runs out
eventually() {
  local t=$1 what=$2 i
  shift 2
  for ((i = 0; i < t * 2; i++)); do
    if "$@" >/dev/null 2>&1; then
      pass "$what"
      return 0
    fi
    sleep 0.5
  done
  fail "$what (not within ${t}s; last try: $("$@" 2>&1 | tail -n 3 | tr '\n' ' '))"
  return 1
}

# equals DESCRIPTION EXPECTED ACTUAL
equals() {
  if [[ $2 == "$3" ]]; then pass "$1 ($3)"; else fail "$1: want '$2', got '$3'"; fi
}

need_cluster() {
  if [[ -z ${KUBECONFIG:-} ]] || ! command -v kubectl >/dev/null; then
    echo "FAIL - KUBECONFIG and kubectl are not set: run the tests with hack/test.sh" >&2
    exit 1
  fi
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}
