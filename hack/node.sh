#!/usr/bin/env bash
# hack/node.sh -- one real node for the local control plane: a kubelet built like the control
# plane and Debian's containerd, runc and CNI bridge plugin, so that a container image (the
# controller's, hack/image.sh) runs as a real Pod. Called by hack/cluster.sh ("up --with-node",
# "down"), which exports the variables below; not meant to be run by hand.
#
#   node.sh up      prepare the node's files and start it (from the host)
#   node.sh run     the node itself: runs inside its own mount and network namespaces
#   node.sh down    stop everything the node started and remove its cgroups
#   node.sh import FILE [BASE-NAME]  import an OCI image archive into the node's containerd
#   node.sh logs NAMESPACE POD       the log of each container of a Pod on the node
#   node.sh ctr ARGS                 ctr against the node's containerd (namespace k8s.io)
#
# How it stays off the host:
# - kubelet and containerd run in a private mount namespace (container mounts never reach the
#   host; the /proc/sys files the kubelet writes are covered by copies) and a private network
#   namespace (its Pods' bridge, their veths and addresses exist only there).
# - socat bridges join that network namespace to the host's loopback through Unix sockets: the
#   node reaches kube-apiserver at 127.0.0.1:$API_PORT (and Pods at $POD_GATEWAY:$API_PORT, which
#   is in the API server's certificate), as it reaches each port of $NODE_FORWARD_PORTS (the demo's
#   Prometheus and Redis, say: Pods use $POD_GATEWAY:PORT). The node's own address, $NODE_IP, is
#   on its loopback (the kubelet refuses 127.0.0.1): nothing on the host reaches the kubelet, so
#   `kubectl logs` and metrics-server do not work for this node; "hack/cluster.sh logs" reads the
#   Pods' log files instead.
# - Every process the node starts, Pods included, lives in the cgroup subtree /$CGROUP of each
#   hierarchy: "down" kills what is in it and removes it.
# - The node is tainted gearbox.dev/real-node=true:NoSchedule: only Pods that tolerate it (the
#   controller, in the tests that ask for it) run on it; other workloads stay on the KWOK nodes.
set -euo pipefail
: "${RUN:?} ${PKI:?} ${BIN:?} ${CACHE:?} ${K8S_VERSION:?} ${API_PORT:?}"
NODE_NAME=${NODE_NAME:-gearbox-node}
NODE=$RUN/node
NODE_IP=10.89.1.1
POD_SUBNET=${POD_SUBNET:-10.89.0.0/24}
POD_GATEWAY=${POD_GATEWAY:-10.89.0.1}
CGROUP=gearbox-node-$(basename "$RUN")
PAUSE_IMAGE=gearbox.local/pause:$K8S_VERSION
CTR=(ctr --address "$NODE/containerd.sock" --namespace k8s.io)

log() { echo "[node] $*" >&2; }
die() { echo "[node] ERROR: $*" >&2; exit 1; }

# ------------------------------------------------------------------------------- cgroups ----
hierarchies() {  # every mounted cgroup hierarchy (v1 controllers, the named systemd one, v2)
  awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts
}

make_cgroup() {  # make_cgroup PATH: in every hierarchy; cpuset children need cpus and mems first
  local h d
  for h in $(hierarchies); do
    d=$h
    for part in ${1//\// }; do
      d=$d/$part
      [[ -d $d ]] || mkdir "$d"
      if [[ -f $d/cpuset.cpus && -z $(<"$d/cpuset.cpus") ]]; then
        cat "$(dirname "$d")/cpuset.cpus" >"$d/cpuset.cpus"
        cat "$(dirname "$d")/cpuset.mems" >"$d/cpuset.mems"
      fi
    done
  done
}

join_cgroup() {  # join_cgroup PATH: this shell (and so what it starts) moves into PATH
  local h
  for h in $(hierarchies); do echo $$ >"$h/$1/cgroup.procs"; done
}

cgroup_pids() {  # every process in the node's subtree, in any hierarchy
  local h
  for h in $(hierarchies); do
    if [[ -d $h/$CGROUP ]]; then find "$h/$CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null || true; fi
  done | sort -u
}

remove_cgroups() {
  local h
  for h in $(hierarchies); do
    if [[ -d $h/$CGROUP ]]; then find "$h/$CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
    [[ ! -d $h/$CGROUP ]] || log "could not remove $h/$CGROUP"
  done
}

# ---------------------------------------------------------------------------------- files ----
node_pki() {  # the kubelet's client certificate: the Node authorizer's identity for this node
  [[ -f $NODE/kubelet.crt ]] && return 0
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$NODE/kubelet.key" 2>/dev/null
  openssl req -new -key "$NODE/kubelet.key" -subj "/O=system:nodes/CN=system:node:$NODE_NAME" \
    -out "$NODE/kubelet.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' \
    >"$NODE/kubelet.ext"
  openssl x509 -req -in "$NODE/kubelet.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 30 -extfile "$NODE/kubelet.ext" -out "$NODE/kubelet.crt" 2>/dev/null
  rm -f "$NODE/kubelet.csr" "$NODE/kubelet.ext"
}

kubelet_kubeconfig() {
  local k=$BIN/kubectl-$K8S_VERSION f=$NODE/kubelet.kubeconfig
  "$k" config --kubeconfig="$f" set-cluster local --server="https://127.0.0.1:$API_PORT" \
    --certificate-authority="$PKI/ca.crt" --embed-certs=true >/dev/null
  "$k" config --kubeconfig="$f" set-credentials kubelet --client-certificate="$NODE/kubelet.crt" \
    --client-key="$NODE/kubelet.key" --embed-certs=true >/dev/null
  "$k" config --kubeconfig="$f" set-context local --cluster=local --user=kubelet >/dev/null
  "$k" config --kubeconfig="$f" use-context local >/dev/null
}

containerd_config() {
  cat >"$NODE/containerd.toml" <<EOF
version = 2
root = "$NODE/containerd/root"
state = "$NODE/containerd/state"
[grpc]
  address = "$NODE/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The sandbox may not lower OOM scores (no CAP_SYS_RESOURCE): only raise them.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$NODE/cni"
EOF
  mkdir -p "$NODE/cni"
  cat >"$NODE/cni/10-gearbox-bridge.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "gearbox-pods", "plugins": [
  {"type": "bridge", "bridge": "gbx0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_SUBNET", "gateway": "$POD_GATEWAY"}]],
            "dataDir": "$NODE/cni-ipam"}},
  {"type": "loopback"}]}
EOF
}

kubelet_config() {
  cat >"$NODE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# The machine has cgroup v1 (a hybrid layout); the kubelet refuses it unless told otherwise.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP/pods
containerRuntimeEndpoint: unix://$NODE/containerd.sock
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
podLogsDir: $NODE/pod-logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
registerWithTaints:
  - {key: gearbox.dev/real-node, value: "true", effect: NoSchedule}
maxPods: 20
protectKernelDefaults: false
failSwapOn: false
# Never evict for disk: the tests' disk is shared with everything else on the machine.
evictionHard: {memory.available: 100Mi, nodefs.available: "0%", imagefs.available: "0%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
}

# The Pod sandbox image: Kubernetes' own pause.c (from the module the control plane is built
# from), compiled static, in an OCI image of its own. Cached like the other binaries.
pause_image() {
  local archive=$CACHE/pause-$K8S_VERSION.oci.tar src work
  [[ -s $archive ]] && { echo "$archive"; return 0; }
  src=$(cd "$CACHE/src/k8s-$K8S_VERSION" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')/build/pause/linux/pause.c
  [[ -f $src ]] || die "no pause.c in k8s.io/kubernetes@$K8S_VERSION ($src)"
  work=$(mktemp -d)
  gcc -Os -static -DVERSION="$K8S_VERSION" -o "$work/pause" "$src"
  strip "$work/pause"
  umoci init --layout "$work/oci" && umoci new --image "$work/oci:$K8S_VERSION"
  umoci unpack --image "$work/oci:$K8S_VERSION" "$work/bundle" >/dev/null
  install -m 0755 "$work/pause" "$work/bundle/rootfs/pause"
  umoci repack --image "$work/oci:$K8S_VERSION" "$work/bundle"
  umoci config --image "$work/oci:$K8S_VERSION" --config.entrypoint /pause --config.user 65535:65535
  (cd "$work/oci" && tar -cf "$archive.tmp" .)
  mv "$archive.tmp" "$archive"
  rm -rf "$work"
  echo "$archive"
}

# --------------------------------------------------------------------- inside the namespaces ----
# The kubelet sets vm.overcommit_memory, kernel.panic and kernel.panic_on_oops: in this mount
# namespace those files are copies, so the host's settings stay as they are.
cover_proc_sys() {
  local f
  mkdir -p "$NODE/proc-sys"
  for f in vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops \
    kernel/keys/root_maxkeys kernel/keys/root_maxbytes; do
    [[ -e /proc/sys/$f ]] || continue
    cat "/proc/sys/$f" >"$NODE/proc-sys/${f//\//.}"
    mount --bind "$NODE/proc-sys/${f//\//.}" "/proc/sys/$f"
  done
}

run() {
  [[ $(readlink /proc/self/ns/net) != "$(readlink /proc/1/ns/net)" ]] ||
    die "run is for inside the node's network namespace (hack/cluster.sh starts it)"
  make_cgroup "$CGROUP/daemons"
  join_cgroup "$CGROUP/daemons"
  ip link set lo up
  ip addr add "$NODE_IP/32" dev lo
  cover_proc_sys
  trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT
  trap 'exit 0' TERM INT
  local port
  for port in $API_PORT ${NODE_FORWARD_PORTS:-}; do # every address of the node: lo and the bridge
    socat "TCP-LISTEN:$port,fork,reuseaddr" "UNIX-CONNECT:$NODE/port-$port.sock" &
  done
  containerd --config "$NODE/containerd.toml" >>"$NODE/containerd.log" 2>&1 &
  local i
  for ((i = 0; i < 120; i++)); do
    [[ -S $NODE/containerd.sock ]] && break
    sleep 0.25
  done
  "$BIN/kubelet-$K8S_VERSION" --config="$NODE/kubelet.yaml" --kubeconfig="$NODE/kubelet.kubeconfig" \
    --root-dir="$NODE/kubelet" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" \
    --node-labels=gearbox.dev/real-node=true >>"$NODE/kubelet.log" 2>&1 &
  wait -n # any of them ending ends the node; the trap stops the others
  die "a node process exited (see $NODE/*.log)"
}

# ------------------------------------------------------------------------------- host side ----
up() {
  mkdir -p "$NODE/pod-logs"
  node_pki
  kubelet_kubeconfig
  containerd_config
  kubelet_config
  make_cgroup "$CGROUP/pods"
  pause_image >/dev/null
}

import() {  # import ARCHIVE [BASE-NAME]
  "${CTR[@]}" images import ${2:+--base-name "$2"} "$1" >&2
}

logs() {  # logs NAMESPACE POD: the kubelet's log files of the Pod's containers
  local f found=0
  for f in "$NODE/pod-logs/$1_$2_"*/*/*.log; do
    [[ -f $f ]] || continue
    found=1
    echo "==> $(basename "$(dirname "$f")")/$(basename "$f") <=="
    # CRI log lines: time, stream, tag, message
    cut -d' ' -f4- "$f"
  done
  ((found)) || die "no logs of Pod $1/$2 on the node"
}

down() {
  local pids n
  for ((n = 0; n < 20; n++)); do
    pids=$(cgroup_pids)
    [[ -n $pids ]] || break
    # shellcheck disable=SC2086 # a list of pids
    kill -9 $pids 2>/dev/null || true
    sleep 0.25
  done
  [[ -z $(cgroup_pids) ]] || log "processes left in /$CGROUP: $(cgroup_pids | xargs)"
  remove_cgroups
  rm -rf "$NODE"
}

case ${1:-} in
up) up ;;
run) run ;;
down) down ;;
import) import "${2:?archive}" "${3:-}" ;;
logs) logs "${2:?namespace}" "${3:?pod}" ;;
ctr) shift && "${CTR[@]}" "$@" ;;
pause-image) pause_image ;;
*) die "usage: $0 up|run|down|import ARCHIVE [BASE-NAME]|logs NAMESPACE POD|ctr ARGS|pause-image" ;;
esac
