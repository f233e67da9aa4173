#!/usr/bin/env bash
# hack/demo.sh -- Gearbox's main job on one machine: the storefront of the scaling guide, scaled
# through its whole roadmap and back, on a real local control plane with simulated load.
#
#   the local control plane with one real node (hack/cluster.sh up --with-node), Prometheus and
#   Redis (hack/services.sh);
#   the controller image (hack/image.sh), loaded into the node;
#   Gearbox installed as users install it: helm install of the chart (the CRD, the RBAC, two
#   controller Pods from the image on the real node, one leading through a Lease);
#   the storefront policy (manifests/examples/storefront.yaml with minutes turned into seconds) and
#   its workloads: app and worker Deployments, a CloudNativePG Cluster, a RedisCluster;
#   the load simulator (hack/loadsim): users, CPU through KWOK, latency through a Prometheus
#   histogram, a real Bull queue, and the database and Redis operators.
#
# It prints what Gearbox does as it happens, and ends with `kubectl describe scalingpolicy
# storefront`. About 9 minutes; SCENARIO=SECONDS:USERS,... changes the story. The cluster stays up
# afterwards (KEEP=0 stops it): eval "$(hack/cluster.sh env)"; kubectl get sp -A
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
NS=shop
WORK=/tmp/gearbox-demo
SCENARIO=${SCENARIO:-40:400,80:5000,80:50000,80:300000,80:50000,80:5000,90:400}
export REDIS_PORT=${REDIS_PORT:-16379} PROM_PORT=${PROM_PORT:-19090}
LOADSIM_PORT=19100
export GEARBOX_SERVICES_DIR=$WORK/services SCRAPE_TARGETS=127.0.0.1:$LOADSIM_PORT

API_PORT=${API_PORT:-16443}
# The controller Pods reach Prometheus and Redis through the node's bridge address.
export NODE_FORWARD_PORTS="$PROM_PORT $REDIS_PORT"
POD_GATEWAY=10.89.0.1

say "dependencies, the build, the image, the local control plane with a real node"
bash hack/deps.sh
bash hack/node-deps.sh
bash hack/cluster.sh build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build >/dev/null
bash hack/image.sh --binary build/controller/gearbox-controller 2>&1 | grep -v '^\[image\]   '
if ! bash hack/cluster.sh status 2>/dev/null | grep -q '^node: running'; then
  bash hack/cluster.sh down >/dev/null 2>&1 || true
  bash hack/cluster.sh up --with-node
fi
eval "$(bash hack/cluster.sh env)"

stop_helpers() {  # the load simulator, Prometheus and Redis (of this run or of one that was killed)
  [[ -f $WORK/loadsim.pid ]] && kill "$(cat "$WORK/loadsim.pid")" 2>/dev/null
  bash hack/services.sh down >/dev/null 2>&1 || true
}
trap 'stop_helpers; [[ ${KEEP:-1} == 1 ]] || bash hack/cluster.sh down' EXIT
stop_helpers
rm -rf "$WORK" && mkdir -p "$WORK"
kubectl delete namespace "$NS" --wait=true --timeout=120s >/dev/null 2>&1 || true

say "Prometheus and Redis on loopback"
bash hack/services.sh up
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0 # the load simulator's; the controller's are the node's:
POLICY_PROMETHEUS_URL=http://$POD_GATEWAY:$PROM_PORT POLICY_REDIS_URL=redis://$POD_GATEWAY:$REDIS_PORT/0

say "helm install gearbox (the image, on the real node)"
kubectl apply -f tests/fixtures/crds/ >/dev/null  # stand-ins for the CloudNativePG and Redis operators' CRDs
bash hack/cluster.sh import build-image/gearbox-controller.oci.tar ghcr.io/gearbox-dev/gearbox-controller
# --take-ownership: the CRD may have been applied with kubectl by an earlier run or a test.
helm upgrade --install gearbox charts/gearbox -n gearbox-system --create-namespace --take-ownership \
  -f hack/local-node-values.yaml --set apiServer.port="$API_PORT" --set controller.logFormat=text \
  --wait --timeout 180s | head -n 6
kubectl -n gearbox-system get pods -o wide
for _ in $(seq 60); do
  holder=$(kubectl -n gearbox-system get lease gearbox -o jsonpath='{.spec.holderIdentity}' 2>/dev/null)
  [[ -n $holder ]] && break
  sleep 1
done
echo "leader (Lease gearbox-system/gearbox): ${holder:-none yet}"

say "the storefront: workloads and the ScalingPolicy"
kubectl create namespace "$NS" >/dev/null
kubectl -n "$NS" apply -f tests/e2e/workloads.yaml
sed -e "s|\${PROMETHEUS_URL}|$POLICY_PROMETHEUS_URL|g" -e "s|\${REDIS_URL}|$POLICY_REDIS_URL|g" \
  tests/e2e/storefront-fast.yaml >"$WORK/policies.yaml"
kubectl -n "$NS" apply -f "$WORK/policies.yaml"

NODE_PATH=$(bash hack/node-deps.sh path) REDIS_URL=$REDIS_URL node hack/loadsim/loadsim.js \
  --namespace "$NS" --port "$LOADSIM_PORT" --scenario "$SCENARIO" >"$WORK/loadsim.log" 2>&1 &
echo $! >"$WORK/loadsim.pid"
echo "controller: kubectl -n gearbox-system logs deploy/gearbox"

say "the story: users $SCENARIO (seconds:users)"
total=0
for step in ${SCENARIO//,/ }; do total=$((total + ${step%%:*})); done
seen=$WORK/seen-events
: >"$seen"
start=$(date +%s)
last_table=0
while (($(date +%s) - start < total)); do
  # Every Event about the policies, once, as it happens.
  kubectl -n "$NS" get events.events.k8s.io -o json 2>/dev/null | python3 -c '
import json, sys
seen = set(open(sys.argv[1]).read().split("\n"))
items = [e for e in json.load(sys.stdin)["items"] if e["regarding"]["kind"] == "ScalingPolicy"]
items.sort(key=lambda e: e.get("eventTime") or e["metadata"]["creationTimestamp"])
with open(sys.argv[1], "a") as out:
    for e in items:
        if e["metadata"]["name"] in seen:
            continue
        out.write(e["metadata"]["name"] + "\n")
        t = (e.get("eventTime") or "")[11:19]
        who, kind, why, note = e["regarding"]["name"], e["type"], e["reason"], e["note"]
        print(f"  {t} {who:<14} {kind:<7} {why:<15} {note}")
' "$seen"
  now=$(date +%s)
  if ((now - last_table >= 20)); then
    last_table=$now
    tail -n 1 "$WORK/loadsim.log" | sed 's/^/  /'
    kubectl -n "$NS" get sp storefront -o json | python3 -c '
import json, sys
st = json.load(sys.stdin).get("status", {})
pending = st.get("pendingPhase", {}).get("name")
line = "  phase " + st.get("phase", "?") + (" (" + pending + " pending)" if pending else "") + " |"
for c in st.get("components", []):
    line += " %s=%d (%d..%d)" % (c["name"], c["currentReplicas"], c["minReplicas"], c["maxReplicas"])
print(line)'
  fi
  sleep 2
done

say "kubectl get scalingpolicies"
kubectl -n "$NS" get scalingpolicies
say "kubectl describe scalingpolicy storefront"
kubectl -n "$NS" describe scalingpolicy storefront
say "done"
echo "The cluster is still up: eval \"\$(hack/cluster.sh env)\"; kubectl -n $NS get sp,deploy"
