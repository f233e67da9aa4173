#!/usr/bin/env bash
# hack/cluster.sh's own contract: "down" leaves no process running, a second "up" after "down"
# works, and a component that fails to start is named, with the tail of its log, and "up" exits
# non-zero (leaving nothing running). Runs a second cluster of its own on other ports.
set -uo pipefail
source "$(dirname "$0")/../../lib/assert.sh"
CLUSTER=$(cd "$(dirname "$0")/../../.." && pwd)/hack/cluster.sh

export GEARBOX_CLUSTER_DIR=/tmp/gearbox-lifecycle-$$
export API_PORT=18443 ETCD_PORT=25791 ETCD_PEER_PORT=25801 KCM_PORT=18457 SCHED_PORT=18459 \
  KWOK_PORT=18247 MS_PORT=18444 KWOK_NODES=1
trap 'bash "$CLUSTER" down >/dev/null 2>&1; rm -rf "$GEARBOX_CLUSTER_DIR"' EXIT
KC=("$(bash "$CLUSTER" env | sed -n 's/^export PATH=\([^:]*\):.*/\1/p')/kubectl" --kubeconfig="$GEARBOX_CLUSTER_DIR/kubeconfig")

pids() { cat "$GEARBOX_CLUSTER_DIR"/*.pid 2>/dev/null; }
none_alive() {  # none of the given pids runs, and no process mentions the cluster's directory
  local p
  for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done
  ! pgrep -f -- "$GEARBOX_CLUSTER_DIR" >/dev/null
}
ports_free() {
  local p
  for p in $API_PORT $ETCD_PORT $ETCD_PEER_PORT $KCM_PORT $SCHED_PORT $KWOK_PORT $MS_PORT; do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && return 1
  done
  return 0
}

for round in 1 2; do
  check "up #$round succeeds" bash "$CLUSTER" up
  check "status #$round: all six components run" bash "$CLUSTER" status
  check "up #$round: the API server answers with a Ready KWOK node" \
    "${KC[@]}" wait --for=condition=Ready node/kwok-node-0 --timeout=30s
  started=$(pids)
  equals "up #$round recorded six pids" 6 "$(wc -w <<<"$started")"
  check "down #$round succeeds" bash "$CLUSTER" down
  # shellcheck disable=SC2086
  check "down #$round leaves none of the $(wc -w <<<"$started") started processes running" none_alive $started
  check "down #$round frees every port" ports_free
done

out=$(KUBE_APISERVER_EXTRA_ARGS=--no-such-flag bash "$CLUSTER" up 2>&1)
rc=$?
check "up with a broken kube-apiserver exits non-zero (rc=$rc)" test "$rc" -ne 0
check "the failure names kube-apiserver" grep -q "ERROR: kube-apiserver" <<<"$out"
check "the failure shows the tail of its log" grep -q "unknown flag: --no-such-flag" <<<"$out"
check "nothing is left running after the failed up" none_alive
check "no port is held after the failed up" ports_free

finish
