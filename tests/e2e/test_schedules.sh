#!/usr/bin/env bash
# Scheduled bounds on the real control plane (issue 17): a Deployment on KWOK with min 1, and a
# policy whose schedule opens at the next whole minute (UTC, computed here) for 1m and raises the
# minimum to 3. Asserts the count reaches 3 within a few seconds of the opening, status.schedules
# and the ScheduleOpened Event; after the close, minReplicas 1 again, the ScheduleClosed Event, and
# the count back to 1 (a cpu rule that fires on idle KWOK pods, scale-down stabilization 0s).
# Prints the times. Under 4 minutes.
#
#   tests/e2e/test_schedules.sh PATH_TO_gearbox-controller
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/tests/lib/assert.sh" && source "$ROOT/tests/lib/e2e.sh" && need_cluster
BIN=${1:-$ROOT/build/controller/gearbox-controller}
WORK=${GEARBOX_E2E_DIR:-/tmp/gearbox-e2e-schedules}
NS=${E2E_SCHEDULES_NAMESPACE:-schedules}
PROBE_PORT=${E2E_SCHEDULES_PROBE_PORT:-23581}
t0=$(date +%s)
log() { echo "[e2e-schedules $(($(date +%s) - t0))s $(date -u +%T.%3N)] $*"; }

begin_e2e "$WORK" "$NS"

replicas() { kubectl -n "$NS" get deploy sale-app -o jsonpath='{.spec.replicas}'; }
app_status() { kubectl -n "$NS" get sp sale -o jsonpath="{.status.components[?(@.name==\"app\")].$1}"; }
has_event() { kubectl -n "$NS" get events --field-selector "reason=$1" -o name | grep -q .; }
is_replicas() { [[ $(replicas) == "$1" ]]; }
is_min() { [[ $(app_status minReplicas) == "$1" ]]; }
# seconds (with milliseconds) from epoch second $1 to now
since() { python3 -c "import time,sys; print(f'{time.time() - int(sys.argv[1]):.1f}')" "$1"; }

setup "the CRD applies" kubectl apply --server-side --force-conflicts -f "$ROOT/crds/"
kubectl wait --for=condition=Established --timeout=30s crd scalingpolicies.gearbox.dev >/dev/null
fresh_namespace "$NS"

# The opening: the next whole minute at least 25 s away (time for the controller to start).
open_epoch=$(( ($(date +%s) + 25 + 59) / 60 * 60 ))
close_epoch=$((open_epoch + 60))
cron="$(date -u -d "@$open_epoch" '+%-M %-H %-d %-m') *"
open_at=$(date -u -d "@$open_epoch" +%Y-%m-%dT%H:%M:%SZ)
log "the window: start \"$cron\" (UTC) for 1m: opens $open_at, closes $(date -u -d "@$close_epoch" +%T)"

kubectl -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: sale-app}
spec:
  replicas: 1
  selector: {matchLabels: {app: sale-app}}
  template:
    metadata:
      labels: {app: sale-app}
      annotations: {kwok.x-k8s.io/usage-cpu: 20m}
    spec:
      containers:
        - name: app
          image: example.invalid/sale:1
          resources: {requests: {cpu: 500m}}
---
apiVersion: gearbox.dev/v1alpha1
kind: ScalingPolicy
metadata: {name: sale}
spec:
  interval: 5s
  metrics:
    - name: cpu
      resource: {name: cpu, component: app}
  components:
    - name: app
      target: {apiVersion: apps/v1, kind: Deployment, name: sale-app}
      replicas: {min: 1, max: 5}
      scaleDown: {anyOf: [{metric: cpu, below: 90}]}
      behavior: {scaleDown: {stabilizationWindow: 0s, maxPods: 5, maxPercent: 100}}
  schedules:
    - name: sale
      start: "$cron"
      duration: 1m
      timeZone: UTC
      components: {app: {min: 3}}
YAML
check "the policy and its Deployment apply" kubectl -n "$NS" get sp sale

start_controller "$BIN" "$WORK" "$NS" "$PROBE_PORT" || { finish; exit 1; }
eventually 20 "before the window: minReplicas 1 (boundsFrom component)" is_min 1
equals "before the window: 1 replica" 1 "$(replicas)"
equals "before the window: no status.schedules" "" \
  "$(kubectl -n "$NS" get sp sale -o jsonpath='{.status.schedules}')"

# ---- the opening ----
while (($(date +%s) < open_epoch)); do sleep 0.2; done
log "the window opens"
if eventually 10 "the count reaches 3 within 10 s of the opening" is_replicas 3; then
  log "3 replicas, $(since "$open_epoch") s after the opening"
fi
equals "status.schedules while open" "sale $open_at $(date -u -d "@$close_epoch" +%Y-%m-%dT%H:%M:%SZ)" \
  "$(kubectl -n "$NS" get sp sale -o jsonpath='{.status.schedules[0].name} {.status.schedules[0].openedAt} {.status.schedules[0].closesAt}')"
equals "minReplicas while open" 3 "$(app_status minReplicas)"
equals "boundsFrom while open" "component, schedule sale" "$(app_status boundsFrom)"
eventually 10 "the ScheduleOpened Event" has_event ScheduleOpened
log "ScheduleOpened: $(kubectl -n "$NS" get events --field-selector reason=ScheduleOpened \
  -o jsonpath='{.items[0].message}{.items[0].note}')"
check "the summary says the window is open" bash -c \
  "kubectl -n $NS get sp sale -o jsonpath='{.status.abstract}' | grep -q 'Schedule sale open until'"
sleep 15
equals "the count stays at 3 inside the window (the cpu rule fires, the minimum holds)" 3 "$(replicas)"

# ---- the closing ----
while (($(date +%s) < close_epoch)); do sleep 0.2; done
log "the window closes"
eventually 10 "minReplicas is 1 again within 10 s of the close" is_min 1 &&
  log "minReplicas 1, $(since "$close_epoch") s after the close"
eventually 10 "the ScheduleClosed Event" has_event ScheduleClosed
if eventually 30 "the count returns to 1 (cpu below 90 on idle pods)" is_replicas 1; then
  log "1 replica, $(since "$close_epoch") s after the close"
fi
equals "no status.schedules after the close" "" \
  "$(kubectl -n "$NS" get sp sale -o jsonpath='{.status.schedules}')"
# Once per transition: one Event object each, never repeated (no series).
for reason in ScheduleOpened ScheduleClosed; do
  equals "one $reason Event, not repeated" "1 ." "$(kubectl -n "$NS" get events.events.k8s.io \
    --field-selector "reason=$reason" -o name | wc -l) .$(kubectl -n "$NS" get events.events.k8s.io \
    --field-selector "reason=$reason" -o jsonpath='{.items[*].series}')"
done
kubectl -n "$NS" get events --field-selector involvedObject.name=sale --sort-by=.lastTimestamp
if ((FAILED > 0)); then tail -n 30 "$WORK/controller.log"; fi
log "done"
finish
