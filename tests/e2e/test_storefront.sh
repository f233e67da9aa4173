#!/usr/bin/env bash
# The user's path, end to end, with durations shortened: the CRD applied with kubectl, the chart
# installed with helm, the controller running out of cluster with the chart's ServiceAccount token
# (so the chart's RBAC is what is exercised), the storefront policy and its workloads, and the load
# simulator driving users, CPU, latency and a real Bull queue through all four phases and back.
# Asserts each phase, every component within its bounds, topology order both ways, the Events and
# conditions, that the DryRun policy never changes its target, and the decision latency.
#
#   tests/e2e/test_storefront.sh PATH_TO_gearbox-controller
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/tests/lib/assert.sh"
need_cluster
BIN=${1:-$ROOT/build/controller/gearbox-controller}
WORK=${GEARBOX_E2E_DIR:-/tmp/gearbox-e2e}
NS=shop
export REDIS_PORT=${E2E_REDIS_PORT:-26479} PROM_PORT=${E2E_PROM_PORT:-29190}
LOADSIM_PORT=${E2E_LOADSIM_PORT:-19190} METRICS_PORT=${E2E_METRICS_PORT:-18180} PROBE_PORT=${E2E_PROBE_PORT:-18181}
export GEARBOX_SERVICES_DIR=$WORK/services SCRAPE_TARGETS=127.0.0.1:$LOADSIM_PORT
t0=$(date +%s)
log() { echo "[e2e $(($(date +%s) - t0))s] $*"; }

cleanup() {
  [[ -f $WORK/controller.pid ]] && kill "$(cat "$WORK/controller.pid")" 2>/dev/null
  [[ -f $WORK/loadsim.pid ]] && kill "$(cat "$WORK/loadsim.pid")" 2>/dev/null
  bash "$ROOT/hack/services.sh" down >/dev/null 2>&1
  helm uninstall gearbox -n gearbox-system >/dev/null 2>&1
  kubectl delete namespace "$NS" gearbox-system --wait=false >/dev/null 2>&1
  true
}
trap cleanup EXIT
cleanup
rm -rf "$WORK" && mkdir -p "$WORK"
for i in $(seq 90); do  # a namespace being deleted accepts nothing new
  kubectl get ns "$NS" >/dev/null 2>&1 || kubectl get ns gearbox-system >/dev/null 2>&1 || break
  sleep 1
done
# setup STEP CMD...: a step without which the rest cannot run
setup() { check "$@" || { finish; exit 1; }; }

# ---- install, as a user does ----
setup "kubectl apply -f crds/" kubectl apply --server-side --force-conflicts -f "$ROOT/crds/"
kubectl apply -f "$ROOT/tests/fixtures/crds/" >/dev/null
kubectl wait --for=condition=Established --timeout=30s crd --all >/dev/null
setup "helm install (controller run out of cluster: replicaCount=0)" \
  helm install gearbox "$ROOT/charts/gearbox" -n gearbox-system --create-namespace \
  --set replicaCount=0 --set podDisruptionBudget.enabled=false --set crds.install=false --wait --timeout 60s
setup "a ServiceAccount kubeconfig from TokenRequest" \
  bash "$ROOT/hack/sa-kubeconfig.sh" gearbox-system gearbox "$WORK/sa.kubeconfig" 2h
bash "$ROOT/hack/services.sh" up || { fail "Redis and Prometheus did not start"; finish; exit 1; }
export PROMETHEUS_URL=http://127.0.0.1:$PROM_PORT REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0

kubectl create namespace "$NS" >/dev/null
setup "the workloads apply" kubectl -n "$NS" apply -f "$HERE/workloads.yaml"
sed -e "s|\${PROMETHEUS_URL}|$PROMETHEUS_URL|g" -e "s|\${REDIS_URL}|$REDIS_URL|g" \
  "$HERE/storefront-fast.yaml" >"$WORK/policies.yaml"
setup "the policies apply" kubectl -n "$NS" apply -f "$WORK/policies.yaml"

"$BIN" --kubeconfig "$WORK/sa.kubeconfig" --leader-elect --leader-election-namespace gearbox-system \
  --leader-election-id gearbox --metrics-bind-address "127.0.0.1:$METRICS_PORT" \
  --health-probe-bind-address "127.0.0.1:$PROBE_PORT" --source-allow 127.0.0.0/8 --metrics-secure=false \
  --log-format text >"$WORK/controller.log" 2>&1 &
echo $! >"$WORK/controller.pid"
eventually 30 "the controller is ready (/readyz)" curl -fs "http://127.0.0.1:$PROBE_PORT/readyz" ||
  { tail -n 20 "$WORK/controller.log"; finish; exit 1; }
eventually 30 "it leads (the chart's Lease)" bash -c \
  "kubectl -n gearbox-system get lease gearbox -o jsonpath='{.spec.holderIdentity}' | grep -q ."

# ---- the decision latency, on its own policy, before the story starts ----
log "measuring the decision latency"
if python3 "$HERE/measure_latency.py" "$NS" "$REDIS_PORT" | tee "$WORK/latency.txt"; then
  pass "decision latency under 2 s ($(tail -n 1 "$WORK/latency.txt"))"
else
  fail "decision latency: $(tail -n 1 "$WORK/latency.txt")"
fi

# ---- the story ----
NODE_PATH=$(bash "$ROOT/hack/node-deps.sh" path) REDIS_URL=$REDIS_URL node "$ROOT/hack/loadsim/loadsim.js" \
  --namespace "$NS" --port "$LOADSIM_PORT" --ready-delay 2000 \
  --scenario 30:400,60:5000,70:50000,70:300000,60:50000,60:5000,600:400 >"$WORK/loadsim.log" 2>&1 &
echo $! >"$WORK/loadsim.pid"

sp() { kubectl -n "$NS" get sp storefront -o jsonpath="$1"; }
comp() { kubectl -n "$NS" get sp storefront -o jsonpath="{.status.components[?(@.name==\"$1\")].$2}"; }
snapshot() {
  {
    echo "### $1"
    echo '$ kubectl get scalingpolicies -n shop'
    kubectl -n "$NS" get scalingpolicies
    echo '$ kubectl describe scalingpolicy storefront -n shop'
    kubectl -n "$NS" describe scalingpolicy storefront
    echo
  } >>"$WORK/snapshots.txt"
}
settled() {  # settled PHASE: the phase is committed and the topology has caught up with it
  [[ $(sp '{.status.phase}') == "$1" && $(sp '{.status.topology.workloadPhase}') == "$1" &&
    -z $(sp '{.status.topology.inFlight.component}') ]]
}
dry_run_untouched() { [[ $(kubectl -n "$NS" get deploy storefront-admin -o jsonpath='{.spec.replicas}') == 2 ]]; }
# within PHASE APPMIN APPMAX WORKERMIN WORKERMAX DB REDIS
within() {
  local phase=$1 amin=$2 amax=$3 wmin=$4 wmax=$5 db=$6 redis=$7 ok=1
  [[ $(comp app minReplicas) == "$amin" && $(comp app maxReplicas) == "$amax" ]] || ok=0
  [[ $(comp worker minReplicas) == "$wmin" && $(comp worker maxReplicas) == "$wmax" ]] || ok=0
  local app worker
  app=$(kubectl -n "$NS" get deploy storefront-app -o jsonpath='{.spec.replicas}')
  worker=$(kubectl -n "$NS" get deploy storefront-worker -o jsonpath='{.spec.replicas}')
  ((app >= amin && app <= amax && worker >= wmin && worker <= wmax)) || ok=0
  [[ $(kubectl -n "$NS" get clusters.postgresql.cnpg.io storefront-db -o jsonpath='{.spec.instances}') == "$db" ]] || ok=0
  [[ $(kubectl -n "$NS" get redisclusters.redis.redis.opstreelabs.in storefront-cache -o jsonpath='{.spec.clusterSize}') == "$redis" ]] || ok=0
  ((ok)) && echo "$phase: app $app in $amin..$amax, worker $worker in $wmin..$wmax, database $db, redis $redis"
  ((ok))
}
phase_step() {  # phase_step PHASE TIMEOUT BOUNDS...
  local phase=$1 timeout=$2
  shift 2
  log "waiting for phase $phase"
  eventually "$timeout" "phase $phase, topology settled" settled "$phase"
  eventually 30 "$phase: every component within its bounds" within "$phase" "$@"
  check "$phase: the DryRun target is untouched" dry_run_untouched
}

phase_step Small 60 2 2 2 2 1 1
phase_step Medium 90 3 5 3 5 1 1
snapshot "Medium, on the way up"
phase_step Large 120 5 10 5 10 3 3
phase_step Enterprise 120 10 20 20 50 5 6
snapshot "Enterprise, at the peak"
eventually 30 "an alert fires at the peak (AlertFiring=True)" bash -c \
  "kubectl -n $NS get sp storefront -o jsonpath='{.status.conditions[?(@.type==\"AlertFiring\")].status}' | grep -q True"
phase_step Large 120 5 10 5 10 3 3
phase_step Medium 120 3 5 3 5 1 1
phase_step Small 120 2 2 2 2 1 1
snapshot "Small again, after the peak"

# ---- the record: Events and conditions ----
events() {  # the notes of the storefront policy's Events with this reason, oldest first
  kubectl -n "$NS" get events.events.k8s.io -o json | python3 -c '
import json, sys
items = [e for e in json.load(sys.stdin)["items"]
         if e["regarding"]["name"] == sys.argv[1] and e["reason"] == sys.argv[2]]
items.sort(key=lambda e: e.get("eventTime") or e["metadata"]["creationTimestamp"])
print("\n".join(e["note"] for e in items))' "${2:-storefront}" "$1"
}
topology=$(events TopologyResize)
echo "$topology" | sed 's/^/  topology: /'
expected_topology="database 1 -> 3 for phase Large
redis 1 -> 3 for phase Large
database 3 -> 5 for phase Enterprise
redis 3 -> 6 for phase Enterprise
redis 6 -> 3 for phase Large
database 5 -> 3 for phase Large
redis 3 -> 1 for phase Medium
database 3 -> 1 for phase Medium"
equals "topology order: database then redis going up, the reverse going down" "$expected_topology" "$topology"
for reason in ScaledUp ScaledDown PhaseChanged PhasePending TopologyReady AlertFiring AlertResolved; do
  check "an Event $reason was recorded" test -n "$(events "$reason")"
done
# Issue 12, case 9: a rate limit is a budget per period (here the defaults: maxPods 1, maxPercent
# 10 per 2 s, the interval), whatever triggers the evaluations. Every window of one period holds no
# more rule-driven removals than the budget at its start (a quarter second allowed for the Events'
# clocks). A count above a smaller phase's maximum goes to it at once: the bounds win over the rate
# limits, as the HPA's minReplicas/maxReplicas do.
scale_down_budget() {
  kubectl -n "$NS" get events.events.k8s.io -o json | python3 -c '
import json, re, sys
from datetime import datetime
period, max_pods, max_percent = 2.0, 1, 10
def at(e):
    return datetime.fromisoformat((e.get("eventTime") or e["metadata"]["creationTimestamp"]).replace("Z", "+00:00")).timestamp()
downs = {}
for e in json.load(sys.stdin)["items"]:
    if e["regarding"]["name"] != "storefront" or e["reason"] != "ScaledDown": continue
    if "above the maximum of" in e["note"]: continue
    m = re.match(r"(\w+) (\d+) -> (\d+):", e["note"])
    if m: downs.setdefault(m[1], []).append((at(e), int(m[2]), int(m[3])))
worst = []
for comp, evs in downs.items():
    evs.sort()
    for i, (t, _, _) in enumerate(evs):
        window = [x for x in evs[: i + 1] if x[0] > t - (period - 0.25)]
        start = window[0][1]
        removed = sum(f - to for _, f, to in window)
        budget = max(max_pods, int(start * max_percent / 100))
        worst.append((removed - budget, comp, removed, budget, start))
        if removed > budget:
            print(f"{comp}: {removed} removed within {period}s from {start}, budget {budget}")
            sys.exit(1)
w = max(worst) if worst else None
print(f"{sum(len(v) for v in downs.values())} scale-downs; tightest window: " + (f"{w[1]} {w[2]} removed of a budget of {w[3]} (from {w[4]})" if w else "none"))'
}
budget_report=$(scale_down_budget)
check "Case9: scale-downs keep to the budget per period ($budget_report)" scale_down_budget
check "the DryRun policy reported what it would do (WouldScaleUp)" test -n "$(events WouldScaleUp admin-dry-run)"
check "the DryRun target never changed" dry_run_untouched
equals "DryRun status says so" DryRun \
  "$(kubectl -n "$NS" get sp admin-dry-run -o jsonpath='{.status.conditions[?(@.type=="AbleToScale")].reason}')"
equals "Ready=True" True "$(sp '{.status.conditions[?(@.type=="Ready")].status}')"
equals "MetricsAvailable=True" True "$(sp '{.status.conditions[?(@.type=="MetricsAvailable")].status}')"
gearbox_events() {  # "COUNT DISTINCT": the Events about ScalingPolicies, and how many differ
  kubectl -n "$NS" get events.events.k8s.io -o json | python3 -c '
import json, sys
items = [e for e in json.load(sys.stdin)["items"] if e["regarding"]["kind"] == "ScalingPolicy"]
print(len(items), len({(e["regarding"]["name"], e["reason"], e["note"]) for e in items}))'
}
read -r n_events n_distinct <<<"$(gearbox_events)"
log "$n_events Events about the policies, $n_distinct distinct"
check "no Event is repeated per evaluation: repeats are one Event with a count ($n_events Events)" \
  test "$n_events" -eq "$n_distinct" -a "$n_events" -lt 150
decisions_counted() {  # a series of app's scale-ups, its labels in any order (they are sorted)
  local scrape
  scrape=$(curl -fs "http://127.0.0.1:$METRICS_PORT/metrics") || return 1
  grep '^gearbox_scaling_decisions_total{' <<<"$scrape" | grep 'namespace="shop"' |
    grep 'policy="storefront"' | grep 'component="app"' | grep 'direction="up"' >/dev/null
}
check "the controller's /metrics counts the decisions" decisions_counted
# The chart's alerts (all of them, the stack alerts too) and its Grafana dashboard query only what
# this controller exports: every metric name they read is in its /metrics after the story.
queried_metrics_exported() {
  curl -fs "http://127.0.0.1:$METRICS_PORT/metrics" >"$WORK/metrics.prom" || return 1
  helm template gearbox "$ROOT/charts/gearbox" -n gearbox-system --kube-version v1.36.3 \
    --set metrics.prometheusRule.enabled=true --set metrics.prometheusRule.stackAlerts.enabled=true \
    --show-only templates/prometheusrule.yaml >"$WORK/rules.yaml" 2>/dev/null || return 1
  python3 "$ROOT/hack/check-metric-names.py" --dashboard "$ROOT/charts/gearbox/dashboards/gearbox.json" \
    --rules "$WORK/rules.yaml" --scrape "$WORK/metrics.prom"
}
check "every metric the chart's alerts and dashboard query is on the controller's /metrics" \
  queried_metrics_exported
check "the controller never logged an error" bash -c "! grep -E ' error ' '$WORK/controller.log'"

cat "$WORK/snapshots.txt"
log "done"
finish
