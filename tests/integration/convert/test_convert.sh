#!/usr/bin/env bash
# `gearbox-controller convert` against the real API server: the ScalingPolicy printed for every
# manifest of tests/fixtures/convert is accepted by `kubectl apply --dry-run=server` (the CRD's
# schema and CEL rules), and an HPA and a ScaledObject created in the cluster convert
# --from-cluster to the same components as from their files, their outputs accepted too.
# Usage: test_convert.sh [path to gearbox-controller] (default build/...).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
source "$ROOT/tests/lib/assert.sh"
need_cluster
BIN=${1:-${GEARBOX_CONTROLLER:-$ROOT/build/controller/gearbox-controller}}
FIXTURES=$ROOT/tests/fixtures/convert

ns=gearbox-convert-$$
own_keda_crd=false
cleanup() {
  kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1
  $own_keda_crd && kubectl delete -f "$HERE/scaledobject-crd.yaml" --wait=false >/dev/null 2>&1
}
trap cleanup EXIT
kubectl create namespace "$ns" >/dev/null
check "the CRD applies" kubectl apply --server-side --force-conflicts -f "$ROOT/crds/"
check "the CRD is Established" kubectl wait --for=condition=Established --timeout=30s crd/scalingpolicies.gearbox.dev

# Every fixture, as a user would: convert, then apply what it printed (objects without a
# namespace go to kubectl's default, those with one keep it). A fixture that drops a trigger or a
# field (a "# Not carried over" line in its expected output) exits 3, or 0 with --allow-partial.
count=0
for f in "$FIXTURES"/*.yaml; do
  [[ $f == *.expected.yaml ]] && continue
  name=$(basename "$f" .yaml)
  partial=false
  grep -q '^# Not carried over' "${f%.yaml}.expected.yaml" && partial=true
  "$BIN" convert "$f" >/dev/null 2>&1
  rc=$?
  if $partial; then
    equals "convert $name drops something: exit 3" 3 "$rc"
  else
    equals "convert $name: exit 0" 0 "$rc"
  fi
  policy=$("$BIN" convert --allow-partial "$f" 2>/dev/null)
  rc=$?
  if [[ $rc -ne 0 ]]; then
    fail "convert --allow-partial $name: exit $rc"
    continue
  fi
  wanted=$(grep -c '^kind: ScalingPolicy$' <<<"$policy")
  out=$(kubectl apply --dry-run=server -f - <<<"$policy" 2>&1)
  rc=$?
  accepted=$(grep -c 'created (server dry run)\|configured (server dry run)' <<<"$out")
  if [[ $rc -eq 0 && $accepted -eq $wanted ]]; then
    pass "$name: $accepted ScalingPolicy accepted by the API server"
  else
    fail "$name: the API server refused the output: $out"
  fi
  count=$((count + 1))
done
check "at least 9 fixtures converted ($count)" test "$count" -ge 9

# --mode Enforce is accepted too.
out=$("$BIN" convert --mode Enforce "$FIXTURES/hpa-v2-multi.yaml" | kubectl apply --dry-run=server -f - 2>&1)
check "the Enforce output is accepted" grep -q "created (server dry run)" <<<"$out"

# --from-cluster: an HPA created in the cluster, read back through the controller's client.
kubectl apply -n "$ns" -f "$FIXTURES/hpa-cpu.yaml" >/dev/null
policy=$("$BIN" convert --from-cluster hpa/php-apache -n "$ns" 2>&1)
equals "--from-cluster exits 0" 0 "$?"
check "--from-cluster keeps the namespace" grep -q "^  namespace: $ns\$" <<<"$policy"
check "--from-cluster sizes on the HPA's target" grep -q "above: 50  # the HPA's target" <<<"$policy"
check "--from-cluster names its origin" grep -q "HorizontalPodAutoscaler $ns/php-apache" <<<"$policy"
out=$(kubectl apply --dry-run=server -f - <<<"$policy" 2>&1)
check "the --from-cluster output is accepted" grep -q "created (server dry run)" <<<"$out"
# The same rules as from the file (the server adds nothing to an autoscaling/v2 HPA that changes them).
rules() { sed -n '/^  components:/,$p' | grep -v '^#'; }
check "--from-cluster gives the file's components" \
  diff <(rules <"$FIXTURES/hpa-cpu.expected.yaml") <(rules <<<"$policy")

# --from-cluster scaledobject/NAME, with a stand-in for KEDA's CRD when KEDA is not installed.
if ! kubectl get crd scaledobjects.keda.sh >/dev/null 2>&1; then
  own_keda_crd=true
  kubectl apply -f "$HERE/scaledobject-crd.yaml" >/dev/null
  kubectl wait --for=condition=Established --timeout=30s crd/scaledobjects.keda.sh >/dev/null
fi
eventually 30 "a ScaledObject can be created" kubectl apply -n "$ns" -f "$FIXTURES/so-redis-zero.yaml"
# Its password came from a TriggerAuthentication, which --from-cluster does not read: exit 3, and
# stderr names the field to set.
policy=$("$BIN" convert --from-cluster scaledobject/redis-scaledobject -n "$ns" 2>"$HERE/.err.$$")
equals "--from-cluster scaledobject exits 3 (the password's Secret to set)" 3 "$?"
check "and stderr says which field" grep -q "not carried over: spec.sources.redis.url: KEDA took the password from TriggerAuthentication keda-trigger-auth-redis-secret" "$HERE/.err.$$"
rm -f "$HERE/.err.$$"
check "--from-cluster scaledobject keeps scale to zero" grep -q "^      scaleToZero:" <<<"$policy"
out=$(kubectl apply --dry-run=server -f - <<<"$policy" 2>&1)
check "the ScaledObject's --from-cluster output is accepted" grep -q "created (server dry run)" <<<"$out"
check "--from-cluster scaledobject gives the file's components" \
  diff <(rules <"$FIXTURES/so-redis-zero.expected.yaml") <(rules <<<"$policy")

"$BIN" convert --from-cluster hpa/no-such-hpa -n "$ns" >/dev/null 2>"$HERE/.err.$$"
rc=$?
err=$(cat "$HERE/.err.$$")
rm -f "$HERE/.err.$$"
equals "a missing object exits 2" 2 "$rc"
check "and says it is not found" grep -q "hpa/no-such-hpa not found in namespace $ns" <<<"$err"

finish
