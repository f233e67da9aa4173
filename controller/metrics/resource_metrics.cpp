#include "metrics/resource_metrics.h"

#include <cpprest/uri.h>

#include <cmath>
#include <map>

namespace gearbox::metrics {

using kube::Json;

std::optional<double> ParseQuantity(const std::string& q) {
  if (q.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(q.c_str(), &end);
  if (end == q.c_str()) return std::nullopt;
  std::string suffix(end);
  static const std::map<std::string, double> kScale = {
      {"", 1},        {"n", 1e-9},       {"u", 1e-6},          {"m", 1e-3},
      {"k", 1e3},     {"M", 1e6},        {"G", 1e9},           {"T", 1e12},
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"E", 1e18},    {"P", 1e15}};
  auto it = kScale.find(suffix);
  if (it == kScale.end()) return std::nullopt;
  return v * it->second;
}

void ResourceMetric::SetSelector(const std::string& selector) {
  std::lock_guard lock(mu_);
  selector_ = selector;
}

std::string ResourceMetric::Describe() const {
  return "resource " + resource_ + " of component " + component_ + " in " + ns_;
}

Result<Reading> ResourceMetric::Read() {
  std::string selector;
  {
    std::lock_guard lock(mu_);
    selector = selector_;
  }
  const std::string what = Describe();
  if (selector.empty()) {
    return Error::Of(Error::Kind::kConfig,
                     what + ": the target's /scale has no selector yet (no pods to measure)");
  }
  kube::ListOptions lo;
  lo.label_selector = selector;
  auto pods = client_->List({"", "v1", "pods", true}, ns_, lo);
  if (!pods) {
    return Error::Of(pods.error().IsForbidden() ? Error::Kind::kAuth : Error::Kind::kTransport,
                     what + ": " + pods.error().ToString());
  }
  auto usage = client_->GetPath("/apis/metrics.k8s.io/v1beta1/namespaces/" + ns_ +
                                "/pods?labelSelector=" + web::uri::encode_data_string(selector));
  if (!usage) {
    const auto& e = usage.error();
    Error::Kind kind = e.kind == kube::Error::Kind::kTimeout  ? Error::Kind::kTimeout
                       : e.IsForbidden()                      ? Error::Kind::kAuth
                       : e.IsNotFound() || e.http_code == 503 ? Error::Kind::kTransport
                                                              : Error::Kind::kDecode;
    return Error::Of(kind, what + ": metrics.k8s.io: " + e.ToString() +
                               (e.IsNotFound() || e.http_code == 503
                                    ? " (is metrics-server installed and available?)"
                                    : ""));
  }
  return Compute(*pods, *usage, resource_, what);
}

namespace {

// Usage per pod: the sum over its containers; pods whose sample lacks the resource are left out.
std::map<std::string, double> UsageByPod(const Json& pod_metrics, const std::string& resource) {
  std::map<std::string, double> usage;
  if (!pod_metrics.has_array_field("items")) return usage;
  for (const auto& m : pod_metrics.at("items").as_array()) {
    double sum = 0;
    bool ok = true;
    for (const auto& c : m.at("containers").as_array()) {
      const Json& u = c.at("usage");
      auto q =
          u.has_string_field(resource) ? ParseQuantity(u.at(resource).as_string()) : std::nullopt;
      ok = ok && q.has_value();
      if (q) sum += *q;
    }
    if (ok) usage[m.at("metadata").at("name").as_string()] = sum;
  }
  return usage;
}

// Running, Ready and not being deleted; Succeeded and Failed pods do not count at all.
enum class PodState { kCounted, kUnready, kGone };

PodState StateOf(const Json& pod) {
  if (pod.at("metadata").has_field("deletionTimestamp")) return PodState::kGone;
  const Json& status = pod.has_object_field("status") ? pod.at("status") : Json::object();
  std::string phase = status.has_string_field("phase") ? status.at("phase").as_string() : "";
  if (phase == "Succeeded" || phase == "Failed") return PodState::kGone;
  bool ready = false;
  if (status.has_array_field("conditions")) {
    for (const auto& c : status.at("conditions").as_array())
      if (c.at("type").as_string() == "Ready") ready = c.at("status").as_string() == "True";
  }
  return phase == "Running" && ready ? PodState::kCounted : PodState::kUnready;
}

// The sum of the pod's containers' requests; an error naming a container without one.
Result<double> Requested(const Json& pod, const std::string& resource, const std::string& what) {
  double req = 0;
  for (const auto& c : pod.at("spec").at("containers").as_array()) {
    const Json& res = c.has_object_field("resources") ? c.at("resources") : Json::object();
    const Json& rq = res.has_object_field("requests") ? res.at("requests") : Json::object();
    std::optional<double> q;
    if (rq.has_string_field(resource)) q = ParseQuantity(rq.at(resource).as_string());
    if (!q || *q <= 0) {
      return Error::Of(Error::Kind::kConfig,
                       what + ": container " + c.at("name").as_string() + " of pod " +
                           pod.at("metadata").at("name").as_string() + " has no " + resource +
                           " request, so its utilization is undefined (set resources.requests." +
                           resource + ")");
    }
    req += *q;
  }
  return req;
}

struct Sums {
  double used = 0, requested = 0;
  int counted = 0, unready = 0, missing = 0;
};

Result<Reading> Utilization(const Sums& s, const std::string& what) {
  std::string left_out;
  if (s.unready) left_out += ", " + std::to_string(s.unready) + " unready left out";
  if (s.missing) left_out += ", " + std::to_string(s.missing) + " without metrics yet left out";
  if (s.counted == 0) {
    return Error::Of(Error::Kind::kNoData,
                     what + ": no ready pod with metrics" +
                         (left_out.empty() ? " (no pods match the selector)" : left_out));
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "%d pods: usage %.3f of requests %.3f", s.counted, s.used,
                s.requested);
  return Reading{100.0 * s.used / s.requested, buf + left_out, s.counted};
}

Result<Reading> ComputeOrThrow(const Json& pods, const Json& pod_metrics,
                               const std::string& resource, const std::string& what) {
  std::map<std::string, double> usage = UsageByPod(pod_metrics, resource);
  Sums s;
  for (const auto& p : pods.at("items").as_array()) {
    PodState state = StateOf(p);
    if (state == PodState::kGone) continue;
    if (state == PodState::kUnready) {
      ++s.unready;
      continue;
    }
    ASSIGN_OR_RETURN(double req, Requested(p, resource, what));
    auto u = usage.find(p.at("metadata").at("name").as_string());
    if (u == usage.end()) {
      ++s.missing;
      continue;
    }
    s.used += u->second;
    s.requested += req;
    ++s.counted;
  }
  return Utilization(s, what);
}

}  // namespace

Result<Reading> ResourceMetric::Compute(const Json& pods, const Json& pod_metrics,
                                        const std::string& resource, const std::string& what) {
  try {
    return ComputeOrThrow(pods, pod_metrics, resource, what);
  } catch (const std::exception& e) {  // web::json throws on a field of the wrong type
    return Error::Of(Error::Kind::kDecode, what + ": unexpected answer: " + e.what());
  }
}

}  // namespace gearbox::metrics
