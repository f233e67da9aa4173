// See pod_metrics_cache.h.
#include "metrics/pod_metrics_cache.h"

#include <cstdlib>

#include "kube/json_fields.h"
#include "metrics/resource_metrics.h"

namespace gearbox::metrics {

namespace {

using kube::Json;

// metrics-server's window, a Go duration ("10.5s", "1m0.5s", "500ms"); nullopt for another form.
std::optional<std::chrono::milliseconds> WindowOf(const std::string& text) {
  const char* at = text.c_str();
  char* end = nullptr;
  double seconds = std::strtod(at, &end);
  if (end == at) return std::nullopt;
  if (*end == 'm' && end[1] != 's') {  // minutes, then seconds
    at = end + 1;
    const double minutes = seconds;
    seconds = std::strtod(at, &end);
    if (end == at) return std::nullopt;
    seconds += 60 * minutes;
  }
  const std::string unit(end);
  if (unit == "ms") seconds /= 1000;
  if (unit != "s" && unit != "ms") return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// When the sample's window began: its timestamp less its window.
std::optional<WallTime> WindowStart(const Json& item) {
  auto at = ParseRfc3339(kube::StringAt(item, {"timestamp"}));
  auto window = WindowOf(kube::StringAt(item, {"window"}));
  if (!at || !window) return std::nullopt;
  return *at - *window;
}

// The sum over the containers of one resource; absent when a container's sample lacks it.
std::optional<double> Summed(const Json& containers, const char* resource) {
  double sum = 0;
  for (const auto& c : containers.as_array()) {
    const Json* q = kube::FieldAt(c, {"usage", resource});
    auto v = q && q->is_string() ? ParseQuantity(q->as_string()) : std::nullopt;
    if (!v) return std::nullopt;
    sum += *v;
  }
  return sum;
}

PodSamples SamplesOf(const Json& list) {
  PodSamples samples;
  const Json* items = kube::FieldAt(list, {"items"});
  if (!items || !items->is_array()) return samples;
  for (const auto& item : items->as_array()) {
    const Json& containers = item.at("containers");
    samples[item.at("metadata").at("name").as_string()] =
        PodSample{Summed(containers, "cpu"), Summed(containers, "memory"), WindowStart(item)};
  }
  return samples;
}

}  // namespace

Result<PodSamples> ParsePodMetricsList(const Json& list) {
  try {
    return SamplesOf(list);
  } catch (const std::exception&) {  // web::json throws on a field of the wrong type
    return Error::Of(Error::Kind::kDecode, "metrics.k8s.io: a pod's metrics are not as expected");
  }
}

Result<std::shared_ptr<const PodSamples>> PodMetricsCache::Get(std::chrono::milliseconds max_age) {
  MutexLock lock(mu_);
  const kube::SteadyTime now = clock_.Now();
  if (samples_ && now - fetched_at_ < max_age) return samples_;
  if (failure_ && now - failed_at_ < std::min<std::chrono::milliseconds>(max_age, kFailureHeld))
    return *failure_;
  samples_.reset();  // too old for this reader: never handed out again
  auto fetched = Fetch();
  if (!fetched) {
    failure_ = fetched.error();
    failed_at_ = now;
    return fetched;
  }
  failure_.reset();
  samples_ = *fetched;
  fetched_at_ = now;
  return samples_;
}

int PodMetricsCache::fetches() const {
  MutexLock lock(mu_);
  return fetches_;
}

Result<std::shared_ptr<const PodSamples>> PodMetricsCache::Fetch() {
  ++fetches_;
  auto list = client_->GetPath("/apis/metrics.k8s.io/v1beta1/namespaces/" + ns_ + "/pods");
  if (!list) {
    const auto& e = list.error();
    const bool unavailable = e.IsNotFound() || e.http_code == 503;
    const Error::Kind kind = e.kind == Error::Kind::kTimeout ? Error::Kind::kTimeout
                             : e.IsForbidden()               ? Error::Kind::kAuth
                             : unavailable                   ? Error::Kind::kTransport
                                                             : Error::Kind::kDecode;
    return Error::Of(kind,
                     "metrics.k8s.io: " + e.ToString() +
                         (unavailable ? " (is metrics-server installed and available?)" : ""));
  }
  ASSIGN_OR_RETURN(PodSamples samples, ParsePodMetricsList(*list));
  return std::make_shared<const PodSamples>(std::move(samples));
}

}  // namespace gearbox::metrics
