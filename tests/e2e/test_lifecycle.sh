#!/usr/bin/env bash
# The chart's whole life as a user lives it (issue 13), with the controller running from its image
# (hack/image.sh) as two Pods on the real node of "hack/cluster.sh up --with-node", configured from
# inside the cluster (ServiceAccount token and CA, KUBERNETES_SERVICE_HOST):
#   install an older chart (whose CRD lacks spec.topologyStepTimeout), taking over the CRD that
#     kubectl applied -> two Ready Pods, one Lease holder, a policy scaled by them, and the quick
#     start's first policy (docs/quickstart.md) scaling its Deployment;
#   kill the leader (SIGKILL to its container, then its Pod deleted) -> another controller takes
#     the Lease and goes on scaling;
#   upgrade to this chart -> the CRD change reaches the cluster;
#   upgrade with other values (concurrency, watchNamespaces, logLevel) -> the Pods roll, serve;
#   roll back to the previous revision -> the values are back, the Pods serve;
#   uninstall -> no object of the release is left (the Lease included); the CRD and the
#     ScalingPolicies stay.
#
#   tests/e2e/test_lifecycle.sh [IMAGE_ARCHIVE]   (default build-image/gearbox-controller.oci.tar)
#   tests/e2e/test_lifecycle.sh --registry RELEASE_WORK
#       the same life from a real OCI registry (the CNCF distribution registry on 127.0.0.1:15001,
#       which the node reaches through its forwarded port), as users of a release have it:
#       hack/release.sh --push (RELEASE_WORK: the release tests' build and lock, reused), the older
#       chart pushed as version VERSION-previous; both charts' and the image's signatures verified
#       (cosign, the release's key) before they are installed; helm install oci://.../gearbox
#       --version VERSION-previous, the node's containerd pulling the image index from the
#       registry; helm upgrade to the pushed VERSION; helm rollback; after the uninstall, the quick
#       start's commands read from docs/quickstart.md (tests/e2e/lifecycle_quickstart.sh).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/tests/lib/assert.sh"
source "$ROOT/tests/lib/registry.sh"
FROM_REGISTRY=0 REGISTRY_PORT=15001
if [[ ${1:-} == --registry ]]; then
  FROM_REGISTRY=1 RELEASE_WORK=${2:?usage: $0 --registry RELEASE_WORK}
  export NODE_FORWARD_PORTS=$REGISTRY_PORT # the node's containerd pulls from 127.0.0.1:15001
fi
# A cluster of its own, with the real node, on ports of its own: the other tests' cluster has no
# node (on it, after the integration tests, metrics-server once lost the KWOK nodes' addresses).
CLUSTER=$ROOT/hack/cluster.sh
export GEARBOX_CLUSTER_DIR=/tmp/gearbox-lifecycle-cluster API_PORT=19443 ETCD_PORT=26791 \
  ETCD_PEER_PORT=26801 KCM_PORT=19457 SCHED_PORT=19459 KWOK_PORT=19247 MS_PORT=19444
bash "$CLUSTER" down >/dev/null 2>&1
bash "$CLUSTER" up --with-node || { echo "FAIL - the lifecycle cluster with its node did not start"; exit 1; }
eval "$(bash "$CLUSTER" env)"
ARCHIVE=${1:-$ROOT/build-image/gearbox-controller.oci.tar}
REPO=ghcr.io/gearbox-dev/gearbox-controller
NS=gearbox-system REL=gearbox APP=lifecycle-app
NODE=gearbox-node
WORK=${GEARBOX_LIFECYCLE_DIR:-/tmp/gearbox-lifecycle}
t0=$(date +%s)
log() { echo "[lifecycle $(($(date +%s) - t0))s] $*"; }

# The cluster is this test's own: stopping it (and the registry) is the whole clean-up.
trap 'bash "$CLUSTER" down >/dev/null 2>&1; stop_registry' EXIT
kubectl apply --server-side -f "$ROOT/crds/" >/dev/null # as users have it: applied with kubectl
rm -rf "$WORK" && mkdir -p "$WORK"
setup() { check "$@" || { finish; exit 1; }; }

# ---- set-up: the node, the image in it (or in the registry), an older chart ----------------------
setup "the real node $NODE is Ready" kubectl wait --for=condition=Ready "node/$NODE" --timeout=60s
TAG=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ROOT/charts/gearbox/Chart.yaml")
# The previous chart: this one with a CRD that does not know spec.topologyStepTimeout yet.
cp -rL "$ROOT/charts/gearbox" "$WORK/chart-old"
kubectl patch --local -o yaml --type=json -f "$ROOT/crds/gearbox.dev_scalingpolicies.yaml" \
  -p '[{"op": "remove", "path": "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/topologyStepTimeout"}]' \
  >"$WORK/chart-old/files/gearbox.dev_scalingpolicies.yaml"
OLD_CHART=("$WORK/chart-old") NEW_CHART=("$ROOT/charts/gearbox") IMAGE=$REPO:$TAG
if ((FROM_REGISTRY)); then
  source "$HERE/lifecycle_registry.sh" # release, push, verify: sets OLD_CHART, NEW_CHART, IMAGE
else
  setup "the image imports into the node's containerd" \
    bash "$ROOT/hack/cluster.sh" import "$ARCHIVE" "$REPO"
fi
# Where the Pods run (the real node) and how they reach the API server (no kube-proxy here).
NODE_VALUES=(-f "$ROOT/hack/local-node-values.yaml" --set "apiServer.port=${API_PORT:?}")
# From the registry the node pulls the image (local-node-values.yaml says never: it is imported).
((!FROM_REGISTRY)) || NODE_VALUES+=(--set image.pullPolicy=IfNotPresent)

# ---- what the tests look at ----------------------------------------------------------------------
pods() { kubectl -n "$NS" get pods -l "app.kubernetes.io/instance=$REL" "$@"; }
ready_pods() { pods -o jsonpath='{range .items[?(@.status.containerStatuses[0].ready==true)]}{.metadata.name}{"\n"}{end}' | grep -c .; }
two_ready() { [[ $(ready_pods) == 2 && $(pods --no-headers | wc -l) == 2 ]]; }
holder() { kubectl -n "$NS" get lease "$REL" -o jsonpath='{.spec.holderIdentity}'; }
leader_pod() { local h; h=$(holder); echo "${h%_*}"; }
holder_is_a_pod() { local p; p=$(leader_pod); [[ -n $p ]] && pods -o name | grep -qx "pod/$p"; }
replicas() { kubectl -n "$APP" get deploy app -o jsonpath='{.spec.replicas}'; }
replicas_are() { [[ $(replicas) == "$1" ]]; }
arg_of() { kubectl -n "$NS" get deploy "$REL" -o jsonpath='{.spec.template.spec.containers[0].args}'; }
show() {
  log "kubectl get pods -n $NS -o wide:"
  kubectl get pods -n "$NS" -o wide | sed 's/^/    /'
  log "Lease $NS/$REL holder: $(holder)"
}
set_max() { kubectl -n "$APP" patch sp app --type=json -p "[{\"op\": \"replace\", \"path\": \"/spec/components/0/replicas/max\", \"value\": $1}]" >/dev/null; }

# ---- install ------------------------------------------------------------------------------------
setup "helm install (the older chart, taking over the CRD kubectl applied)" \
  helm install "$REL" "${OLD_CHART[@]}" -n "$NS" --create-namespace --take-ownership \
  "${NODE_VALUES[@]}" --wait --timeout 180s
eventually 120 "two controller Pods Ready on $NODE" two_ready
equals "they run the image built here" "$IMAGE $IMAGE" \
  "$(pods -o jsonpath='{.items[*].spec.containers[0].image}')"
equals "on the real node" "$NODE $NODE" "$(pods -o jsonpath='{.items[*].spec.nodeName}')"
((!FROM_REGISTRY)) || check "the node's containerd pulled the image index from the registry" node_has_image
# kubectl logs cannot reach the node's kubelet (hack/node.sh): its log files are read instead.
logs_of() { bash "$ROOT/hack/cluster.sh" logs "$NS" "$1"; }
in_cluster() { logs_of "$1" | grep '"connected"' | grep -q '"config":"in-cluster"'; }
for pod in $(pods -o jsonpath='{.items[*].metadata.name}'); do
  check "$pod read the in-cluster configuration (ServiceAccount token and CA)" in_cluster "$pod"
done
# What the container runtime made of the security context, read from the processes themselves.
controller_pids() { pgrep -f '^/usr/local/bin/gearbox-controller'; }
as_nonroot_readonly() {
  local pid n=0
  for pid in $(controller_pids); do
    grep -q $'^Uid:\t65532\t' "/proc/$pid/status" || return 1
    awk '$5 == "/" {print $6}' "/proc/$pid/mountinfo" | grep -q '^ro' || return 1
    n=$((n + 1))
  done
  ((n == 2))
}
check "both controller processes run as uid 65532 on a read-only root file system" as_nonroot_readonly
eventually 60 "one of them holds the Lease" holder_is_a_pod
equals "the PodDisruptionBudget allows one disruption" 1 \
  "$(kubectl -n "$NS" get pdb "$REL" -o jsonpath='{.status.disruptionsAllowed}')"
equals "the CRD is the older chart's (no spec.topologyStepTimeout)" "" \
  "$(kubectl get crd scalingpolicies.gearbox.dev -o jsonpath='{.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.topologyStepTimeout.type}')"
show

kubectl create namespace "$APP" >/dev/null
setup "a Deployment at 95% CPU and its policy apply" kubectl -n "$APP" apply -f "$HERE/lifecycle.yaml"
eventually 120 "the controller in the cluster scales app 1 -> 4 (CPU above 70%, max 4)" replicas_are 4
# The quick start (docs/quickstart.md): its first policy, as the page shows it, on a Deployment at
# 95% CPU: scaled up from 2 as the HPA at 70% would (ceil(2 x 95 / 70) = 3).
setup "the quick start's Deployment applies" kubectl -n "$APP" apply -f "$HERE/quickstart-web.yaml"
setup "the quick start's first policy applies" \
  kubectl -n "$APP" apply -f "$ROOT/manifests/examples/quickstart.yaml"
web_is_3() { [[ $(kubectl -n "$APP" get deploy web -o jsonpath='{.spec.replicas}') == 3 ]]; }
eventually 90 "the quick start's policy scales web 2 -> 3 (CPU 95% above 70%)" web_is_3

# ---- the leader killed -------------------------------------------------------------------------
# First as a crash (SIGKILL to its container: no release, the Lease must expire), then as a Pod
# deleted at once (the kubelet's SIGTERM: the leader releases the Lease on its way out).
takes_over() { local h; h=$(holder); [[ -n $h && $h != "$1" ]] && holder_is_a_pod; }
old=$(holder) leader=$(leader_pod)
container=$(kubectl -n "$NS" get pod "$leader" -o jsonpath='{.status.containerStatuses[0].containerID}')
log "SIGKILL to the leader $leader (container ${container#containerd://})"
bash "$ROOT/hack/cluster.sh" ctr tasks kill -s SIGKILL "${container#containerd://}" >/dev/null
k0=$(date +%s)
eventually 60 "another controller takes the Lease once it expires" takes_over "$old"
log "the Lease went from $old to $(holder) $(($(date +%s) - k0)) s after the SIGKILL"
set_max 5
eventually 60 "the new leader scales app to 5 (max raised to 5)" replicas_are 5
eventually 120 "two Ready Pods again (the killed container restarted)" two_ready

old=$(holder) leader=$(leader_pod)
log "deleting the leader Pod $leader (--grace-period=0 --force)"
kubectl -n "$NS" delete pod "$leader" --grace-period=0 --force >/dev/null 2>&1
k0=$(date +%s)
other_leads() { takes_over "$old" && [[ $(leader_pod) != "$leader" ]]; }
eventually 60 "the other Pod takes the Lease" other_leads
log "the Lease went from $old to $(holder) $(($(date +%s) - k0)) s after the delete"
set_max 6
eventually 60 "the new leader scales app to 6" replicas_are 6
eventually 120 "the ReplicaSet brings back a second Ready Pod" two_ready
show

# ---- upgrade: the CRD, then values --------------------------------------------------------------
setup "helm upgrade to this chart" \
  helm upgrade "$REL" "${NEW_CHART[@]}" -n "$NS" "${NODE_VALUES[@]}" --wait --timeout 180s
equals "the CRD change reached the cluster (spec.topologyStepTimeout)" string \
  "$(kubectl get crd scalingpolicies.gearbox.dev -o jsonpath='{.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.topologyStepTimeout.type}')"
check "the CRD is the release's and kept on uninstall" bash -c \
  "kubectl get crd scalingpolicies.gearbox.dev -o jsonpath='{.metadata.annotations}' | grep -q '\"helm.sh/resource-policy\":\"keep\"'"
setup "helm upgrade with concurrency=8, watchNamespaces={$APP}, logLevel=debug" \
  helm upgrade "$REL" "${NEW_CHART[@]}" -n "$NS" "${NODE_VALUES[@]}" \
  --set controller.concurrency=8 --set "controller.watchNamespaces={$APP}" --set controller.logLevel=debug \
  --wait --timeout 180s
args=$(arg_of)
check "the new values reach the Pods' flags" \
  bash -c '[[ $1 == *--concurrency=8* && $1 == *--namespace=$2* && $1 == *--log-level=debug* ]]' _ "$args" "$APP"
eventually 120 "two Ready Pods after the roll" two_ready
eventually 60 "one of them holds the Lease" holder_is_a_pod
set_max 7
eventually 60 "the upgraded controller scales app to 7" replicas_are 7
show

# ---- rollback -----------------------------------------------------------------------------------
setup "helm rollback to the previous revision" helm rollback "$REL" -n "$NS" --wait --timeout 180s
args=$(arg_of)
check "the earlier values are back (concurrency=4, every namespace, logLevel=info)" \
  bash -c '[[ $1 == *--concurrency=4* && $1 != *--namespace=* && $1 == *--log-level=info* ]]' _ "$args"
eventually 120 "two Ready Pods after the rollback" two_ready
set_max 8
eventually 60 "the rolled-back controller scales app to 8" replicas_are 8
equals "helm history: install, two upgrades, the rollback deployed" "4 deployed" \
  "$(helm history "$REL" -n "$NS" -o json | python3 -c 'import json, sys; h = json.load(sys.stdin); print(len(h), h[-1]["status"])')"

# ---- uninstall ----------------------------------------------------------------------------------
setup "helm uninstall" helm uninstall "$REL" -n "$NS" --wait --timeout 120s
left() {
  kubectl -n "$NS" get deploy,rs,pods,sa,svc,pdb,role,rolebinding,configmap,secret,lease \
    -l "app.kubernetes.io/instance=$REL" -o name 2>/dev/null
  kubectl get clusterrole,clusterrolebinding -l "app.kubernetes.io/instance=$REL" -o name 2>/dev/null
}
none_left() { [[ -z $(left) ]]; }
eventually 60 "no object of the release is left" none_left
check "the CRD stays" kubectl get crd scalingpolicies.gearbox.dev
check "the ScalingPolicy stays" kubectl -n "$APP" get sp app
check "the controllers' Lease went with the release" bash -c "! kubectl -n $NS get lease $REL 2>/dev/null"

# ---- from the registry: the quick start's commands, as docs/quickstart.md gives them -----------
((!FROM_REGISTRY)) || source "$HERE/lifecycle_quickstart.sh"
finish
