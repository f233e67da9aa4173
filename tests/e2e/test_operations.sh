#!/usr/bin/env bash
# What an HPA or KEDA user does with an autoscaler (issue 17), on the real control plane:
#   pause    a policy created paused holds its replicas while its load changes, reports what it
#            would do, and resumes with its timers intact (its `for` ran during the pause);
#   fallback a policy whose only metric's server is down reaches its fallback count after
#            failureThreshold failed reads;
#   zero     queue workers go to 0 after their cooldown and come back when a job is enqueued: the
#            time from the enqueue to the first worker Pod created is printed.
#
#   tests/e2e/test_operations.sh PATH_TO_gearbox-controller
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/tests/lib/assert.sh"
source "$ROOT/tests/lib/e2e.sh"
need_cluster
BIN=${1:-$ROOT/build/controller/gearbox-controller}
WORK=${GEARBOX_OPERATIONS_DIR:-/tmp/gearbox-operations}
NS=operations
REDIS_PORT=${OPERATIONS_REDIS_PORT:-26679}
DEAD_PORT=${OPERATIONS_DEAD_PORT:-29399} # nothing listens here: the fallback's Prometheus
PROBE_PORT=${OPERATIONS_PROBE_PORT:-18381}
t0=$(date +%s)
log() { echo "[operations $(($(date +%s) - t0))s] $*"; }

begin_e2e "$WORK" "$NS"

setup "kubectl apply -f crds/" kubectl apply --server-side --force-conflicts -f "$ROOT/crds/"
kubectl wait --for=condition=Established --timeout=30s crd/scalingpolicies.gearbox.dev >/dev/null
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
echo $! >"$WORK/redis.pid"
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
eventually 10 "Redis answers" rcli ping
fresh_namespace "$NS"
sed -e "s|\${REDIS_URL}|redis://127.0.0.1:$REDIS_PORT/0|g" -e "s|\${DEAD_URL}|http://127.0.0.1:$DEAD_PORT|g" \
  "$HERE/operations.yaml" >"$WORK/operations.yaml"
setup "the workloads and policies apply" kubectl -n "$NS" apply -f "$WORK/operations.yaml"
start_controller "$BIN" "$WORK" "$NS" "$PROBE_PORT" || { finish; exit 1; }

replicas() { kubectl -n "$NS" get deploy "$1" -o jsonpath='{.spec.replicas}'; }
field() { kubectl -n "$NS" get sp "$1" -o jsonpath="$2"; }
condition() { field "$1" "{.status.conditions[?(@.type==\"$2\")].$3}"; }
event_note() { kubectl -n "$NS" get events --field-selector "involvedObject.name=$1,reason=$2" -o jsonpath='{.items[*].message}'; }
has_event() { [[ -n $(event_note "$1" "$2") ]]; }
is() { [[ $("${@:1:$#-1}") == "${!#}" ]]; }
holds() { # holds SECONDS DEPLOYMENT COUNT: it stays at COUNT that long (checked every 0.5 s)
  local i
  for ((i = 0; i < $1 * 2; i++)); do [[ $(replicas "$2") == "$3" ]] || { echo "moved to $(replicas "$2")"; return 1; }; sleep 0.5; done
}

# ---- pause --------------------------------------------------------------------------------------
log "pause: 30 jobs for 2 pods (15 per pod, above 5 for 10s) while paused"
rcli rpush pause-jobs $(seq 30) >/dev/null
eventually 20 "paused: status says what it would do (desiredReplicas 6)" is field paused '{.status.components[0].desiredReplicas}' 6
equals "paused: status.components[].paused" true "$(field paused '{.status.components[0].paused}')"
equals "paused: AbleToScale=False, reason Paused" "False Paused" \
  "$(condition paused AbleToScale status) $(condition paused AbleToScale reason)"
check "paused: a ScalingPaused Event" has_event paused ScalingPaused
rcli rpush pause-jobs $(seq 30) >/dev/null # the load changes: 60 jobs
check "paused: the Deployment stays at 2 for 15 s while the load doubles" holds 15 pause-web 2
eventually 10 "paused: it would now set 12" is field paused '{.status.components[0].desiredReplicas}' 12
rcli del pause-jobs >/dev/null
rcli rpush pause-jobs $(seq 30) >/dev/null
resumed_at=$(date +%s.%N)
kubectl -n "$NS" annotate sp paused gearbox.dev/paused- >/dev/null
eventually 8 "resumed: it scales to 6 at once (its 10s for ran during the pause)" is replicas pause-web 6
log "pause: 6 replicas $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $resumed_at}") s after the annotation was removed"
check "resumed: a ScalingResumed Event" has_event paused ScalingResumed
eventually 10 "resumed: AbleToScale is True again" is condition paused AbleToScale status True

# ---- fallback -----------------------------------------------------------------------------------
eventually 30 "fallback: app reaches its fallback count of 5" is replicas fallback-app 5
note=$(event_note fallback FallbackActive)
log "fallback: FallbackActive: $note"
check "fallback: after 3 failed reads (the Event says so)" grep -q "unavailable for 3 evaluations (fallback after 3): 5 replicas" <<<"$note"
check "fallback: the Event is a Warning" bash -c "kubectl -n $NS get events --field-selector involvedObject.name=fallback,reason=FallbackActive -o jsonpath='{.items[0].type}' | grep -qx Warning"
check "fallback: status.components[].fallbackSince is set" test -n "$(field fallback '{.status.components[0].fallbackSince}')"
check "fallback: it stays at 5 while the source is down" holds 6 fallback-app 5

# ---- scale to zero and back ---------------------------------------------------------------------
eventually 40 "zero: the idle workers go to 0 after their 10 s cooldown" is replicas zero-worker 0
eventually 30 "zero: their pods are gone" is bash -c "kubectl -n $NS get pods -l app=zero-worker --no-headers 2>/dev/null | wc -l" 0
check "zero: at 0, their unreadable CPU is no failure (MetricsAvailable=True)" is condition zero MetricsAvailable status True
check "zero: a ScaledDown Event says why" grep -q "worker 1 -> 0: idle for 10s" <<<"$(event_note zero ScaledDown)"
check "zero: it stays at 0 while the queue is empty" holds 6 zero-worker 0
kubectl -n "$NS" get pods -l app=zero-worker --watch-only -o name >"$WORK/pods.watch" 2>/dev/null &
echo $! >"$WORK/watch.pid"
sleep 2
enqueued=$(date +%s.%N)
rcli rpush zero-jobs job-1 >/dev/null
first=""
for _ in $(seq 300); do
  if [[ -s $WORK/pods.watch ]]; then first=$(date +%s.%N); break; fi
  sleep 0.1
done
check "zero: a job wakes it: a worker Pod is created" test -n "$first"
if [[ -n $first ]]; then
  took=$(awk "BEGIN {print $first - $enqueued}")
  pod=$(head -n 1 "$WORK/pods.watch")
  created=$(kubectl -n "$NS" get "$pod" -o jsonpath='{.metadata.creationTimestamp}')
  log "zero: enqueue -> first worker Pod seen by a watch: $(printf '%.2f' "$took") s (policy interval 2s; $pod created $created, job enqueued $(date -u -d "@$enqueued" +%H:%M:%S.%N | cut -c1-12))" |
    tee "$WORK/wake.txt"
  check "zero: within two intervals and a second" awk "BEGIN {exit !($took < 5)}"
fi
equals "zero: woken to 1" 1 "$(replicas zero-worker)"
check "zero: a ScaledUp Event says why" grep -q "worker 0 -> 1: woken from 0: backlog 1 above 0" <<<"$(event_note zero ScaledUp)"
rcli del zero-jobs >/dev/null
eventually 40 "zero: and back to 0 once the queue is empty again" is replicas zero-worker 0

log "done"
finish
