#!/usr/bin/env bash
# The Helm chart: lints clean, the plain manifests are generated from it, it installs with helm
# into the real API server with Ready controller pods (on KWOK nodes), and its RBAC grants what
# the controller needs and nothing more.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
source "$ROOT/tests/lib/assert.sh"
need_cluster

NS=chart-test-$$
REL=gb-$$
SA=system:serviceaccount:$NS:$REL-gearbox
trap 'helm uninstall "$REL" -n "$NS" >/dev/null 2>&1; kubectl delete namespace "$NS" "$NS-team-a" --wait=false >/dev/null 2>&1' EXIT
# The ScalingPolicy CRD as other tests apply it (this release does not own it: crds.install=false),
# and the topology targets of the examples (CloudNativePG, Opstree Redis) as stand-in CRDs.
kubectl apply --server-side --force-conflicts -f "$ROOT/crds/" >/dev/null
kubectl apply -f "$ROOT/tests/fixtures/crds/" >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=30s >/dev/null

check "helm lint --strict passes" helm lint --strict "$ROOT/charts/gearbox"
crd=$(helm template x "$ROOT/charts/gearbox" --kube-version v1.36.3 --show-only templates/crd.yaml)
spec_of() { kubectl create --dry-run=client -o jsonpath='{.spec}' -f "$1"; }
same_spec() { [[ $(spec_of "$ROOT/crds/gearbox.dev_scalingpolicies.yaml") == "$(spec_of - <<<"$crd")" ]]; }
check "the chart's CRD has the spec of crds/" same_spec
check "the chart's CRD is kept on helm uninstall (helm.sh/resource-policy: keep)" \
  grep -q 'helm.sh/resource-policy: keep' <<<"$crd"
check "crds.install=false renders no CRD" bash -c \
  '! helm template x "$1" --kube-version v1.36.3 --set crds.install=false | grep -q "^kind: CustomResourceDefinition"' _ "$ROOT/charts/gearbox"
# A release's chart names its image by digest too (hack/release.sh sets image.digest).
digest=sha256:$(printf '%064d' 7)
image_line() { helm template x "$ROOT/charts/gearbox" --kube-version v1.36.3 --show-only templates/deployment.yaml "$@" | sed -n 's/^ *image: //p'; }
equals "image.digest pins the image (repository:tag@digest)" "\"ghcr.io/gearbox-dev/gearbox-controller:0.1.0@$digest\"" \
  "$(image_line --set image.digest="$digest")"
equals "without it the tag alone" '"ghcr.io/gearbox-dev/gearbox-controller:0.1.0"' "$(image_line)"
check "a digest that is not sha256:<64 hex> is refused by the schema" bash -c \
  '! helm template x "$1" --set image.digest=latest >/dev/null 2>&1' _ "$ROOT/charts/gearbox"
deployment=$(helm template x "$ROOT/charts/gearbox" --kube-version v1.36.3 --set apiServer.host=10.1.2.3 \
  --set apiServer.port=6443 --show-only templates/deployment.yaml)
check "apiServer.host/port set KUBERNETES_SERVICE_HOST/PORT" bash -c \
  '[[ $1 == *"{name: KUBERNETES_SERVICE_HOST, value: \"10.1.2.3\"}"* && $1 == *"{name: KUBERNETES_SERVICE_PORT, value: \"6443\"}"* ]]' _ "$deployment"
check "no PodDisruptionBudget at one replica (it would block every node drain)" bash -c \
  '! helm template x "$1" --kube-version v1.36.3 --set replicaCount=1 | grep -q "^kind: PodDisruptionBudget"' _ "$ROOT/charts/gearbox"
check "a PodDisruptionBudget at two replicas" bash -c \
  'helm template x "$1" --kube-version v1.36.3 | grep -q "^kind: PodDisruptionBudget"' _ "$ROOT/charts/gearbox"
netpol=$(helm template x "$ROOT/charts/gearbox" --kube-version v1.36.3 --set networkPolicy.enabled=true \
  --set 'networkPolicy.apiServerCIDRs={10.96.0.1/32}' --show-only templates/networkpolicy.yaml \
  -f "$ROOT/tests/integration/chart/networkpolicy-values.yaml")
check "networkPolicy.enabled renders a NetworkPolicy the API server accepts (server dry run)" bash -c \
  'kubectl apply -n default --dry-run=server -f - <<<"$1" >/dev/null' _ "$netpol"
check "the NetworkPolicy lets egress go only to DNS, the API server and the listed source" bash -c \
  '[[ $(kubectl create --dry-run=client -o jsonpath="{range .spec.egress[*]}{.ports[*].port}/{.to[*].ipBlock.cidr}{.to[*].namespaceSelector.matchLabels}; {end}" -f - <<<"$1") == "53 53/; 443 6443/10.96.0.1/32; 9090/{\"kubernetes.io/metadata.name\":\"monitoring\"}; " ]]' _ "$netpol"
check "a target sized by replicasField: the controller allows that field for that kind, may patch the resource, no /scale" bash -c \
  'out=$(helm template x "$1" --kube-version v1.36.3); [[ $out == *"--replicas-field=RedisCluster.redis.redis.opstreelabs.in=spec.clusterSize"* && $out != *"redisclusters/scale"* && $out == *"clusters/scale"* ]]' _ "$ROOT/charts/gearbox"
# values.schema.json: each wrong values file is refused with the message its first line expects.
for f in "$ROOT"/tests/integration/chart/invalid-values/*.yaml; do
  want=$(sed -n '1s/^# expect: //p' "$f")
  out=$(helm template x "$ROOT/charts/gearbox" --kube-version v1.36.3 -f "$f" 2>&1)
  rc=$?
  check "values.schema.json refuses $(basename "$f" .yaml) ($want)" \
    bash -c '[[ $1 != 0 && $2 == *"$3"* ]]' _ "$rc" "$out" "$want"
done
check "manifests/gearbox.yaml is generated from the chart" bash "$ROOT/hack/manifests.sh" --check
check "charts/gearbox/README.md is generated from values.yaml" bash "$ROOT/hack/chart-docs.sh" --check
check "the API server accepts manifests/gearbox.yaml (server dry run)" bash -c \
  "kubectl create namespace gearbox-system --dry-run=client -o yaml | kubectl apply -f - >/dev/null &&
   sed '1,/^---$/d' '$ROOT/manifests/gearbox.yaml' | kubectl apply --dry-run=server -f - >/dev/null"

check "helm install succeeds and waits for Ready pods" \
  helm install "$REL" "$ROOT/charts/gearbox" -n "$NS" --create-namespace --set crds.install=false \
  --wait --timeout 120s
equals "the controller Deployment has 2 ready replicas" 2 \
  "$(kubectl -n "$NS" get deploy "$REL-gearbox" -o jsonpath='{.status.readyReplicas}')"
check "the CRD is installed" kubectl get crd scalingpolicies.gearbox.dev
equals "the pod runs as non-root with a read-only root filesystem" "true true" \
  "$(kubectl -n "$NS" get deploy "$REL-gearbox" -o jsonpath='{.spec.template.spec.securityContext.runAsNonRoot} {.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem}')"

can() { [[ $(kubectl auth can-i "$@" --as="$SA" 2>/dev/null) == yes ]]; }
cannot() { ! can "$@"; }
check "RBAC: may watch ScalingPolicies" can watch scalingpolicies.gearbox.dev -A
check "RBAC: may patch ScalingPolicy status" can patch scalingpolicies.gearbox.dev --subresource=status -n default
check "RBAC: may not change a ScalingPolicy's spec" cannot update scalingpolicies.gearbox.dev -n default
check "RBAC: may not delete ScalingPolicies" cannot delete scalingpolicies.gearbox.dev -n default
check "RBAC: may patch deployments/scale" can patch deployments.apps --subresource=scale -n default
check "RBAC: may update statefulsets/scale" can update statefulsets.apps --subresource=scale -n default
check "RBAC: may not patch a Deployment itself" cannot patch deployments.apps -n default
check "RBAC: may not delete Deployments" cannot delete deployments.apps -n default
check "RBAC: may scale a CloudNativePG Cluster through /scale" can patch clusters.postgresql.cnpg.io --subresource=scale -n default
check "RBAC: may patch a RedisCluster (sized by replicasField)" can patch redisclusters.redis.redis.opstreelabs.in -n default
check "RBAC: may read HPAs (to report conflicts)" can list horizontalpodautoscalers.autoscaling -A
check "RBAC: may read pod metrics" can list pods.metrics.k8s.io -n default
check "RBAC: may watch pods (the resource metrics' pods informer per namespace)" can watch pods -n default
check "RBAC: may not read Secrets by default (rbac.secrets.namespaces is empty)" cannot get secrets -n default
check "RBAC: may not list Secrets" cannot list secrets -n default
check "RBAC: may create Events" can create events.events.k8s.io -n default
check "RBAC: may update its Lease in its namespace" can update leases.coordination.k8s.io -n "$NS"
check "RBAC: may not touch Leases elsewhere" cannot update leases.coordination.k8s.io -n kube-system
check "RBAC: may not create pods" cannot create pods -n default

# watchNamespaces narrows the grant to those namespaces.
kubectl create namespace "$NS-team-a" >/dev/null
check "helm upgrade with watchNamespaces={$NS-team-a}, rbac.secrets for prom-token there" \
  helm upgrade "$REL" "$ROOT/charts/gearbox" -n "$NS" --set crds.install=false \
  --set "controller.watchNamespaces={$NS-team-a}" --set "rbac.secrets.namespaces={$NS-team-a}" --set "rbac.secrets.names={prom-token}" --wait --timeout 120s
check "RBAC (namespaced): may patch deployments/scale in $NS-team-a" can patch deployments.apps --subresource=scale -n "$NS-team-a"
check "RBAC (namespaced): may not in $NS-team-b" cannot patch deployments.apps --subresource=scale -n "$NS-team-b"
check "RBAC (secrets): may get and watch prom-token in $NS-team-a" bash -c \
  "[[ \$(kubectl auth can-i get secrets/prom-token -n $NS-team-a --as=$SA) == yes && \$(kubectl auth can-i watch secrets/prom-token -n $NS-team-a --as=$SA) == yes ]]"
check "RBAC (secrets): may not get another Secret there" cannot get secrets/other -n "$NS-team-a"
check "RBAC (secrets): may not list every Secret there" cannot list secrets -n "$NS-team-a"
check "RBAC (secrets): may not get prom-token elsewhere" cannot get secrets/prom-token -n default
check "the controller is told to watch $NS-team-a" bash -c \
  "kubectl -n $NS get deploy $REL-gearbox -o jsonpath='{.spec.template.spec.containers[0].args}' | grep -q -- '--namespace=$NS-team-a'"

finish
