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
# It prints what Gearbox does as it happens with kubectl itself: the policy's Events, its row of
# `kubectl get sp -o wide` every 20 s, `kubectl describe scalingpolicy storefront` on the way up
# (in Large), at the peak (in Enterprise) and at the end (back in Small). Every poll it records a
# row of the metrics, the phase, the replicas and their bounds, and the thresholds; at the end
# hack/demo-plot.gp (gnuplot) draws them. All of it is kept in /tmp/gearbox-demo (story.tsv,
# get-wide.txt, describe-*.txt, demo.png); DEMO_PLOT_TO_DOCS=1 also copies the picture to
# docs/demo.png. About 9 minutes; SCENARIO=SECONDS:USERS,... changes the story. The cluster stays
# up afterwards (KEEP=0 stops it): eval "$(hack/cluster.sh env)"; kubectl get sp -A
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
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target gearbox-controller >/dev/null  # the image's; hack/test.sh builds the rest
bash hack/image.sh --binary build/controller/gearbox-controller 2>&1 | grep -v '^\[image\]   '
if ! bash hack/cluster.sh status 2>/dev/null | grep -q '^node: running'; then
  bash hack/cluster.sh down >/dev/null 2>&1 || true
  bash hack/cluster.sh up --with-node
fi
eval "$(bash hack/cluster.sh env)"

stop_helpers() {  # the load simulator, Prometheus and Redis (of this run or of one that was killed)
  # (the pid file of an earlier run names a process that is gone: kill fails, the demo goes on)
  if [[ -f $WORK/loadsim.pid ]]; then kill "$(cat "$WORK/loadsim.pid")" 2>/dev/null || true; fi
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

# What the demo keeps in $WORK besides its logs: a row per poll for the plot, the policy's row of
# `kubectl get -o wide` every 20 s, and `kubectl describe` at three points of the story.
DATA=$WORK/story.tsv
GET_WIDE=$WORK/get-wide.txt
PLOT=$WORK/demo.png
read -ra PHASES <<<"$(kubectl -n "$NS" get sp storefront -o jsonpath='{.spec.phases.list[*].name}')"
COMPONENTS=$(kubectl -n "$NS" get sp storefront -o jsonpath='{.spec.components[*].name}')

# Appends one row to $DATA from the policy as `kubectl get -o json` gives it (on stdin, read
# once): the seconds since $1 (the start, in epoch seconds), each metric's value, the phase (its
# index in the roadmap), each component's current and desired replicas and bounds, and each rule's
# threshold (<component>_<up|down>_<metric>); the header first, from the spec, so the columns stay
# the same all along. Prints the phase's name.
record_row() {
  python3 -c '
import json, sys, time
start, path = float(sys.argv[1]), sys.argv[2]
try:
    policy = json.load(sys.stdin)
except ValueError:  # the API server did not answer this time: no row
    sys.exit(0)
spec, status = policy["spec"], policy.get("status", {})
row = {"t": round(time.time() - start, 1)}
values = {m["name"]: m.get("value") for m in status.get("metrics", [])}
row.update({m["name"]: values.get(m["name"]) for m in spec.get("metrics", [])})
phases = [p["name"] for p in spec.get("phases", {}).get("list", [])]
phase = status.get("phase", "")
row["phase"] = phases.index(phase) if phase in phases else None
seen = {c["name"]: c for c in status.get("components", [])}
fields = (("cur", "currentReplicas"), ("desired", "desiredReplicas"),
          ("min", "minReplicas"), ("max", "maxReplicas"))
for c in spec["components"]:
    for column, field in fields:
        row[c["name"] + "_" + column] = seen.get(c["name"], {}).get(field)
for c in spec["components"]:
    for direction in ("up", "down"):
        rules = c.get("scale" + direction.capitalize(), {})
        for rule in rules.get("anyOf", []) + rules.get("allOf", []):
            threshold = rule.get("above", rule.get("below"))
            row["%s_%s_%s" % (c["name"], direction, rule["metric"])] = threshold
with open(path, "a") as out:
    if out.tell() == 0:
        out.write("\t".join(row) + "\n")
    out.write("\t".join("NaN" if v is None else str(v) for v in row.values()) + "\n")
print(phase)' "$1" "$DATA"
}

# Prints the policy's row of `kubectl get -o wide`, the header too the first time, each line
# after the seconds since the start ($1), and appends them to $GET_WIDE. (With the header asked
# for and dropped, rather than --no-headers, the columns are as wide as the header's.)
get_wide() {
  local first=2
  [[ -s $GET_WIDE ]] || first=1
  kubectl -n "$NS" get sp storefront -o wide | sed "1s/^/TIME  /; 2s/^/$(printf '%-6s' "${1}s")/" |
    tail -n +$first | tee -a "$GET_WIDE" | sed 's/^/  /'
}

# `kubectl describe` at a point of the story ($2), kept in $WORK/describe-$1.txt.
describe_at() {
  say "kubectl describe scalingpolicy storefront: $2"
  kubectl -n "$NS" describe scalingpolicy storefront | tee "$WORK/describe-$1.txt"
}

# The picture of $DATA (hack/demo-plot.gp): $PLOT, copied to docs/demo.png with DEMO_PLOT_TO_DOCS=1.
plot_story() {
  gnuplot -e "data='$DATA'; out='$PLOT'; phases='${PHASES[*]}'; components='$COMPONENTS'" \
    hack/demo-plot.gp
  if [[ ${DEMO_PLOT_TO_DOCS:-0} == 1 ]]; then
    cp "$PLOT" docs/demo.png && echo "copied to docs/demo.png"
  fi
}

say "the story: users $SCENARIO (seconds:users)"
total=0
for step in ${SCENARIO//,/ }; do total=$((total + ${step%%:*})); done
seen=$WORK/seen-events
: >"$seen"
start=$(date +%s)
last_table=0
# The points of the story at which it describes the policy: on the way up, 10 s into the phase
# before the last (the storefront's Large: its topology grows); at the peak, 45 s into the last
# (Enterprise: the app at its maximum); at the end, back in the first (Small).
UP=${PHASES[-2]} PEAK=${PHASES[-1]} END=${PHASES[0]}
declare -A first_seen=()
phase=
# The scenario, and then up to 60 s more if the policy is not back in the first phase yet.
in_story() {
  local elapsed=$(($(date +%s) - start))
  ((elapsed < total)) || { [[ $phase != "$END" ]] && ((elapsed < total + 60)); }
}
while in_story; do
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
  phase=$(kubectl -n "$NS" get sp storefront -o json 2>/dev/null | record_row "$start") || phase=
  now=$(date +%s)
  [[ -n $phase && -z ${first_seen[$phase]:-} ]] && first_seen[$phase]=$now
  into=0  # seconds since the policy first reached this phase
  [[ -z $phase ]] || into=$((now - first_seen[$phase]))
  if [[ $phase == "$UP" && ! -f $WORK/describe-1-up.txt ]] && ((into >= 10)); then
    describe_at 1-up "on the way up, $into s into $UP"
  elif [[ $phase == "$PEAK" && ! -f $WORK/describe-2-peak.txt ]] && ((into >= 45)); then
    describe_at 2-peak "at the peak, $into s into $PEAK"
  fi
  if ((now - last_table >= 20)); then
    last_table=$now
    tail -n 1 "$WORK/loadsim.log" | sed 's/^/  /'
    get_wide $((now - start))
  fi
  sleep 2
done

get_wide $(($(date +%s) - start))
describe_at 3-end "at the end, in ${phase:-no phase}"
say "kubectl get scalingpolicies -o wide"
kubectl -n "$NS" get scalingpolicies -o wide
say "the plot"
plot_story
say "done"
echo "kept in $WORK:"
ls -l "$PLOT" "$DATA" "$GET_WIDE" "$WORK"/describe-*.txt |
  awk '{printf "  %-42s %7d bytes\n", $NF, $5}'
echo "The cluster is still up: eval \"\$(hack/cluster.sh env)\"; kubectl -n $NS get sp,deploy"
