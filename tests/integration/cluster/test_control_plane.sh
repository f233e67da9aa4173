#!/usr/bin/env bash
# The control plane of hack/cluster.sh is real: a Deployment gets Running, Ready pods on KWOK nodes,
# its /scale subresource drives its ReplicaSet and pod count, and metrics.k8s.io reports pod usage.
set -uo pipefail
source "$(dirname "$0")/../../lib/assert.sh"
need_cluster

NS=it-control-plane-$$
trap 'kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1' EXIT
kubectl create namespace "$NS" >/dev/null

equals "server version is the one built" "${K8S_VERSION:-v1.36.3}" \
  "$(kubectl version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -n 1)"
check "RBAC authorization is on" bash -c \
  "kubectl api-versions | grep -qx rbac.authorization.k8s.io/v1 && ! kubectl auth can-i list pods --as=system:anonymous -A >/dev/null 2>&1"

kubectl -n "$NS" apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {kwok.x-k8s.io/usage-cpu: 60m}
    spec:
      containers:
        - name: web
          image: example.invalid/web:1
          resources: {requests: {cpu: 200m, memory: 64Mi}}
YAML

ready_pods() {
  kubectl -n "$NS" get pods -l app=web -o \
    jsonpath='{range .items[?(@.status.phase=="Running")]}{.metadata.name} {.spec.nodeName} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    awk '$2 ~ /^kwok-node-/ && $3 == "True"' | wc -l
}
live_pods() { kubectl -n "$NS" get pods -l app=web -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}x{{"\n"}}{{end}}{{end}}' | grep -c x; }
has_n_ready() { [[ $(ready_pods) == "$1" && $(live_pods) == "$1" ]]; }

eventually 60 "Deployment web gets 2 Running, Ready pods on KWOK nodes" has_n_ready 2
check "Deployment web reports 2 available replicas" bash -c \
  "[[ \$(kubectl -n $NS get deploy web -o jsonpath='{.status.availableReplicas}') == 2 ]]"

kubectl -n "$NS" patch deployment web --subresource=scale --type=merge -p '{"spec":{"replicas":5}}' >/dev/null
equals "/scale reads back 5" 5 "$(kubectl get --raw "/apis/apps/v1/namespaces/$NS/deployments/web/scale" |
  sed -n 's/.*"spec":{"replicas":\([0-9]*\)}.*/\1/p')"
rs_replicas() { kubectl -n "$NS" get rs -l app=web -o jsonpath='{.items[0].spec.replicas}'; }
eventually 30 "the ReplicaSet follows /scale to 5" bash -c "[[ \$(kubectl -n $NS get rs -l app=web -o jsonpath='{.items[0].spec.replicas}') == 5 ]]"
eventually 60 "5 Running, Ready pods after scaling up" has_n_ready 5

kubectl -n "$NS" patch deployment web --subresource=scale --type=merge -p '{"spec":{"replicas":1}}' >/dev/null
eventually 30 "the ReplicaSet follows /scale to 1" bash -c "[[ \$(kubectl -n $NS get rs -l app=web -o jsonpath='{.items[0].spec.replicas}') == 1 ]]"
eventually 60 "1 pod left after scaling down" has_n_ready 1

pod_metrics() { kubectl get --raw "/apis/metrics.k8s.io/v1beta1/namespaces/$NS/pods"; }
eventually 90 "metrics.k8s.io answers with the pod's usage" bash -c \
  "kubectl get --raw /apis/metrics.k8s.io/v1beta1/namespaces/$NS/pods | grep -q '\"cpu\"'"
usage=$(pod_metrics | sed -n 's/.*"cpu":"\([0-9]*\)\([mun]\)".*/\1 \2/p' | head -n 1)
millis=$(awk '{ v=$1; if ($2=="n") v=v/1e6; else if ($2=="u") v=v/1e3; printf "%d", v + 0.5 }' <<<"$usage")
check "reported usage ${millis}m is the annotated 60m (within 5m)" bash -c "(( $millis >= 55 && $millis <= 65 ))"

finish
