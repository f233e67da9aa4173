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

Result<Reading> ResourceMetric::Compute(const Json& pods, const Json& pod_metrics,
                                        const std::string& resource, const std::string& what) {
  try {
    std::map<std::string, double> usage;  // pod -> sum over its containers
    if (pod_metrics.has_array_field("items")) {
      for (const auto& m : pod_metrics.at("items").as_array()) {
        double sum = 0;
        bool ok = true;
        for (const auto& c : m.at("containers").as_array()) {
          const Json& u = c.at("usage");
          if (!u.has_string_field(resource)) {
            ok = false;
            break;
          }
          auto q = ParseQuantity(u.at(resource).as_string());
          if (!q) {
            ok = false;
            break;
          }
          sum += *q;
        }
        if (ok) usage[m.at("metadata").at("name").as_string()] = sum;
      }
    }
    double used = 0, requested = 0;
    int counted = 0, unready = 0, missing = 0;
    for (const auto& p : pods.at("items").as_array()) {
      const Json& meta = p.at("metadata");
      std::string name = meta.at("name").as_string();
      if (meta.has_field("deletionTimestamp")) continue;
      const Json& status = p.has_object_field("status") ? p.at("status") : Json::object();
      std::string phase = status.has_string_field("phase") ? status.at("phase").as_string() : "";
      if (phase == "Succeeded" || phase == "Failed") continue;
      bool ready = false;
      if (status.has_array_field("conditions")) {
        for (const auto& c : status.at("conditions").as_array()) {
          if (c.at("type").as_string() == "Ready") ready = c.at("status").as_string() == "True";
        }
      }
      if (phase != "Running" || !ready) {
        ++unready;
        continue;
      }
      double req = 0;
      for (const auto& c : p.at("spec").at("containers").as_array()) {
        const Json& res = c.has_object_field("resources") ? c.at("resources") : Json::object();
        const Json& rq = res.has_object_field("requests") ? res.at("requests") : Json::object();
        std::optional<double> q;
        if (rq.has_string_field(resource)) q = ParseQuantity(rq.at(resource).as_string());
        if (!q || *q <= 0) {
          std::string m = what;
          m += ": container " + c.at("name").as_string();
          m += " of pod " + name;
          m += " has no " + resource;
          m += " request, so its utilization is undefined (set resources.requests." + resource;
          m += ")";
          return Error::Of(Error::Kind::kConfig, m);
        }
        req += *q;
      }
      auto u = usage.find(name);
      if (u == usage.end()) {
        ++missing;
        continue;
      }
      used += u->second;
      requested += req;
      ++counted;
    }
    std::string left_out;
    if (unready) left_out += ", " + std::to_string(unready) + " unready left out";
    if (missing) left_out += ", " + std::to_string(missing) + " without metrics yet left out";
    if (counted == 0) {
      return Error::Of(Error::Kind::kNoData,
                       what + ": no ready pod with metrics" +
                           (left_out.empty() ? " (no pods match the selector)" : left_out));
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "%d pods: usage %.3f of requests %.3f", counted, used,
                  requested);
    return Reading{100.0 * used / requested, buf + left_out};
  } catch (const std::exception& e) {
    return Error::Of(Error::Kind::kDecode, what + ": unexpected answer: " + e.what());
  }
}

}  // namespace gearbox::metrics
