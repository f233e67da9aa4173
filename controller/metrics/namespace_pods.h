// The pods of a namespace as resource metrics read them, shared by every policy of the namespace:
// one informer on the namespace's pods (one LIST, then one WATCH, however many policies read
// them), its objects trimmed to what a reading uses (TrimPod), selectors matched in memory; and
// the namespace's pod metrics, read at most once per interval (PodMetricsCache). PodWatches hands
// out one NamespacePods per namespace, starting it for the first policy that needs it; the last
// policy to let go of it stops its informer.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "kube/clock.h"
#include "kube/informer.h"
#include "kube/label_selector.h"
#include "metrics/pod_metrics_cache.h"

namespace gearbox::metrics {

// Keeps of a pod what a resource reading uses: name, namespace, resourceVersion, labels, deletion
// time stamp; the containers' names and cpu/memory requests; the phase and the Ready condition
// (status, lastTransitionTime). An informer's transform: the rest of a pod is most of its size.
void TrimPod(kube::Json& pod);

using Log = std::function<void(const std::string&)>;

class NamespacePods {
 public:
  NamespacePods(std::shared_ptr<kube::Client> client, std::string ns, const kube::Clock& clock,
                const Log& log);
  ~NamespacePods();  // stops the informer
  NamespacePods(const NamespacePods&) = delete;
  NamespacePods& operator=(const NamespacePods&) = delete;

  // The cached pods the selector selects. Before the first list has arrived it waits for it up
  // to `wait`, then says the pods are not listed yet (kNoData), and why when the API server
  // said (a list refused, say). What a selector selects is remembered until a pod of the
  // namespace changes: each of the namespace's policies has its own selector, and matching
  // every pod against it on every reading costs, at 200 CPU policies and pods in a namespace, a
  // fifth of the controller's time.
  Result<std::vector<kube::ObjectPtr>> Matching(const kube::LabelSelector& selector,
                                                std::chrono::milliseconds wait) const;
  // The namespace's pod metrics, at most `max_age` old.
  Result<std::shared_ptr<const PodSamples>> Samples(std::chrono::milliseconds max_age) {
    return metrics_.Get(max_age);
  }
  const std::string& ns() const { return ns_; }
  int metric_reads() const { return metrics_.fetches(); }

 private:
  // The informer's problems go to the log, and the last one to a reading that finds no pods.
  void Problem(const std::string& message) EXCLUDES(mu_);
  std::vector<kube::ObjectPtr> Selected(const kube::LabelSelector& selector) const EXCLUDES(mu_);

  const std::string ns_;
  const Log log_;
  mutable Mutex mu_;
  std::string last_problem_ GUARDED_BY(mu_);
  // The pods each selector (by its text) selects, as of `changes_`: a count of the changes the
  // informer has made to its cache, which it raises after each.
  std::atomic<uint64_t> changes_{0};
  mutable uint64_t selected_as_of_ GUARDED_BY(mu_) = 0;
  mutable std::unordered_map<std::string, std::vector<kube::ObjectPtr>> selected_ GUARDED_BY(mu_);
  kube::Informer informer_;  // after what its callbacks touch
  PodMetricsCache metrics_;
};

class PodWatches {
 public:
  explicit PodWatches(std::shared_ptr<kube::Client> client,
                      const kube::Clock& clock = kube::RealClock::Instance(), Log log = {})
      : client_(std::move(client)), clock_(clock), log_(std::move(log)) {}

  // The namespace's pods, started now if no policy holds them. Held as long as the caller keeps
  // the pointer.
  std::shared_ptr<NamespacePods> For(const std::string& ns) EXCLUDES(mu_);
  size_t watched() const EXCLUDES(mu_);  // namespaces whose pods some policy holds

 private:
  const std::shared_ptr<kube::Client> client_;
  const kube::Clock& clock_;
  const Log log_;
  mutable Mutex mu_;
  std::map<std::string, std::weak_ptr<NamespacePods>> namespaces_ GUARDED_BY(mu_);
};

}  // namespace gearbox::metrics
