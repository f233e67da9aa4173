#!/usr/bin/env bash
# hack/bench-scale.sh [N...] -- the scale benchmark (issue 15, tests/bench/scale): one
# gearbox-controller against N ScalingPolicies, for each N (default 100 1000 10000), on a control
# plane and a Redis of its own (other ports and directories than the tests' and the demo's), all
# on 127.0.0.1. Prints a table and writes the figures to /tmp/gearbox-bench/.
#
#   BENCH_SECONDS=300        measurement window per N (seconds)
#   BENCH_CONCURRENCY=       the controller's --concurrency (default: its own default)
#   BENCH_SHARDS=1           controllers splitting the policies by namespace (--shard-count)
#   GEARBOX_CONTROLLER=PATH  the controller binary (default build/controller/gearbox-controller,
#                            built if missing)
#   BENCH_KEEP=1             leave the control plane and Redis up afterwards (objects stay; a
#                            next run adds to them and skips the idle measurement)
#   BENCH_MIX=prometheus     every policy on Prometheus and Redis; "cpu": half of them on the CPU
#                            utilization of their Deployment's KWOK pod (metrics-server)
#   BENCH_CLUSTER_DIR=       the control plane's directory (default /tmp/gearbox-bench-cluster)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
NS=("$@")
((${#NS[@]})) || NS=(100 1000 10000)

export GEARBOX_CLUSTER_DIR=${BENCH_CLUSTER_DIR:-/tmp/gearbox-bench-cluster} API_PORT=18443 ETCD_PORT=25791 \
  ETCD_PEER_PORT=25801 KCM_PORT=18457 SCHED_PORT=18459 KWOK_PORT=18247 MS_PORT=18444
export GEARBOX_SERVICES_DIR=/tmp/gearbox-bench-services REDIS_PORT=18379 PROM_PORT=18090
FAKE_PROM_PORT=18091 METRICS_PORT=18080 PROBE_PORT=18081
OUT=/tmp/gearbox-bench

log() { echo "[bench-scale] $*" >&2; }

BIN=${GEARBOX_CONTROLLER:-$ROOT/build/controller/gearbox-controller}
if [[ ! -x $BIN ]]; then
  [[ -z ${GEARBOX_CONTROLLER:-} ]] || { log "GEARBOX_CONTROLLER=$BIN is not an executable"; exit 1; }
  log "building gearbox-controller"
  [[ -f build/CMakeCache.txt ]] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build --target gearbox-controller
fi

teardown() {
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    log "BENCH_KEEP=1: left up; stop with: GEARBOX_SERVICES_DIR=$GEARBOX_SERVICES_DIR" \
      "hack/services.sh down; GEARBOX_CLUSTER_DIR=$GEARBOX_CLUSTER_DIR hack/cluster.sh down"
    return
  fi
  bash hack/services.sh down || true
  bash hack/cluster.sh down || true
}
trap teardown EXIT

# The CPU mix runs a pod per CPU policy (half of the largest N) on KWOK nodes of 250 pods each.
max_n=0
for n in "${NS[@]}"; do ((n > max_n)) && max_n=$n; done
if [[ ${BENCH_MIX:-prometheus} == cpu ]]; then
  export KWOK_NODES=${KWOK_NODES:-$((max_n / 2 / 250 + 2))}
fi

# A kept cluster (BENCH_KEEP=1 before) is reused; otherwise one is brought up.
if ! bash hack/cluster.sh status >/dev/null 2>&1; then
  bash hack/cluster.sh up
fi
eval "$(bash hack/cluster.sh env)"
bash hack/services.sh start redis-server # Redis only: the benchmark fakes Prometheus itself

kubectl apply --server-side --force-conflicts -f crds/ >/dev/null
kubectl wait --for=condition=Established --timeout=60s crd --all >/dev/null

mkdir -p "$OUT"
python3 tests/bench/scale/bench_scale.py --kubeconfig "$KUBECONFIG" --controller "$BIN" \
  --seconds "${BENCH_SECONDS:-300}" --fake-port "$FAKE_PROM_PORT" \
  --redis-url "redis://127.0.0.1:$REDIS_PORT/0" --metrics-port "$METRICS_PORT" \
  --probe-port "$PROBE_PORT" --cluster-dir "$GEARBOX_CLUSTER_DIR" \
  --services-dir "$GEARBOX_SERVICES_DIR" --mix "${BENCH_MIX:-prometheus}" --out "$OUT" "${NS[@]}"
