// The pod metrics of one namespace (metrics.k8s.io's PodMetricsList, served by metrics-server),
// read at most once per `max_age` however many policies of the namespace ask for them: a reader
// that finds them older fetches them while the other readers of the namespace wait for that one
// answer (single flight), then all share it. Answers older than the reader's max_age are never
// handed out: when the fetch that should replace them fails, the reading is that error (missing
// data, which changes nothing), not the old numbers. A failure is kept a few seconds, so that a
// metrics API that is down is not asked again by every policy of the namespace.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "base/time_format.h"
#include "kube/client.h"
#include "kube/clock.h"

namespace gearbox::metrics {

// What metrics-server measured of one pod: per resource, the sum over its containers (absent when
// a container's sample lacks it), and when the sample's window began (absent: not said).
struct PodSample {
  std::optional<double> cpu;
  std::optional<double> memory;
  std::optional<WallTime> window_start;
  std::optional<double> Of(const std::string& resource) const {
    return resource == "cpu" ? cpu : resource == "memory" ? memory : std::nullopt;
  }
};
using PodSamples = std::unordered_map<std::string, PodSample>;  // by pod name

// The samples of a PodMetricsList; an Error (kDecode) when a field has the wrong type.
Result<PodSamples> ParsePodMetricsList(const kube::Json& list);

class PodMetricsCache {
 public:
  PodMetricsCache(std::shared_ptr<kube::Client> client, std::string ns, const kube::Clock& clock)
      : client_(std::move(client)), ns_(std::move(ns)), clock_(clock) {}

  // The namespace's samples, at most `max_age` old; or why they could not be read.
  Result<std::shared_ptr<const PodSamples>> Get(std::chrono::milliseconds max_age) EXCLUDES(mu_);
  int fetches() const EXCLUDES(mu_);  // requests made (for tests)

 private:
  // How long a failed read is answered from memory, at most (and never longer than a max_age).
  static constexpr std::chrono::seconds kFailureHeld{5};
  Result<std::shared_ptr<const PodSamples>> Fetch() REQUIRES(mu_);

  const std::shared_ptr<kube::Client> client_;
  const std::string ns_;
  const kube::Clock& clock_;
  // Held while a fetch runs: the other readers of the namespace wait for its answer.
  mutable Mutex mu_;
  std::shared_ptr<const PodSamples> samples_ GUARDED_BY(mu_);
  kube::SteadyTime fetched_at_ GUARDED_BY(mu_);
  std::optional<Error> failure_ GUARDED_BY(mu_);
  kube::SteadyTime failed_at_ GUARDED_BY(mu_);
  int fetches_ GUARDED_BY(mu_) = 0;
};

}  // namespace gearbox::metrics
