#include "metrics/resource_metrics.h"

#include <cmath>
#include <map>

#include "kube/json_fields.h"

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
  MutexLock lock(mu_);
  if (parsed_ && selector == selector_) return;
  selector_ = selector;
  parsed_ = kube::LabelSelector::Parse(selector);
}

std::string ResourceMetric::Describe() const {
  return "resource " + resource_ + " of component " + component_ + " in " + pods_->ns();
}

Result<Reading> ResourceMetric::Read() {
  const std::string what = Describe();
  std::optional<Result<kube::LabelSelector>> selector;
  {
    MutexLock lock(mu_);
    if (!selector_.empty()) selector = parsed_;
  }
  if (!selector) {
    return Error::Of(Error::Kind::kConfig,
                     what + ": the target's /scale has no selector yet (no pods to measure)");
  }
  if (!*selector) {
    return Error::Of(Error::Kind::kConfig,
                     what + ": the target's selector: " + selector->error().message);
  }
  auto prefixed = [&](const Error& e) { return Error::Of(e.kind, what + ": " + e.message); };
  auto pods = pods_->Matching(**selector, kFirstListWait);
  if (!pods) return prefixed(pods.error());
  auto samples = pods_->Samples(max_age_);
  if (!samples) return prefixed(samples.error());
  return Compute(*pods, **samples, resource_, what);
}

namespace {

// The pod's Ready condition; an empty object when it has none.
const Json* ReadyCondition(const Json& pod) {
  static const Json kNone = Json::object();
  const Json* conditions = kube::FieldAt(pod, {"status", "conditions"});
  if (!conditions || !conditions->is_array()) return &kNone;
  for (const auto& c : conditions->as_array())
    if (kube::StringAt(c, {"type"}) == "Ready") return &c;
  return &kNone;
}

// Running, Ready and not being deleted; Succeeded and Failed pods do not count at all.
enum class PodState { kCounted, kUnready, kGone };

PodState StateOf(const Json& pod) {
  if (kube::FieldAt(pod, {"metadata", "deletionTimestamp"})) return PodState::kGone;
  const std::string phase = kube::StringAt(pod, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") return PodState::kGone;
  return phase == "Running" && kube::StringAt(*ReadyCondition(pod), {"status"}) == "True"
             ? PodState::kCounted
             : PodState::kUnready;
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

// Whether the pod's sample of the resource can be counted: there is one, and for CPU (a rate over
// the sample's window) the window began once the pod was Ready, as the HPA requires: a window
// that began earlier measured the pod's start.
std::optional<double> CountedUsage(const Json& pod, const PodSamples& samples,
                                   const std::string& resource) {
  auto sample = samples.find(kube::StringAt(pod, {"metadata", "name"}));
  if (sample == samples.end()) return std::nullopt;
  auto usage = sample->second.Of(resource);
  if (!usage || resource != "cpu" || !sample->second.window_start) return usage;
  auto ready_since = ParseRfc3339(kube::StringAt(*ReadyCondition(pod), {"lastTransitionTime"}));
  if (ready_since && *sample->second.window_start < *ready_since) return std::nullopt;
  return usage;
}

Result<Reading> ComputeOrThrow(const std::vector<kube::ObjectPtr>& pods, const PodSamples& samples,
                               const std::string& resource, const std::string& what) {
  Sums s;
  for (const auto& p : pods) {
    PodState state = StateOf(*p);
    if (state == PodState::kGone) continue;
    if (state == PodState::kUnready) {
      ++s.unready;
      continue;
    }
    ASSIGN_OR_RETURN(double req, Requested(*p, resource, what));
    auto used = CountedUsage(*p, samples, resource);
    if (!used) {
      ++s.missing;
      continue;
    }
    s.used += *used;
    s.requested += req;
    ++s.counted;
  }
  return Utilization(s, what);
}

}  // namespace

Result<Reading> ResourceMetric::Compute(const std::vector<kube::ObjectPtr>& pods,
                                        const PodSamples& samples, const std::string& resource,
                                        const std::string& what) {
  try {
    return ComputeOrThrow(pods, samples, resource, what);
  } catch (const std::exception& e) {  // web::json throws on a field of the wrong type
    return Error::Of(Error::Kind::kDecode, what + ": unexpected answer: " + e.what());
  }
}

}  // namespace gearbox::metrics
