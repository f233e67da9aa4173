#!/usr/bin/env bash
# hack/cluster.sh -- a real Kubernetes control plane on loopback, for Gearbox's tests and demo.
#
#   hack/cluster.sh build        build etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
#                                kubectl, kwok, metrics-server and helm from the Go module proxy into
#                                a cache outside the repository, keyed by version (idempotent)
#   hack/cluster.sh helm         build helm only (if needed) and print its path
#   hack/cluster.sh tool NAME VERSION PACKAGE [LDFLAGS]  build another Go tool into the same cache
#                                (if needed) and print its path
#   hack/cluster.sh up           build if needed, start everything, wait until it all works
#   hack/cluster.sh up --with-node   also one real node (kubelet + containerd, hack/node.sh) on which
#                                the controller image runs as a Pod; it is tainted: only Pods that
#                                tolerate gearbox.dev/real-node run there. Its Pods reach the API
#                                server, and each port of NODE_FORWARD_PORTS on the host's loopback,
#                                at 10.89.0.1:PORT
#   hack/cluster.sh import FILE [BASE-NAME]  import an OCI image archive (hack/image.sh) into the node
#   hack/cluster.sh logs NS POD  the logs of a Pod on the real node (kubectl logs cannot reach it)
#   hack/cluster.sh ctr ARGS     ctr against the real node's containerd (tests kill containers)
#   hack/cluster.sh down         stop exactly the processes "up" started, remove the cluster state
#   hack/cluster.sh status       say which components run
#   hack/cluster.sh restart NAME stop one component and start it again with the same flags
#                                (tests use it to restart kube-apiserver under a running watch)
#   hack/cluster.sh etcdctl ARGS etcdctl against the cluster's etcd (tests compact with it)
#   eval "$(hack/cluster.sh env)"  KUBECONFIG and PATH (kubectl, helm, etcdctl) for a shell
#
# Nothing here listens anywhere but 127.0.0.1. Pods run on fake KWOK nodes: they become Running and
# Ready without a kubelet, and report the CPU usage set in their annotation kwok.x-k8s.io/usage-cpu.
# The real node, when asked for, lives in namespaces and a cgroup subtree of its own (hack/node.sh).
#
#   KCM_EXTRA_ARGS               more kube-controller-manager flags (the quality harness scales the
#                                HPA's timing with them)
#   KWOK_POD_READY_DELAY_MS=0    a Pod becomes Ready this long after it is scheduled (an app's
#                                start-up; 0: at once)
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-v1.36.3}
ETCD_VERSION=${ETCD_VERSION:-v3.6.14}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
HELM_VERSION=${HELM_VERSION:-v3.22.0}
MS_VERSION=${MS_VERSION:-v0.9.0}
KWOK_NODES=${KWOK_NODES:-2}

CACHE=${GEARBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gearbox}
BIN=$CACHE/bin
RUN=${GEARBOX_CLUSTER_DIR:-/tmp/gearbox-cluster}
PKI=$RUN/pki
KCFG=$RUN/kubeconfig
ETCD_PORT=${ETCD_PORT:-23791} ETCD_PEER_PORT=${ETCD_PEER_PORT:-23801}
API_PORT=${API_PORT:-16443} KCM_PORT=${KCM_PORT:-16457} SCHED_PORT=${SCHED_PORT:-16459}
KWOK_PORT=${KWOK_PORT:-16247} MS_PORT=${MS_PORT:-16444}
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok metrics-server)
# The real node: the host ends of its socat bridges (one per port it reaches on the host's
# loopback: the API server's and NODE_FORWARD_PORTS), then the node itself (in its namespaces).
NODE_FORWARD_PORTS=${NODE_FORWARD_PORTS:-}
node_components() {
  local port
  for port in $API_PORT $(cat "$RUN/node/forward-ports" 2>/dev/null); do echo "node-port-$port"; done
  echo node
}
POD_GATEWAY=10.89.0.1 # where the node's Pods reach kube-apiserver; in its certificate
NODE_NAME=gearbox-node
HACK=$(cd "$(dirname "$0")" && pwd)

export CGO_ENABLED=0
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
export GOFLAGS=${GOFLAGS:--buildvcs=false}

log() { echo "[cluster] $*" >&2; }
die() { echo "[cluster] ERROR: $*" >&2; exit 1; }
bin() { echo "$BIN/$1-$2"; }

# ------------------------------------------------------------------------------------ build ----
gobuild() { go build -trimpath -pgo=off -p "$(nproc)" "$@"; }

version_ldflags() {  # Kubernetes reads its version from these; without them /version says v0.0.0
  local minor=${K8S_VERSION#v1.} ld="-s -w" p kv
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    for kv in "gitVersion=$K8S_VERSION" "gitMajor=1" "gitMinor=${minor%%.*}" \
      "gitTreeState=clean" "buildDate=1970-01-01T00:00:00Z"; do
      ld+=" -X $p.$kv"
    done
  done
  echo "$ld"
}

build_k8s() {
  local b need=0
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet; do
    [[ -x $(bin "$b" "$K8S_VERSION") ]] || need=1
  done
  ((need)) || return 0
  log "building Kubernetes $K8S_VERSION (cold: ~20-30 min on 2 cores; cached afterwards)"
  local mod=$CACHE/src/k8s-$K8S_VERSION minor=${K8S_VERSION#v1.}
  mkdir -p "$mod" "$BIN"
  (
    cd "$mod"
    [[ -f go.mod ]] || go mod init gearbox.invalid/k8sbins >/dev/null 2>&1
    # k8s.io/kubernetes cannot be "go install"ed: its go.mod replaces every staging module with a
    # local directory. Replace each of them with the published module of the same release instead.
    local kgomod m gd
    kgomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
      sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
    [[ -f $kgomod ]] || die "could not download k8s.io/kubernetes@$K8S_VERSION's go.mod"
    for m in $(sed -n 's|^[[:space:]]*\(k8s.io/[^[:space:]]*\) => ./staging/.*|\1|p' "$kgomod"); do
      go mod edit -replace="$m=$m@v0.$minor"
    done
    gd=$(sed -n 's/^godebug //p' "$kgomod")
    [[ -z $gd ]] || go mod edit -godebug="$gd"
    go get -tool "k8s.io/kubernetes/cmd/"{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl,kubelet}"@$K8S_VERSION"
    local out
    out=$(mktemp -d)
    gobuild -ldflags "$(version_ldflags)" -o "$out/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl k8s.io/kubernetes/cmd/kubelet
    for b in kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet; do
      mv "$out/$b" "$(bin "$b" "$K8S_VERSION")"
    done
    rmdir "$out"
  )
}

build_etcd() {
  [[ -x $(bin etcd "$ETCD_VERSION") && -x $(bin etcdctl "$ETCD_VERSION") ]] && return 0
  log "building etcd $ETCD_VERSION"
  # etcd's server module has replace directives too: build it as a dependency of a module of ours.
  local mod=$CACHE/src/etcd-$ETCD_VERSION
  mkdir -p "$mod" "$BIN"
  (
    cd "$mod"
    [[ -f go.mod ]] || go mod init gearbox.invalid/etcdbin >/dev/null 2>&1
    go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "go.etcd.io/etcd/etcdctl/v3@$ETCD_VERSION"
    gobuild -ldflags "-s -w" -o "$(bin etcd "$ETCD_VERSION").tmp" go.etcd.io/etcd/server/v3
    gobuild -ldflags "-s -w" -o "$(bin etcdctl "$ETCD_VERSION").tmp" go.etcd.io/etcd/etcdctl/v3
    mv "$(bin etcd "$ETCD_VERSION").tmp" "$(bin etcd "$ETCD_VERSION")"
    mv "$(bin etcdctl "$ETCD_VERSION").tmp" "$(bin etcdctl "$ETCD_VERSION")"
  )
}

goinstall() {  # goinstall NAME VERSION PACKAGE [LDFLAGS]: modules without replace directives
  [[ -x $(bin "$1" "$2") ]] && return 0
  log "building $1 $2"
  local tmp
  tmp=$(mktemp -d)
  GOBIN=$tmp go install -trimpath -pgo=off -ldflags "-s -w ${4:-}" "$3@$2"
  mkdir -p "$BIN"
  mv "$tmp/$1" "$(bin "$1" "$2")"
  rmdir "$tmp"
}

kwok_stages() {  # kwok's stage and metrics configurations ship inside its module
  local f=$CACHE/kwok-config-$KWOK_VERSION.yaml d first=1 s
  [[ -s $f ]] && { with_pod_ready_delay "$f"; return 0; }
  d=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  for s in stage/node/fast/node-initialize.yaml stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    stage/pod/fast/pod-ready.yaml stage/pod/fast/pod-complete.yaml stage/pod/fast/pod-delete.yaml \
    metrics/resource/metrics-resource.yaml metrics/usage/usage-from-annotation.yaml; do
    [[ -f $d/kustomize/$s ]] || die "kwok $KWOK_VERSION has no kustomize/$s"
    ((first)) || echo "---"
    first=0
    cat "$d/kustomize/$s"
  done >"$f.tmp"
  mv "$f.tmp" "$f"
  with_pod_ready_delay "$f"
}

# The stage configuration with the pod-ready stage delayed by KWOK_POD_READY_DELAY_MS (a file of
# its own beside the cached one; the stage's selector still waits for the Pod to be Pending).
with_pod_ready_delay() {
  local delay=${KWOK_POD_READY_DELAY_MS:-0} f
  ((delay > 0)) || { echo "$1"; return 0; }
  f=${1%.yaml}-ready-after-${delay}ms.yaml
  awk -v ms="$delay" '{ print } /^  name: pod-ready$/ { armed = 1 }
    armed && /^spec:$/ { print "  delay:\n    durationMilliseconds: " ms; armed = 0 }' "$1" >"$f.tmp"
  mv "$f.tmp" "$f"
  echo "$f"
}

link_path() {  # unversioned names for PATH
  mkdir -p "$CACHE/path"
  ln -sfn "$(bin kubectl "$K8S_VERSION")" "$CACHE/path/kubectl"
  ln -sfn "$(bin helm "$HELM_VERSION")" "$CACHE/path/helm"
  ln -sfn "$(bin etcdctl "$ETCD_VERSION")" "$CACHE/path/etcdctl"
}

build_helm() {
  goinstall helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm \
    "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
}

build_all() {
  command -v go >/dev/null || die "go is not installed"
  build_etcd
  build_k8s
  goinstall kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
  goinstall metrics-server "$MS_VERSION" sigs.k8s.io/metrics-server/cmd/metrics-server
  build_helm
  kwok_stages >/dev/null
  link_path
}

# -------------------------------------------------------------------------------------- pki ----
pki() {
  [[ -f $PKI/done ]] && return 0
  rm -rf "$PKI"
  mkdir -p "$PKI"
  (
    cd "$PKI"
    key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
    ca() {  # ca NAME CN
      key "$1.key"
      openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 30 -out "$1.crt" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    }
    sign() {  # sign CA NAME SUBJECT EXTENDED_KEY_USAGE [SUBJECT_ALT_NAME]
      key "$2.key"
      openssl req -new -key "$2.key" -subj "$3" -out "$2.csr" 2>/dev/null
      {
        echo "basicConstraints=CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=$4"
        [[ -z ${5:-} ]] || echo "subjectAltName=$5"
      } >"$2.ext"
      openssl x509 -req -in "$2.csr" -CA "$1.crt" -CAkey "$1.key" -CAcreateserial -days 30 \
        -extfile "$2.ext" -out "$2.crt" 2>/dev/null
      rm -f "$2.csr" "$2.ext"
    }
    ca ca gearbox-test-ca
    ca front-proxy-ca gearbox-test-front-proxy-ca
    sign ca apiserver "/CN=kube-apiserver" serverAuth \
      "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:10.0.0.1,IP:$POD_GATEWAY"
    sign ca admin "/O=system:masters/CN=admin" clientAuth
    sign ca kwok "/CN=kwok" serverAuth "DNS:localhost,IP:127.0.0.1"
    sign front-proxy-ca front-proxy-client "/CN=front-proxy-client" clientAuth
    key sa.key
    openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
    touch done
  )
}

write_kubeconfig() {
  local k
  k=$(bin kubectl "$K8S_VERSION")
  "$k" config --kubeconfig="$KCFG" set-cluster gearbox-test --server="https://127.0.0.1:$API_PORT" \
    --certificate-authority="$PKI/ca.crt" --embed-certs=true >/dev/null
  "$k" config --kubeconfig="$KCFG" set-credentials admin --client-certificate="$PKI/admin.crt" \
    --client-key="$PKI/admin.key" --embed-certs=true >/dev/null
  "$k" config --kubeconfig="$KCFG" set-context gearbox-test --cluster=gearbox-test --user=admin >/dev/null
  "$k" config --kubeconfig="$KCFG" use-context gearbox-test >/dev/null
}

# -------------------------------------------------------------------------------- processes ----
pid_of() {  # the pid a component was started with, if that process still runs that binary
  local f=$RUN/$1.pid pid want="$BIN/$1-"
  [[ ! -f $RUN/$1.marker ]] || want=$(<"$RUN/$1.marker") # not one of our binaries: see start_marked
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  [[ -r /proc/$pid/cmdline ]] || return 1
  # No pipe into grep -q here: with pipefail, grep quitting early makes tr die of SIGPIPE and a
  # running component look gone (seen with kube-controller-manager's long command line).
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *"$want"* ]] || return 1
  echo "$pid"
}

# The process started for NAME still exists. Right after start() it may not have exec'd its
# binary yet (its command line is still this script's), so this does not look at the binary.
alive() {
  local f=$RUN/$1.pid
  [[ -f $f ]] && kill -0 "$(<"$f")" 2>/dev/null
}

start() {  # start NAME BINARY ARGS...
  local name=$1
  shift
  pid_of "$name" >/dev/null && die "$name is already running (pid $(pid_of "$name")); run '$0 down' first"
  printf '%q ' "$@" >"$RUN/$name.cmd"
  "$@" >>"$RUN/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  log "started $name (pid $!, log $RUN/$name.log)"
}

start_marked() {  # start_marked NAME MARKER CMD...: a command that is not one of our binaries;
  local name=$1 # pid_of knows it by MARKER, a part of its command line
  echo "$2" >"$RUN/$name.marker"
  shift 2
  start "$name" "$@"
}

fail_component() {  # name the component, show the tail of its log, stop what was started, exit 1
  local name=$1 why=$2
  {
    echo "[cluster] ERROR: $name $why"
    echo "[cluster] ---- last 40 lines of $RUN/$name.log ----"
    tail -n 40 "$RUN/$name.log" 2>/dev/null || echo "(no log)"
    echo "[cluster] ----"
  } >&2
  stop_all
  exit 1
}

wait_for() {  # wait_for COMPONENT WHAT SECONDS CMD...: fails fast if COMPONENT's process dies
  local name=$1 what=$2 t=$3 i
  shift 3
  for ((i = 0; i < t * 4; i++)); do
    if "$@" >/dev/null 2>&1; then
      log "$what: ok"
      return 0
    fi
    alive "$name" || fail_component "$name" "exited while waiting for: $what"
    sleep 0.25
  done
  fail_component "$name" "was not ready after ${t}s (waiting for: $what)"
}

healthz() { curl -fsk --max-time 2 "https://127.0.0.1:$1/healthz"; }
kc() { "$(bin kubectl "$K8S_VERSION")" --kubeconfig="$KCFG" "$@"; }

fake_nodes() {
  local i n
  for ((i = 0; i < KWOK_NODES; i++)); do
    n=kwok-node-$i
    kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $n
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/$n/metrics/resource
  labels: {type: kwok, kubernetes.io/hostname: $n, kubernetes.io/os: linux, kubernetes.io/arch: amd64}
status:
  allocatable: {cpu: "32", memory: 128Gi, pods: "250"}
  capacity: {cpu: "32", memory: 128Gi, pods: "250"}
EOF
  done
}

metrics_apiservice() {
  kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: kube-system}
spec: {type: ExternalName, externalName: 127.0.0.1}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
  service: {name: metrics-server, namespace: kube-system, port: $MS_PORT}
EOF
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

up() {
  local with_node=0 p
  case ${1:-} in
  --with-node) with_node=1 ;;
  "") ;;
  *) die "up takes only --with-node" ;;
  esac
  build_all
  mkdir -p "$RUN"
  for p in "$ETCD_PORT" "$ETCD_PEER_PORT" "$API_PORT" "$KCM_PORT" "$SCHED_PORT" "$KWOK_PORT" "$MS_PORT"; do
    port_free "$p" || die "port 127.0.0.1:$p is in use (is a cluster already up? '$0 down' stops it)"
  done
  pki
  rm -rf "$RUN/etcd-data" "$RUN"/*.log "$RUN"/*.cmd

  start etcd "$(bin etcd "$ETCD_VERSION")" --name=gearbox --data-dir="$RUN/etcd-data" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="gearbox=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync=true \
    --listen-metrics-urls="http://127.0.0.1:0"
  wait_for etcd "etcd healthy" 30 curl -fs --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"

  start kube-apiserver "$(bin kube-apiserver "$K8S_VERSION")" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
    --cert-dir="$RUN/apiserver-certs" --tls-cert-file="$PKI/apiserver.crt" \
    --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" --authorization-mode=Node,RBAC \
    --service-account-issuer="https://127.0.0.1:$API_PORT" \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 --allow-privileged=true --endpoint-reconciler-type=none \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
    --proxy-client-key-file="$PKI/front-proxy-client.key" ${KUBE_APISERVER_EXTRA_ARGS:-}
  write_kubeconfig
  wait_for kube-apiserver "kube-apiserver /readyz" 120 kc get --raw /readyz

  start kube-controller-manager "$(bin kube-controller-manager "$K8S_VERSION")" \
    --kubeconfig="$KCFG" --authentication-kubeconfig="$KCFG" --authorization-kubeconfig="$KCFG" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --use-service-account-credentials=false --controllers='*' --kube-api-qps=200 --kube-api-burst=400 \
    --concurrent-deployment-syncs=10 --concurrent-replicaset-syncs=10 ${KCM_EXTRA_ARGS:-}
  wait_for kube-controller-manager "kube-controller-manager /healthz" 60 healthz "$KCM_PORT"
  wait_for kube-controller-manager "ServiceAccount default/default" 60 kc -n default get serviceaccount default

  start kube-scheduler "$(bin kube-scheduler "$K8S_VERSION")" \
    --kubeconfig="$KCFG" --authentication-kubeconfig="$KCFG" --authorization-kubeconfig="$KCFG" \
    --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --leader-elect=false \
    --kube-api-qps=200 --kube-api-burst=400
  wait_for kube-scheduler "kube-scheduler /healthz" 60 healthz "$SCHED_PORT"

  start kwok "$(bin kwok "$KWOK_VERSION")" --kubeconfig="$KCFG" --config="$(kwok_stages)" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip=127.0.0.1 --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
    --tls-cert-file="$PKI/kwok.crt" --tls-private-key-file="$PKI/kwok.key" \
    --node-lease-duration-seconds=40 --cidr=10.244.0.0/16
  wait_for kwok "kwok /healthz" 60 healthz "$KWOK_PORT"
  fake_nodes
  # kubectl wait checks the nodes one after the other: give it a second per few nodes.
  wait_for kwok "$KWOK_NODES KWOK nodes Ready" 60 kc wait --for=condition=Ready node -l type=kwok \
    --timeout="$((KWOK_NODES / 4 + 1))s"

  start metrics-server "$(bin metrics-server "$MS_VERSION")" \
    --kubeconfig="$KCFG" --authentication-kubeconfig="$KCFG" --authorization-kubeconfig="$KCFG" \
    --bind-address=127.0.0.1 --secure-port="$MS_PORT" --cert-dir="$RUN/metrics-server-certs" \
    --kubelet-insecure-tls --kubelet-use-node-status-port \
    --kubelet-preferred-address-types=InternalIP --metric-resolution=10s --kubelet-request-timeout=5s
  metrics_apiservice
  wait_for metrics-server "APIService v1beta1.metrics.k8s.io Available" 90 \
    kc wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=1s

  ((!with_node)) || node_up
  log "cluster up: export KUBECONFIG=$KCFG  (or: eval \"\$($0 env)\")"
}

# What hack/node.sh needs to know, for env(1).
NODE_ENV=("RUN=$RUN" "PKI=$PKI" "BIN=$BIN" "CACHE=$CACHE" "K8S_VERSION=$K8S_VERSION" "API_PORT=$API_PORT"
  "NODE_NAME=$NODE_NAME" "POD_GATEWAY=$POD_GATEWAY" "NODE_FORWARD_PORTS=$NODE_FORWARD_PORTS")
node_sh() { env "${NODE_ENV[@]}" bash "$HACK/node.sh" "$@"; }

node_up() {  # the real node (hack/node.sh): its files, its bridges, itself; the pause image
  node_sh up
  echo "$NODE_FORWARD_PORTS" >"$RUN/node/forward-ports"
  local port
  for port in $API_PORT $NODE_FORWARD_PORTS; do
    start_marked "node-port-$port" "UNIX-LISTEN:$RUN/node/port-$port.sock" \
      socat "UNIX-LISTEN:$RUN/node/port-$port.sock,fork,unlink-early" "TCP:127.0.0.1:$port"
  done
  start_marked node "node.sh run" \
    env "${NODE_ENV[@]}" unshare --mount --net --propagation private bash "$HACK/node.sh" run
  wait_for node "containerd" 30 test -S "$RUN/node/containerd.sock"
  node_sh import "$(node_sh pause-image)" gearbox.local/pause
  wait_for node "node $NODE_NAME Ready" 180 kc wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
}

stop_one() {
  local name=$1 pid n
  if pid=$(pid_of "$name"); then
    kill "$pid" 2>/dev/null || true
    for ((n = 0; n < 40; n++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) ignored SIGTERM for 10s; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$RUN/$name.pid"
}

stop_all() {  # stop what "up" started, newest first; only pids that still run our binaries
  local i
  if [[ -d $RUN/node ]]; then
    local node_parts
    mapfile -t node_parts < <(node_components)
    for ((i = ${#node_parts[@]} - 1; i >= 0; i--)); do stop_one "${node_parts[i]}"; done
    node_sh down
  fi
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_one "${COMPONENTS[i]}"; done
}

restart() {  # restart NAME: same binary, same flags, same log (appended)
  local name=${1:-}
  [[ -f $RUN/$name.cmd ]] || die "unknown or never started component '$name' (one of: ${COMPONENTS[*]})"
  stop_one "$name"
  local cmd
  cmd=$(<"$RUN/$name.cmd")
  eval "start $name $cmd"
  case $name in
  etcd) wait_for etcd "etcd healthy" 30 curl -fs --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" ;;
  kube-apiserver) wait_for kube-apiserver "kube-apiserver /readyz" 120 kc get --raw /readyz ;;
  kube-controller-manager) wait_for "$name" "$name /healthz" 60 healthz "$KCM_PORT" ;;
  kube-scheduler) wait_for "$name" "$name /healthz" 60 healthz "$SCHED_PORT" ;;
  kwok) wait_for kwok "kwok /healthz" 60 healthz "$KWOK_PORT" ;;
  metrics-server) wait_for "$name" "metrics API" 90 kc get --raw /apis/metrics.k8s.io/v1beta1/nodes ;;
  esac
}

down() {
  stop_all
  rm -rf "$RUN/etcd-data" "$RUN/pki" "$RUN/apiserver-certs" "$RUN/metrics-server-certs" "$KCFG"
}

status() {
  local name pid rc=0 names=("${COMPONENTS[@]}")
  [[ ! -d $RUN/node ]] || mapfile -t -O "${#names[@]}" names < <(node_components)
  for name in "${names[@]}"; do
    if pid=$(pid_of "$name"); then echo "$name: running (pid $pid)"; else
      echo "$name: not running"
      rc=1
    fi
  done
  return $rc
}

env_out() {
  echo "export KUBECONFIG=$KCFG"
  echo "export PATH=$CACHE/path:\$PATH"
}

case ${1:-} in
build) build_all ;;
# Another Go tool into the same cache (hack/release.sh: cosign, the registry); prints its path.
tool) goinstall "${2:?usage: $0 tool NAME VERSION PACKAGE [LDFLAGS]}" "${3:?}" "${4:?}" "${5:-}" && bin "$2" "$3" ;;
helm) build_helm && bin helm "$HELM_VERSION" ;;
up) up "${2:-}" ;;
down) down ;;
status) status ;;
env) env_out ;;
restart) restart "${2:-}" ;;
import) node_sh import "${2:?usage: $0 import ARCHIVE [BASE-NAME]}" "${3:-}" ;;
ctr) shift && node_sh ctr "$@" ;;
logs) node_sh logs "${2:?usage: $0 logs NAMESPACE POD}" "${3:?usage: $0 logs NAMESPACE POD}" ;;
etcdctl)
  shift
  "$(bin etcdctl "$ETCD_VERSION")" --endpoints="http://127.0.0.1:$ETCD_PORT" "$@"
  ;;
*)
  echo "usage: $0 build|helm|tool NAME VERSION PACKAGE|up [--with-node]|down|status|env|restart NAME|import ARCHIVE [BASE-NAME]|logs NS POD|ctr ARGS|etcdctl ARGS" >&2
  exit 2
  ;;
esac
