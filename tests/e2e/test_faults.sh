#!/usr/bin/env bash
# Faults on the real control plane (issue 12): two controllers electing a leader under the chart's
# RBAC, policies whose metrics say "no change" (tests/e2e/faults.yaml), and one fault at a time:
#   1. the chart's ClusterRole loses every read of Deployments (the 403 that once cut 6 pods to 2);
#   2. kube-apiserver restarted in the middle of a phase change;
#   3. the leader killed (SIGKILL) while its topology step is in flight;
#   4. Prometheus stopped for 4 intervals;  5. Redis stopped;
#   6. one Prometheus source that answers after 60 s, all along.
# In each: no target moves (no write the metrics do not justify), no topology step twice, the
# other policies keep their interval, and everything converges once the fault is gone. The replicas
# before, during and after each fault are printed.
#
#   tests/e2e/test_faults.sh PATH_TO_gearbox-controller
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/tests/lib/assert.sh"
need_cluster
BIN=${1:-$ROOT/build/controller/gearbox-controller}
WORK=${GEARBOX_FAULTS_DIR:-/tmp/gearbox-faults}
NS=faults REL=gearbox-faults
export REDIS_PORT=${FAULTS_REDIS_PORT:-26579} PROM_PORT=${FAULTS_PROM_PORT:-29290}
SLOW_PORT=${FAULTS_SLOW_PORT:-19291}
export GEARBOX_SERVICES_DIR=$WORK/services
t0=$(date +%s)
log() { echo "[faults $(($(date +%s) - t0))s] $*"; }

cleanup() {
  rm -f "$WORK"/*.run
  for f in "$WORK"/*.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null; done
  bash "$ROOT/hack/services.sh" down >/dev/null 2>&1
  helm uninstall "$REL" -n "$REL" >/dev/null 2>&1
  kubectl delete namespace "$NS" "$REL" --wait=false >/dev/null 2>&1
  true
}
trap cleanup EXIT
cleanup
rm -rf "$WORK" && mkdir -p "$WORK"
for _ in $(seq 90); do # a namespace being deleted accepts nothing new
  kubectl get ns "$NS" >/dev/null 2>&1 || kubectl get ns "$REL" >/dev/null 2>&1 || break
  sleep 1
done
setup() { check "$@" || { finish; exit 1; }; }

# ---- set-up: the CRDs, the chart, Redis, Prometheus, a Prometheus that never answers in time ----
setup "kubectl apply -f crds/" kubectl apply --server-side --force-conflicts -f "$ROOT/crds/"
kubectl apply -f "$ROOT/tests/fixtures/crds/" >/dev/null
kubectl wait --for=condition=Established --timeout=30s crd --all >/dev/null
setup "helm install (controllers run out of cluster)" \
  helm install "$REL" "$ROOT/charts/gearbox" -n "$REL" --create-namespace \
  --set replicaCount=0 --set podDisruptionBudget.enabled=false --set crds.install=false --wait --timeout 60s
setup "a ServiceAccount kubeconfig" bash "$ROOT/hack/sa-kubeconfig.sh" "$REL" "$REL" "$WORK/sa.kubeconfig" 2h
bash "$ROOT/hack/services.sh" up || { fail "Redis and Prometheus did not start"; finish; exit 1; }
python3 -c '
import http.server, sys, time
class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(60)
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Slow).serve_forever()' "$SLOW_PORT" &
echo $! >"$WORK/slow.pid"

rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
fill() { rcli eval "redis.call('del', KEYS[1]) for i = 1, tonumber(ARGV[1]) do redis.call('rpush', KEYS[1], i) end" 1 "$1" "$2" >/dev/null; }
fill jobs 500
fill users 10
kubectl create namespace "$NS" >/dev/null
sed -e "s|\${PROMETHEUS_URL}|http://127.0.0.1:$PROM_PORT|g" -e "s|\${REDIS_URL}|redis://127.0.0.1:$REDIS_PORT/0|g" \
  -e "s|\${SLOW_URL}|http://127.0.0.1:$SLOW_PORT|g" "$HERE/faults.yaml" >"$WORK/faults.yaml"
setup "the workloads and policies apply" kubectl -n "$NS" apply -f "$WORK/faults.yaml"
kubectl -n "$NS" patch clusters.postgresql.cnpg.io db --subresource=status --type=merge \
  -p '{"status":{"instances":1,"readyInstances":1}}' >/dev/null

replicas() { kubectl -n "$NS" get deploy "$1" -o jsonpath='{.spec.replicas}'; }
instances() { kubectl -n "$NS" get clusters.postgresql.cnpg.io db -o jsonpath='{.spec.instances}'; }
counts() { echo "app $(replicas app), worker $(replicas worker), web $(replicas web), slowapp $(replicas slowapp), database $(instances)"; }
condition() { kubectl -n "$NS" get sp "$1" -o jsonpath="{.status.conditions[?(@.type==\"$2\")].status}"; }
is() { [[ $(condition "$1" "$2") == "$3" ]]; }
unchanged() { [[ $(counts) == "$1" ]]; }
holds() { # holds SECONDS EXPECTED: the counts stay EXPECTED for that long (checked every 0.5 s)
  local i
  for ((i = 0; i < $1 * 2; i++)); do [[ $(counts) == "$2" ]] || { echo "moved: $(counts)"; return 1; }; sleep 0.5; done
}
report() { echo "  $1: before [$2], during [$3], after [$(counts)]" | tee -a "$WORK/figures.txt"; }

# start_controller NAME: a candidate for the chart's Lease, started again a second after it exits
# (as the kubelet would: a replica that cannot prove its Lease exits, e.g. across an API restart).
start_controller() {
  touch "$WORK/$1.run"
  (
    while [[ -f $WORK/$1.run ]]; do
      "$BIN" --kubeconfig "$WORK/sa.kubeconfig" --leader-elect --leader-election-namespace "$REL" \
        --leader-election-id "$REL" --metrics-bind-address 0 --health-probe-bind-address 0 \
        --source-allow 127.0.0.0/8 --metrics-secure=false \
        --log-format text >>"$WORK/$1.log" 2>&1 &
      echo $! >"$WORK/$1.pid"
      wait $!
      echo "[supervisor] exited with $?" >>"$WORK/$1.log"
      sleep 1
    done
  ) &
  echo $! >"$WORK/$1.supervisor.pid"
}
# The controller (c1 or c2) whose identity holds the Lease now.
leader() {
  local holder
  holder=$(kubectl -n "$REL" get lease "$REL" -o jsonpath='{.spec.holderIdentity}')
  [[ -n $holder ]] && grep -l "identity=$holder\$" "$WORK"/c1.log "$WORK"/c2.log | tail -n 1 | xargs -r basename | sed 's/\.log$//'
}

# ---- 1. the ClusterRole loses every read of Deployments ----
kubectl get clusterrole "$REL" -o json >"$WORK/clusterrole.json"
python3 -c '
import json, sys
role = json.load(open(sys.argv[1]))
role["rules"] = [r for r in role["rules"] if not any(x.startswith("deployments") for x in r.get("resources", []))]
del role["metadata"]["resourceVersion"]
json.dump(role, open(sys.argv[2], "w"))' "$WORK/clusterrole.json" "$WORK/clusterrole-no-deployments.json"
setup "fault 1: get/list/watch of deployments and deployments/scale removed from the ClusterRole" \
  kubectl replace -f "$WORK/clusterrole-no-deployments.json"
before=$(counts)
start_controller c1
start_controller c2
eventually 40 "a controller leads" bash -c "grep -q leading '$WORK/c1.log' '$WORK/c2.log'"
eventually 30 "fault 1: the unreadable target is reported (steady: Ready=False)" is steady Ready False
log "steady says: $(kubectl -n "$NS" get sp steady -o jsonpath='{.status.conditions[?(@.type=="Ready")].message}')"
check "Case1: fault 1: no Deployment moves for 10 s (5 intervals) while they cannot be read" holds 10 "$before"
during=$(counts)
python3 -c '
import json, sys
role = json.load(open(sys.argv[1])); del role["metadata"]["resourceVersion"]
json.dump(role, open(sys.argv[2], "w"))' "$WORK/clusterrole.json" "$WORK/clusterrole-restored.json"
setup "fault 1 over: the ClusterRole restored" kubectl replace -f "$WORK/clusterrole-restored.json"
eventually 90 "fault 1: converges after recovery (steady: Ready=True)" is steady Ready True
check "fault 1: and still nothing moved" unchanged "$before"
report "fault 1 (no read of Deployments)" "$before" "$during"

# ---- 2. kube-apiserver restarted during a phase change; 3. the leader killed mid-step ----
before=$(counts)
fill users 500
log "users 500: phase Large is due in 10 s (its hold); restarting kube-apiserver now"
setup "fault 2: kube-apiserver restarted" bash "$ROOT/hack/cluster.sh" restart kube-apiserver
during=$(counts)
eventually 60 "fault 2: phase Large is committed after the restart" bash -c \
  "[[ \$(kubectl -n $NS get sp roadmap -o jsonpath='{.status.phase}') == Large ]]"
eventually 30 "fault 2: the database step 1 -> 3 is written (in flight)" bash -c \
  "[[ \$(kubectl -n $NS get sp roadmap -o jsonpath='{.status.topology.inFlight.to}') == 3 && \$(kubectl -n $NS get clusters.postgresql.cnpg.io db -o jsonpath='{.spec.instances}') == 3 ]]"
report "fault 2 (kube-apiserver restart in a phase change)" "$before" "$during"
check "fault 2: web keeps Small's bounds while the database step is in flight" test "$(replicas web)" = 2

before=$(counts)
old=$(leader)
holder=$(kubectl -n "$REL" get lease "$REL" -o jsonpath='{.spec.holderIdentity}')
log "killing the leader ($old, $holder) while the database step is in flight"
setup "fault 3: the leader killed (SIGKILL: no release of the Lease)" kill -9 "$(cat "$WORK/$old.pid")"
eventually 45 "fault 3: another candidate takes the Lease" bash -c \
  "h=\$(kubectl -n $REL get lease $REL -o jsonpath='{.spec.holderIdentity}'); [[ -n \$h && \$h != $holder ]]"
during=$(counts)
check "fault 3: the step is still in flight under the new leader" bash -c \
  "[[ \$(kubectl -n $NS get sp roadmap -o jsonpath='{.status.topology.inFlight.to}') == 3 ]]"
kubectl -n "$NS" patch clusters.postgresql.cnpg.io db --subresource=status --type=merge \
  -p '{"status":{"instances":3,"readyInstances":3}}' >/dev/null
eventually 30 "fault 3: the step completes under the new leader (web gets Large's 4)" bash -c \
  "[[ \$(kubectl -n $NS get deploy web -o jsonpath='{.spec.replicas}') == 4 && -z \$(kubectl -n $NS get sp roadmap -o jsonpath='{.status.topology.inFlight.component}') ]]"
resizes() {
  kubectl -n "$NS" get events.events.k8s.io -o json | python3 -c '
import json, sys
n = 0
for e in json.load(sys.stdin)["items"]:
    if e["regarding"]["name"] == "roadmap" and e["reason"] == "TopologyResize":
        n += (e.get("series") or {}).get("count", 1)
print(n)'
}
equals "fault 3: the database step was taken once, never twice (TopologyResize Events)" 1 "$(resizes)"
report "fault 3 (leader killed mid-step)" "$before" "$during"

# ---- 4. Prometheus stopped for 4 intervals ----
before=$(counts)
bash "$ROOT/hack/services.sh" stop prometheus
eventually 10 "fault 4: the missing metric is reported (steady: MetricsAvailable=False)" is steady MetricsAvailable False
check "fault 4: nothing moves for 8 s without Prometheus" holds 8 "$before"
during=$(counts)
bash "$ROOT/hack/services.sh" start prometheus
eventually 30 "fault 4: converges after recovery (MetricsAvailable=True)" is steady MetricsAvailable True
check "fault 4: and nothing moved" unchanged "$before"
report "fault 4 (Prometheus stopped)" "$before" "$during"

# ---- 5. Redis stopped (its lists are lost with it: the test fills them again at once) ----
before=$(counts)
bash "$ROOT/hack/services.sh" stop redis-server
eventually 10 "fault 5: the missing metric is reported (queue: MetricsAvailable=False)" is queue MetricsAvailable False
check "fault 5: nothing moves for 8 s without Redis (the phase holds, the workers stay)" holds 8 "$before"
during=$(counts)
bash "$ROOT/hack/services.sh" start redis-server
fill jobs 500
fill users 500
eventually 30 "fault 5: converges after recovery (queue: MetricsAvailable=True)" is queue MetricsAvailable True
check "fault 5: and nothing moved" holds 6 "$before"
report "fault 5 (Redis stopped)" "$before" "$during"

# ---- 6. a source that answers after 60 s, all along ----
llen_calls() { rcli info commandstats | sed -n 's/^cmdstat_llen:calls=\([0-9]*\),.*/\1/p'; }
a=$(llen_calls)
sleep 20
b=$(llen_calls)
log "LLEN calls in 20 s while slow's Prometheus hangs: $((b - a)) (queue and roadmap at 2 s: 20 expected)"
echo "  fault 6 (a Prometheus answering after 60 s): $((b - a)) Redis reads by the other policies in 20 s (20 at their interval)" >>"$WORK/figures.txt"
check "fault 6: the other policies keep their interval (>= 14 of 20 reads in 20 s)" test "$((b - a))" -ge 14
equals "fault 6: the slow source is reported missing" False "$(condition slow MetricsAvailable)"
log "slow says: $(kubectl -n "$NS" get sp slow -o jsonpath='{.status.conditions[?(@.type=="MetricsAvailable")].message}')"
equals "fault 6: slowapp never moved" 4 "$(replicas slowapp)"

check "no controller wrote a replica count down to 0 or logged a crash" bash -c \
  "! grep -qE 'terminate called|Segmentation|-> 0:' '$WORK'/c1.log '$WORK'/c2.log"
log "controller runs: c1 $(grep -c 'waiting to lead' "$WORK/c1.log"), c2 $(grep -c 'waiting to lead' "$WORK/c2.log"); exits: $(grep -h 'supervisor\] exited' "$WORK"/c1.log "$WORK"/c2.log | tr '\n' ' ')"
echo "replicas per fault:"
cat "$WORK/figures.txt"
log "done"
finish
