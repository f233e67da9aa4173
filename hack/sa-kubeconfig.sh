#!/usr/bin/env bash
# hack/sa-kubeconfig.sh NAMESPACE SERVICEACCOUNT OUT [DURATION]
# Writes a kubeconfig at OUT that authenticates as the ServiceAccount with a token from the
# TokenRequest API (kubectl create token), against the cluster of the current KUBECONFIG. The demo
# and the e2e run the controller out of cluster with it, so the chart's RBAC is what is exercised.
set -euo pipefail
ns=${1:?namespace} sa=${2:?serviceaccount} out=${3:?output path} duration=${4:-24h}
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
ca=$(kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
token=$(kubectl -n "$ns" create token "$sa" --duration="$duration")
umask 077
cat >"$out" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: cluster
    cluster: {server: "$server", certificate-authority-data: "$ca"}
users:
  - name: $sa
    user: {token: "$token"}
contexts:
  - name: $sa
    context: {cluster: cluster, user: $sa, namespace: $ns}
current-context: $sa
YAML
