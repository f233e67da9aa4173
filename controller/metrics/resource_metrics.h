// CPU or memory utilization of a component's pods from the resource metrics API (metrics.k8s.io,
// served by metrics-server), as the HPA computes it: sum of the pods' usage / sum of their
// requests, in percent. The pods are those the target's scale selector selects among the
// namespace's pods, which come from an informer shared by the namespace's policies; the usage
// from the namespace's pod metrics, read once per interval for all of them (namespace_pods.h).
// A reading thus asks nothing of the API server when neither is due.
//
// Which pods count: Running pods that are Ready and not being deleted, and that metrics-server has
// a sample for. Unready pods (starting, failing probes) and pods without a sample yet are left out
// of both sums and named in the detail; the HPA instead assumes 0% / 100% for them depending on
// the direction, which Gearbox's `for` durations make unnecessary. As the HPA does, a CPU sample
// whose window began before its pod became Ready (it measured the start) counts as no sample yet.
// A counted pod whose container has no request for the resource is an error that names it:
// utilization is undefined without it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "kube/label_selector.h"
#include "metrics/namespace_pods.h"
#include "metrics/source.h"

namespace gearbox::metrics {

// "250m" -> 0.25, "1" -> 1, "123456789n" -> 0.123456789, "128Mi" -> 134217728; nullopt if bad.
std::optional<double> ParseQuantity(const std::string& q);

class ResourceMetric : public MetricSource {
 public:
  // `max_age`: how old the pod metrics may be (the policy's interval).
  ResourceMetric(std::shared_ptr<NamespacePods> pods, std::string resource, std::string component,
                 std::chrono::milliseconds max_age)
      : pods_(std::move(pods)),
        resource_(std::move(resource)),
        component_(std::move(component)),
        max_age_(max_age) {}

  // The label selector of the component's pods (the target's /scale status.selector).
  void SetSelector(const std::string& selector) EXCLUDES(mu_);
  Result<Reading> Read() override;
  std::string Describe() const override;

  // The computation on the selected pods (as TrimPod keeps them) and the namespace's samples:
  // pure, for tests.
  static Result<Reading> Compute(const std::vector<kube::ObjectPtr>& pods,
                                 const PodSamples& samples, const std::string& resource,
                                 const std::string& what);

 private:
  // How long a reading waits for the first list of the namespace's pods.
  static constexpr std::chrono::milliseconds kFirstListWait{500};

  const std::shared_ptr<NamespacePods> pods_;
  const std::string resource_, component_;
  const std::chrono::milliseconds max_age_;
  mutable Mutex mu_;
  std::string selector_ GUARDED_BY(mu_);
  std::optional<Result<kube::LabelSelector>> parsed_ GUARDED_BY(mu_);  // of selector_
};

}  // namespace gearbox::metrics
