#!/usr/bin/env bash
# The ScalingPolicy CRD against the real API server: every example is accepted, every mistake of
# the corpus in invalid/ is rejected with the message its "# expect:" line names, defaults are
# applied, kubectl explain documents the fields, and the printer columns show.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
source "$ROOT/tests/lib/assert.sh"
need_cluster

ns=gearbox-crd-$$
trap 'kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1' EXIT
kubectl create namespace "$ns" >/dev/null

check "the CRD applies" kubectl apply --server-side --force-conflicts -f "$ROOT/crds/"
check "the CRD is Established" kubectl wait --for=condition=Established --timeout=30s crd/scalingpolicies.gearbox.dev

for f in "$ROOT"/manifests/examples/*.yaml; do
  out=$(kubectl apply -n "$ns" --dry-run=server -f "$f" 2>&1)
  if [[ $? -eq 0 ]]; then pass "example accepted: $(basename "$f")"; else fail "example $(basename "$f") rejected: $out"; fi
done

count=0
for f in "$HERE"/invalid/*.yaml; do
  count=$((count + 1))
  expect=$(sed -n 's/^# expect: //p' "$f" | head -n 1)
  if [[ -z $expect ]]; then
    fail "$(basename "$f") has no '# expect:' line"
    continue
  fi
  out=$(kubectl apply -n "$ns" --dry-run=server -f "$f" 2>&1)
  rc=$?
  if [[ $rc -eq 0 ]]; then
    fail "$(basename "$f") was accepted; it should fail with: $expect"
  elif [[ $out != *"$expect"* ]]; then
    fail "$(basename "$f") was rejected, but not with '$expect': $out"
  else
    pass "rejected $(basename "$f" .yaml): $expect"
  fi
done
check "the corpus holds at least 15 mistakes ($count)" test "$count" -ge 15

# Defaults: a minimal policy comes back filled in.
minimal=$(cat <<'YAML'
apiVersion: gearbox.dev/v1alpha1
kind: ScalingPolicy
metadata: {name: minimal}
spec:
  metrics: [{name: cpu, resource: {component: web}}]
  components:
    - name: web
      target: {apiVersion: apps/v1, kind: Deployment, name: web}
      replicas: {min: 1, max: 3}
      scaleUp: {anyOf: [{metric: cpu, above: 70}]}
      behavior: {scaleDown: {}}
YAML
)
json=$(kubectl apply -n "$ns" --dry-run=server -o json -f - <<<"$minimal")
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" <<<"$json"; }
equals "default interval" 15s "$(field "d['spec']['interval']")"
equals "default mode" Enforce "$(field "d['spec']['mode']")"
equals "default role" workload "$(field "d['spec']['components'][0]['role']")"
equals "default resource name" cpu "$(field "d['spec']['metrics'][0]['resource']['name']")"
equals "default perReplica" False "$(field "d['spec']['components'][0]['scaleUp']['anyOf'][0]['perReplica']")"
# behavior's fields are not defaulted by the schema (the engine defaults them): a defaulted maxPods
# would make a pasted HPA block (policies) a mix of the two forms, which is refused, and would
# turn this empty scaleDown, the HPA's defaults (docs/engine.md), into Gearbox's form.
equals "behavior is not filled in" "{}" "$(field "json.dumps(d['spec']['components'][0]['behavior']['scaleDown'])")"

# kubectl explain documents the API.
explain=$(kubectl explain scalingpolicy.spec.components.scaleUp 2>&1)
check "explain documents scaleUp" grep -q "exactly one of anyOf or allOf" <<<"$explain"
explain=$(kubectl explain scalingpolicy.spec.phases.hold 2>&1)
check "explain documents phases.hold" grep -q "hysteresis" <<<"$explain"
explain=$(kubectl explain scalingpolicy.spec.components.behavior.scaleUp 2>&1)
check "explain documents the HPA form of behavior" grep -q "selectPolicy" <<<"$explain"
# (its lines are wrapped: the words are compared with the whitespace folded)
explain=$(kubectl explain scalingpolicy.spec.components.scaleUp.anyOf.target 2>&1 | tr -s ' \n' '  ')
check "explain documents a rule's target" grep -qF "ceil(ready pods x value / target)" <<<"$explain"
explain=$(kubectl explain scalingpolicy.spec.components.scaleToZero 2>&1)
check "explain documents scaleToZero" grep -q "activationThreshold" <<<"$explain"
explain=$(kubectl explain scalingpolicy.spec.components.fallback 2>&1)
check "explain documents fallback" grep -q "failureThreshold" <<<"$explain"
explain=$(kubectl explain scalingpolicy.spec.schedules 2>&1)
check "explain documents schedules" grep -q "cron" <<<"$explain"
undocumented=$(kubectl get crd scalingpolicies.gearbox.dev -o json | python3 -c '
import json, sys
crd = json.load(sys.stdin)
missing = []
def walk(node, path):
    for name, child in (node.get("properties") or {}).items():
        p = path + "." + name
        if name not in ("apiVersion", "kind", "metadata") and not child.get("description"):
            missing.append(p)
        walk(child, p)
    if isinstance(node.get("items"), dict):
        walk(node["items"], path + "[]")
    if isinstance(node.get("additionalProperties"), dict):
        walk(node["additionalProperties"], path + "{}")
walk(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"], "")
print(" ".join(missing))')
equals "every field has a description" "" "$undocumented"

# The real thing: created, listed by short name and category, printer columns shown.
kubectl apply -n "$ns" -f "$ROOT/manifests/examples/storefront.yaml" >/dev/null
table=$(kubectl get sp -n "$ns" 2>&1)
check "kubectl get sp shows the Phase, Replicas, Mode, Ready and Age columns" \
  grep -qE "^NAME +PHASE +REPLICAS +MODE +READY +AGE$" <<<"$table"
wide=$(kubectl get sp -n "$ns" -o wide 2>&1)
check "-o wide adds Pending, Reason and Metrics" \
  grep -qE "^NAME +PHASE +REPLICAS +MODE +READY +PENDING +REASON +METRICS +AGE$" <<<"$wide"
check "the category gearbox lists it" grep -q storefront <<<"$(kubectl get gearbox -n "$ns" 2>&1)"
check "status is a subresource (spec changes do not touch it)" \
  kubectl patch sp storefront -n "$ns" --subresource=status --type=merge -p '{"status":{"phase":"Small"}}'
equals "status written through /status" Small "$(kubectl get sp storefront -n "$ns" -o jsonpath='{.status.phase}')"
# The summary and the columns' strings as the controller writes them: kept by the schema (not
# pruned), shown by the columns, and the summary first under Status in kubectl describe.
check "the summary and the column strings are accepted" \
  kubectl patch sp storefront -n "$ns" --subresource=status --type=merge -p \
  '{"status":{"abstract":["Phase Small: users 400 < 1000","app 2 → 3 (2..5): cpu 82 above 70"],"replicaCounts":"app 2/3 worker 2/2","metricValues":"cpu 82 users 400","alerts":[{"name":"ErrorRate","value":7}],"timers":[{"key":"app/lastScaleUp","since":"2026-11-30T06:42:54Z"}]}}'
equals "the Replicas column" "app 2/3 worker 2/2" \
  "$(kubectl get sp storefront -n "$ns" --no-headers -o custom-columns=R:.status.replicaCounts)"
check "the Metrics column of -o wide shows metricValues" grep -q "cpu 82 users 400" <<<"$(kubectl get sp -n "$ns" -o wide)"
described=$(kubectl describe sp storefront -n "$ns")
equals "kubectl describe lists the summary first under Status" \
  "Status:|  Abstract:|    Phase Small: users 400 < 1000|    app 2 → 3 (2..5): cpu 82 above 70|  Alerts:" \
  "$(sed -n '/^Status:/,+4p' <<<"$described" | paste -sd'|')"

finish
