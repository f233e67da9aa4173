#!/usr/bin/env bash
# hack/demo.sh -- Gearbox's main job on one machine: a real local control plane, shown working.
# (Issue 6 turns this into the full autoscaling demo.) The cluster stays up afterwards so you can
# look around: eval "$(hack/cluster.sh env)"; stop it with hack/cluster.sh down. KEEP=0 stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bash hack/deps.sh
cmake -S . -B build -G Ninja >/dev/null && cmake --build build >/dev/null
bash hack/cluster.sh status >/dev/null 2>&1 || { bash hack/cluster.sh down >/dev/null 2>&1 || true; bash hack/cluster.sh up; }
eval "$(bash hack/cluster.sh env)"
[[ ${KEEP:-1} == 1 ]] || trap 'bash hack/cluster.sh down' EXIT

say "gearbox-controller"
build/controller/gearbox-controller --version

say "the control plane"
kubectl version
kubectl get nodes -o wide

say "a Deployment on fake KWOK nodes, using 150m CPU per pod"
kubectl create namespace demo --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl -n demo apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {kwok.x-k8s.io/usage-cpu: 150m}}
    spec:
      containers: [{name: web, image: example.invalid/web:1, resources: {requests: {cpu: 200m}}}]
YAML
kubectl -n demo rollout status deployment/web --timeout=60s
kubectl -n demo get pods -o wide

say "scaling it through its /scale subresource to 4"
kubectl -n demo patch deployment web --subresource=scale --type=merge -p '{"spec":{"replicas":4}}'
kubectl -n demo rollout status deployment/web --timeout=60s
kubectl -n demo get deployment,replicaset,pods

say "metrics.k8s.io (what the HPA and Gearbox read; first report takes up to ~30 s)"
for _ in $(seq 60); do kubectl -n demo top pods 2>/dev/null | grep -q web && break; sleep 1; done
kubectl -n demo top pods

say "done"
if [[ ${KEEP:-1} == 1 ]]; then
  echo "The cluster is still up:  eval \"\$(hack/cluster.sh env)\"; kubectl get pods -A"
  echo "Stop it with:             hack/cluster.sh down"
fi
