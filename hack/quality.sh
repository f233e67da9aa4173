#!/usr/bin/env bash
# hack/quality.sh [--short] -- decision quality against the real HPA (issue 16, tests/quality):
# every trace of tests/quality/traces replayed at once against two copies of the same service, one
# scaled by Gearbox, one by an autoscaling/v2 HPA, on a control plane of its own (other ports and
# directories than the tests', the demo's and the benchmark's), all on 127.0.0.1. Prints the table,
# writes a PNG per trace to $QUALITY_OUT (default /tmp/gearbox-quality).
#
#   --short                   CI's version: the queue burst alone, cut at its 25th minute (after the
#                             HPA's hold of its peak), and the goal asserted (exit 1 if Gearbox does
#                             not meet it)
#   QUALITY_FACTOR=5          the time compression: simulated seconds per real second. The HPA's
#                             timings (sync period, readiness delay, CPU initialization period),
#                             the pods' start-up, Prometheus's scrape interval and every duration
#                             of both autoscalers are divided by it; metrics-server cannot scrape
#                             more often than every 10 s, which is then 10 x FACTOR simulated s.
#   QUALITY_TRACES=a,b        only these traces
#   QUALITY_MINUTES=M         cut every trace at its M-th simulated minute
#   QUALITY_TO_DOCS=1         also copy the PNGs to docs/quality/
#   GEARBOX_CONTROLLER=PATH   the controller binary (default build/controller/gearbox-controller)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
F=${QUALITY_FACTOR:-5}
OUT=${QUALITY_OUT:-/tmp/gearbox-quality}
EXTRA=()
if [[ ${1:-} == --short ]]; then
  EXTRA=(--traces queue --minutes 25 --assert-goal)
elif [[ -n ${QUALITY_TRACES:-} ]]; then
  EXTRA=(--traces "$QUALITY_TRACES")
fi
[[ -z ${QUALITY_MINUTES:-} ]] || EXTRA+=(--minutes "$QUALITY_MINUTES")
scaled() { awk -v s="$1" -v f="$F" 'BEGIN { printf "%gs", s / f }'; }

export GEARBOX_CLUSTER_DIR=/tmp/gearbox-quality-cluster API_PORT=19443 ETCD_PORT=26791 \
  ETCD_PEER_PORT=26801 KCM_PORT=19457 SCHED_PORT=19459 KWOK_PORT=19247 MS_PORT=19444
export GEARBOX_SERVICES_DIR=/tmp/gearbox-quality-services REDIS_PORT=19379 PROM_PORT=19190
SIM_PORT=19191 METRICS_PORT=19180 PROBE_PORT=19181
# The HPA's clock, compressed as everything else (the kube-controller-manager defaults divided).
export KCM_EXTRA_ARGS="--horizontal-pod-autoscaler-sync-period=$(scaled 15) \
--horizontal-pod-autoscaler-downscale-stabilization=$(scaled 300) \
--horizontal-pod-autoscaler-initial-readiness-delay=$(scaled 30) \
--horizontal-pod-autoscaler-cpu-initialization-period=$(scaled 300)"
export KWOK_POD_READY_DELAY_MS=$(awk -v f="$F" 'BEGIN { printf "%d", 30000 / f }') # a 30 s start-up
export SCRAPE_TARGETS=127.0.0.1:$SIM_PORT SCRAPE_INTERVAL=$(scaled 15)
log() { echo "[quality] $*" >&2; }

bash hack/deps.sh >/dev/null
BIN=${GEARBOX_CONTROLLER:-$ROOT/build/controller/gearbox-controller}
if [[ ! -x $BIN ]]; then
  [[ -f build/CMakeCache.txt ]] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build --target gearbox-controller
fi

controller_pid=
teardown() {
  [[ -z $controller_pid ]] || kill "$controller_pid" 2>/dev/null || true
  bash hack/services.sh down >/dev/null 2>&1 || true
  bash hack/cluster.sh down >/dev/null 2>&1 || true
}
trap teardown EXIT
bash hack/cluster.sh down >/dev/null 2>&1 || true # a run that was killed may have left one behind
bash hack/cluster.sh up
eval "$(bash hack/cluster.sh env)"
bash hack/services.sh up
kubectl apply --server-side --force-conflicts -f crds/ >/dev/null
kubectl wait --for=condition=Established --timeout=60s crd --all >/dev/null

mkdir -p "$OUT"
"$BIN" --kubeconfig "$KUBECONFIG" --metrics-bind-address "127.0.0.1:$METRICS_PORT" \
  --health-probe-bind-address "127.0.0.1:$PROBE_PORT" >"$OUT/controller.log" 2>&1 &
controller_pid=$!
log "time compressed ${F}x; HPA: $KCM_EXTRA_ARGS; pods ready ${KWOK_POD_READY_DELAY_MS} ms after scheduling"
/usr/bin/python3 tests/quality/quality.py --kubeconfig "$KUBECONFIG" --factor "$F" \
  --prometheus-url "http://127.0.0.1:$PROM_PORT" --redis-url "redis://127.0.0.1:$REDIS_PORT/0" \
  --port "$SIM_PORT" --out "$OUT" "${EXTRA[@]}"
if [[ ${QUALITY_TO_DOCS:-0} == 1 ]]; then
  mkdir -p docs/quality
  cp "$OUT"/*.png docs/quality/
  log "PNGs copied to docs/quality/"
fi
