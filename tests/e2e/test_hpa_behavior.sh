#!/usr/bin/env bash
# A pasted HPA behavior block limits exactly as the HPA does (issue 17): two identical Deployments
# on KWOK nodes, both pods' CPU far above the target, one scaled by the real HPA of
# kube-controller-manager (autoscaling/v2, CPU utilization through metrics-server), one by a
# ScalingPolicy with the same behavior block (selectPolicy Min of Pods 2 and Percent 50 per 30 s).
# Asserts the same sequence of replica counts (2 -> 3 -> 5 -> 7 -> 9) and that neither steps
# sooner than the 30 s period after its last step; prints both timelines. About 3 minutes.
#
#   tests/e2e/test_hpa_behavior.sh PATH_TO_gearbox-controller
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-$ROOT/build/controller/gearbox-controller}
WORK=${GEARBOX_E2E_HPA_DIR:-/tmp/gearbox-e2e-hpa-behavior}
source "$ROOT/tests/lib/assert.sh"
source "$ROOT/tests/lib/e2e.sh"
need_cluster
NS=hpa-behavior
METRICS_PORT=${E2E_HPA_METRICS_PORT:-18190} PROBE_PORT=${E2E_HPA_PROBE_PORT:-18191}
WANT=(2 3 5 7 9)  # min(start + 2, ceil(start x 1.5)) per 30 s from 2
PERIOD=30
SAMPLE=1  # the timelines are sampled every second (plus kubectl's time: the resolution is measured)
t0=$(date +%s)
log() { echo "[e2e $(($(date +%s) - t0))s] $*"; }

begin_e2e "$WORK" "$NS"

setup "the CRD applies" kubectl apply --server-side --force-conflicts -f "$ROOT/crds/"
kubectl wait --for=condition=Established --timeout=30s crd scalingpolicies.gearbox.dev >/dev/null
fresh_namespace "$NS"
setup "the two Deployments apply" kubectl -n "$NS" apply -f "$HERE/hpa_behavior.yaml"
eventually 60 "both Deployments have 2 ready pods" bash -c \
  "[[ \$(kubectl -n $NS get deploy by-hpa by-gearbox -o jsonpath='{.items[*].status.readyReplicas}') == '2 2' ]]"
# The HPA ignores a pod's CPU until a metrics window has passed since it became Ready; both
# autoscalers start once every pod has a reading, so that they start from the same inputs.
four_pods_have_metrics() {
  kubectl get --raw "/apis/metrics.k8s.io/v1beta1/namespaces/$NS/pods" |
    python3 -c 'import json,sys; sys.exit(len(json.load(sys.stdin)["items"]) != 4)'
}
eventually 90 "metrics-server reads the 4 pods' CPU" four_pods_have_metrics
sleep 15

start_controller "$BIN" "$WORK" "$NS" "$PROBE_PORT" "127.0.0.1:$METRICS_PORT" || { finish; exit 1; }

# Every second: seconds since the autoscalers were applied, then each Deployment's spec.replicas.
(
  start=$(date +%s.%N)
  while true; do
    counts=$(kubectl -n "$NS" get deploy by-gearbox by-hpa -o jsonpath='{.items[*].spec.replicas}' 2>/dev/null)
    printf '%s %s\n' "$(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $start}")" "$counts"
    sleep "$SAMPLE"
  done
) >"$WORK/timeline.txt" &
echo $! >"$WORK/sampler.pid"
setup "the HPA and the ScalingPolicy apply, with the same behavior block" \
  kubectl -n "$NS" apply -f "$HERE/hpa_behavior_autoscalers.yaml"
log "both autoscalers applied; waiting for both to reach ${WANT[-1]}"
reached() {
  [[ $(kubectl -n "$NS" get deploy by-gearbox by-hpa -o jsonpath='{.items[*].spec.replicas}') == "${WANT[-1]} ${WANT[-1]}" ]]
}
eventually 200 "both reach ${WANT[-1]} replicas" reached
sleep 2
kill "$(cat "$WORK/sampler.pid")" 2>/dev/null

# The steps of each column: "time count" at each change, and the checks on them.
python3 - "$WORK/timeline.txt" "${WANT[*]}" >"$WORK/steps.txt" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 3]
want = [int(x) for x in sys.argv[2].split()]
# A step is seen up to one sampling interval late: the longest one is the measurement's resolution.
print(f"resolution {max(float(b[0]) - float(a[0]) for a, b in zip(rows, rows[1:])):.1f}")
for col, name in ((1, "gearbox"), (2, "hpa")):
    steps, last = [], None
    for r in rows:
        n = int(r[col])
        if n != last:
            steps.append((float(r[0]), n))
            last = n
    seq = [n for _, n in steps][:len(want)]
    gaps = [b[0] - a[0] for a, b in zip(steps[1:], steps[2:])]  # between steps, not from the start
    print(f"{name} timeline: " + "  ".join(f"{t:.0f}s:{n}" for t, n in steps))
    print(f"{name} sequence {' '.join(map(str, seq))}")
    print(f"{name} shortest gap {min(gaps) if gaps else 0:.1f}")
PY
cat "$WORK/steps.txt"
resolution=$(sed -n "s/^resolution //p" "$WORK/steps.txt")
for who in gearbox hpa; do
  equals "$who: the sequence of replica counts" "${WANT[*]}" "$(sed -n "s/^$who sequence //p" "$WORK/steps.txt")"
  gap=$(sed -n "s/^$who shortest gap //p" "$WORK/steps.txt")
  check "$who: no step sooner than ${PERIOD}s after the one before (shortest ${gap}s, to ${resolution}s)" \
    python3 -c "import sys; sys.exit(0 if $gap >= $PERIOD - $resolution else 1)"
done
reason=$(kubectl -n "$NS" get sp by-gearbox -o jsonpath='{.status.components[0].lastDecision.reason}')
log "the ScalingPolicy's last reason: $reason"
check "the reason names the pasted policies" grep -q "policies Pods 2/30s, Percent 50/30s; selectPolicy Min" <<<"$reason"
log "the HPA's ScalingLimited: $(kubectl -n "$NS" get hpa by-hpa \
  -o jsonpath='{.status.conditions[?(@.type=="ScalingLimited")].reason}: {.status.conditions[?(@.type=="ScalingLimited")].message}')"
finish
