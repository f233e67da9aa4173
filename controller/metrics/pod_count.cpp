// See pod_count.h.
#include "metrics/pod_count.h"

namespace gearbox::metrics {

using kube::Json;

namespace {

bool Terminated(const Json& pod) {
  if (!pod.has_object_field("status") || !pod.at("status").has_string_field("phase")) return false;
  const std::string& phase = pod.at("status").at("phase").as_string();
  return phase == "Succeeded" || phase == "Failed";
}

}  // namespace

Result<Reading> PodCountMetric::Count(const Json& pods, const std::string& what) {
  if (!pods.has_array_field("items"))
    return Error::Of(Error::Kind::kDecode, what + ": the pod list has no items");
  int counted = 0, terminated = 0;
  for (const auto& pod : pods.at("items").as_array()) (Terminated(pod) ? terminated : counted)++;
  std::string detail = std::to_string(counted) + " pods";
  if (terminated) detail += ", " + std::to_string(terminated) + " terminated left out";
  return Reading{static_cast<double>(counted), detail};
}

Result<Reading> PodCountMetric::Read() {
  kube::ListOptions options;
  options.label_selector = selector_;
  auto pods = client_->List({"", "v1", "pods", true}, ns_, options);
  if (!pods) {
    const Error& e = pods.error();
    const Error::Kind kind = e.IsForbidden()                   ? Error::Kind::kAuth
                             : e.kind == Error::Kind::kTimeout ? Error::Kind::kTimeout
                             : e.kind == Error::Kind::kApi && e.http_code == 400
                                 ? Error::Kind::kConfig
                                 : Error::Kind::kTransport;
    // The API server's message says what is wrong with a selector; it is not a tenant's server.
    return Error::Of(kind, Describe() + ": " + e.ToString());
  }
  return Count(*pods, Describe());
}

std::string PodCountMetric::Describe() const { return "pods matching " + selector_ + " in " + ns_; }

}  // namespace gearbox::metrics
