#!/usr/bin/env bash
# hack/quality.sh [--short] -- decision quality against the real HPA (issue 27, tests/quality):
# a matrix of generated traces (families x seeds x service speeds) replayed against one copy of
# the same service per autoscaler variant (tests/quality/policies: gearbox-seed, gearbox-prod,
# hpa-cpu60/70/80, hpa-intent, hpa-same-metric), in batches, on a control plane of its own (other
# ports and directories than the tests', the demo's and the benchmark's), all on 127.0.0.1. Both
# autoscalers read CPU from the harness's metrics adapter on the compressed clock (it replaces
# metrics-server's APIService in this cluster) and the HPA's external metrics from it too. Prints
# the table per family (median [range]) and the goals; writes a PNG per trace, a Pareto PNG per
# family and figures.json to $QUALITY_OUT (default /tmp/gearbox-quality).
#
#   --short                   CI's version: one family (spike-down: a spike, then a plateau at a
#                             third of it), seed 1, speed x1.0, gearbox-seed and hpa-intent only,
#                             cut at its QUALITY_MINUTES (default 24), and the seed-style guard
#                             asserted (exit 1 unless gearbox-seed has SLO minutes <= hpa-intent's
#                             and no limit cycle). Not the issue's goal, which also asks for <= 1.0x
#                             its replica-minutes: that is not met (docs/quality.md), and the run
#                             prints it.
#   QUALITY_FACTOR=5          the time compression: simulated seconds per real second. The HPA's
#                             timings (sync period, readiness delay, CPU initialization period),
#                             the pods' start-up, Prometheus's scrape interval, the adapter's CPU
#                             resolution and every duration of every policy are divided by it.
#   QUALITY_FAMILIES=a,b      these families (default: all of them)
#   QUALITY_SEEDS=1,2,3       these seeds (default 1,2,3)
#   QUALITY_SPEEDS=0.8,1.0,1.2  these service speeds (default all three)
#   QUALITY_VARIANTS=a,b      these autoscaler variants (default: all seven)
#   QUALITY_MINUTES=M         cut every trace at its M-th simulated minute
#   QUALITY_BATCH=84          copies run at once (a trace's variants are never split; 8 KWOK
#                             nodes of 250 pods hold 84 copies at up to 23 pods each)
#   QUALITY_TO_DOCS=1         also copy the PNGs to docs/quality/
#   GEARBOX_CONTROLLER=PATH   the controller binary (default build/controller/gearbox-controller)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
F=${QUALITY_FACTOR:-5}
OUT=${QUALITY_OUT:-/tmp/gearbox-quality}
EXTRA=()
if [[ ${1:-} == --short ]]; then
  EXTRA=(--families spike-down --seeds 1 --speeds 1.0 --variants gearbox-seed,hpa-intent
    --minutes "${QUALITY_MINUTES:-24}" --assert-seed-guard)
else
  [[ -z ${QUALITY_FAMILIES:-} ]] || EXTRA+=(--families "$QUALITY_FAMILIES")
  [[ -z ${QUALITY_SEEDS:-} ]] || EXTRA+=(--seeds "$QUALITY_SEEDS")
  [[ -z ${QUALITY_SPEEDS:-} ]] || EXTRA+=(--speeds "$QUALITY_SPEEDS")
  [[ -z ${QUALITY_VARIANTS:-} ]] || EXTRA+=(--variants "$QUALITY_VARIANTS")
  [[ -z ${QUALITY_MINUTES:-} ]] || EXTRA+=(--minutes "$QUALITY_MINUTES")
  [[ -z ${QUALITY_BATCH:-} ]] || EXTRA+=(--batch-copies "$QUALITY_BATCH")
fi
scaled() { awk -v s="$1" -v f="$F" 'BEGIN { printf "%gs", s / f }'; }

export GEARBOX_CLUSTER_DIR=/tmp/gearbox-quality-cluster API_PORT=19443 ETCD_PORT=26791 \
  ETCD_PEER_PORT=26801 KCM_PORT=19457 SCHED_PORT=19459 KWOK_PORT=19247 MS_PORT=19444
export GEARBOX_SERVICES_DIR=/tmp/gearbox-quality-services REDIS_PORT=19379 PROM_PORT=19190
SIM_PORT=19191 METRICS_PORT=19180 PROBE_PORT=19181 ADAPTER_PORT=19445
# 8 KWOK nodes of 250 pods each (hack/cluster.sh's readiness wait, kubectl wait --timeout=1s over
# every node, does not finish in time for more than about 9).
export KWOK_NODES=${KWOK_NODES:-8}
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
  --health-probe-bind-address "127.0.0.1:$PROBE_PORT" --source-allow 127.0.0.0/8 --metrics-secure=false \
  >"$OUT/controller.log" 2>&1 &
controller_pid=$!
log "time compressed ${F}x; HPA: $KCM_EXTRA_ARGS; pods ready ${KWOK_POD_READY_DELAY_MS} ms after scheduling"
/usr/bin/python3 tests/quality/quality.py --kubeconfig "$KUBECONFIG" --factor "$F" \
  --prometheus-url "http://127.0.0.1:$PROM_PORT" --redis-url "redis://127.0.0.1:$REDIS_PORT/0" \
  --port "$SIM_PORT" --adapter-port "$ADAPTER_PORT" --out "$OUT" "${EXTRA[@]}"
if [[ ${QUALITY_TO_DOCS:-0} == 1 ]]; then
  mkdir -p docs/quality
  cp "$OUT"/*.png docs/quality/
  log "PNGs copied to docs/quality/"
fi
