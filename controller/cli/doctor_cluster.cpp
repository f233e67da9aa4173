// The checks of `doctor` on what the cluster serves: metrics-server, the CRD, the controller
// (doctor.h).
#include "cli/doctor.h"
#include "kube/json_fields.h"

namespace gearbox::cli {

namespace {

constexpr const char* kMetricsApi = "/apis/metrics.k8s.io/v1beta1";

CheckResult Ok(std::string text) { return {true, std::move(text)}; }
CheckResult Missing(std::string text) { return {false, std::move(text)}; }

size_t ItemCount(const kube::Json& list) {
  const auto* items = kube::FieldAt(list, {"items"});
  return items && items->is_array() ? items->size() : 0;
}

}  // namespace

std::vector<CheckResult> CheckMetricsServer(kube::Client& client, const std::string& ns) {
  auto api = client.GetPath(kMetricsApi);
  if (!api && api.error().IsNotFound())
    return {
        Missing("metrics.k8s.io/v1beta1 is not served: install metrics-server (kubectl apply "
                "-f https://github.com/kubernetes-sigs/metrics-server/releases/latest/"
                "download/components.yaml); resource metrics (cpu, memory) need it")};
  if (!api)
    return {Missing("metrics.k8s.io/v1beta1 does not answer (" + api.error().ToString() +
                    "): kubectl get apiservice v1beta1.metrics.k8s.io; kubectl -n kube-system "
                    "logs deploy/metrics-server")};
  const std::string pods_path = std::string(kMetricsApi) + "/namespaces/" + ns + "/pods";
  auto pods = client.GetPath(pods_path);
  if (!pods)
    return {Ok("metrics-server answers (metrics.k8s.io/v1beta1)"),
            Missing("pod metrics in " + ns + " cannot be listed (" + pods.error().ToString() +
                    "): kubectl top pods -n " + ns)};
  return {Ok("metrics-server answers (metrics.k8s.io/v1beta1)"),
          Ok("pod metrics in " + ns + ": " + std::to_string(ItemCount(*pods)) + " pods measured")};
}

CheckResult CheckCrd(kube::Client& client) {
  auto served = client.GetPath("/apis/gearbox.dev/v1alpha1");
  if (served) return Ok("CRD scalingpolicies.gearbox.dev serves gearbox.dev/v1alpha1");
  if (!served.error().IsNotFound())
    return Missing("gearbox.dev/v1alpha1 cannot be read (" + served.error().ToString() + ")");
  auto group = client.GetPath("/apis/gearbox.dev");
  if (!group)
    return Missing(
        "the ScalingPolicy CRD is not installed: kubectl apply -f crds/ (or helm "
        "install gearbox charts/gearbox)");
  return Missing("the ScalingPolicy CRD does not serve gearbox.dev/v1alpha1 (it serves " +
                 kube::StringAt(*group, {"preferredVersion", "groupVersion"}) +
                 "): apply the CRD of this release (kubectl apply -f crds/)");
}

CheckResult CheckController(kube::Client& client) {
  kube::ListOptions options;
  options.label_selector = "app.kubernetes.io/name=gearbox";  // the chart's selector label
  auto list = client.List({"apps", "v1", "deployments"}, "", options);
  if (!list)
    return Missing("the controller's Deployment cannot be listed (" + list.error().ToString() +
                   ")");
  if (ItemCount(*list) == 0)
    return Missing(
        "no controller Deployment (label app.kubernetes.io/name=gearbox): helm install "
        "gearbox charts/gearbox");
  const auto& deployment = list->at("items").as_array().at(0);
  const std::string where = kube::StringAt(deployment, {"metadata", "namespace"}) + "/" +
                            kube::StringAt(deployment, {"metadata", "name"});
  const int wanted = kube::Int32At(deployment, {"spec", "replicas"}).value_or(1);
  const int ready = kube::Int32At(deployment, {"status", "readyReplicas"}).value_or(0);
  const std::string count = std::to_string(ready) + "/" + std::to_string(wanted) + " ready";
  if (ready > 0 && ready >= wanted) return Ok("controller " + where + " is ready (" + count + ")");
  return Missing("controller " + where + " is not ready (" + count + "): kubectl -n " +
                 kube::StringAt(deployment, {"metadata", "namespace"}) + " describe deployment " +
                 kube::StringAt(deployment, {"metadata", "name"}));
}

}  // namespace gearbox::cli
