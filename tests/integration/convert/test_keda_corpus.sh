#!/usr/bin/env bash
# The ScaledObjects and HPAs of KEDA's scaler pages and end-to-end tests and of the Kubernetes HPA
# walkthrough (tests/fixtures/convert/keda-docs, each naming its source), converted as a new user
# would and applied to the real API server: an example that converts whole (exit 0) prints
# policies that `kubectl apply --dry-run=server` accepts; one that loses something exits 3 with a
# stderr line naming what was not carried over, and its --allow-partial output is accepted too; a
# refused one exits 2 with a stderr line naming the document and why. Anything else fails. The
# outcome decided for each example (keda-docs/outcomes.txt) is checked too, and the count said.
# Usage: test_keda_corpus.sh [path to gearbox-controller] (default build/...).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
CORPUS=$ROOT/tests/fixtures/convert/keda-docs
source "$ROOT/tests/lib/assert.sh"
BIN=${1:-${GEARBOX_CONTROLLER:-$ROOT/build/controller/gearbox-controller}}
need_cluster

check "the CRD applies" kubectl apply --server-side --force-conflicts -f "$ROOT/crds/"
check "the CRD is Established" kubectl wait --for=condition=Established --timeout=30s crd/scalingpolicies.gearbox.dev

# The examples' namespaces, so that their policies can be dry-run there (deleted at the end).
namespaces=$(grep -ho '^  namespace: [a-z0-9-]*$' "$CORPUS"/*.yaml | awk '{print $2}' | sort -u)
cleanup() {
  for ns in $namespaces; do kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1; done
}
trap cleanup EXIT
for ns in $namespaces; do kubectl create namespace "$ns" >/dev/null 2>&1; done

# Every policy of an output accepted by the API server (dry run).
accepted() {
  local name=$1 policy=$2 wanted out rc got
  wanted=$(grep -c '^kind: ScalingPolicy$' <<<"$policy")
  out=$(kubectl apply --dry-run=server -f - <<<"$policy" 2>&1)
  rc=$?
  got=$(grep -c 'created (server dry run)\|configured (server dry run)' <<<"$out")
  if [[ $rc -eq 0 && $wanted -ge 1 && $got -eq $wanted ]]; then
    pass "$name: $got ScalingPolicy accepted by the API server"
  else
    fail "$name: the API server refused the output: $out"
  fi
}

whole=0 partial=0 refused=0 tried=0
for f in "$CORPUS"/*.yaml; do
  name=$(basename "$f" .yaml)
  tried=$((tried + 1))
  policy=$("$BIN" convert "$f" 2>"$HERE/.err.$$")
  rc=$?
  err=$(grep -v ': skipped$\|, skipped$' "$HERE/.err.$$")
  rm -f "$HERE/.err.$$"
  decided=$(grep "^$name | " "$CORPUS/outcomes.txt" | cut -d'|' -f2 | tr -d ' ')
  equals "$name: the exit status decided for it" "${decided:-none}" "$rc"
  case $rc in
    0)
      whole=$((whole + 1))
      equals "$name: nothing said lost on stderr" "" "$err"
      accepted "$name" "$policy"
      ;;
    3)
      partial=$((partial + 1))
      check "$name: stderr names what was not carried over" grep -q ': not carried over: ' <<<"$err"
      policy=$("$BIN" convert --allow-partial "$f" 2>/dev/null)
      equals "$name: --allow-partial exits 0" 0 "$?"
      accepted "$name (--allow-partial)" "$policy"
      ;;
    2)
      refused=$((refused + 1))
      check "$name: stderr names the refused document and why" \
        grep -q "$(basename "$f"): document [0-9]* (ScaledObject\|$(basename "$f"): document [0-9]* (HorizontalPodAutoscaler" <<<"$err"
      ;;
    *) fail "$name: exit $rc: $err" ;;
  esac
done
echo "KEDA corpus: tried $tried, converted whole $whole, partial $partial (exit 3), refused $refused (exit 2)"
check "at least 90 examples tried ($tried)" test "$tried" -ge 90
finish
