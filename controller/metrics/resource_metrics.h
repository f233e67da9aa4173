// CPU or memory utilization of a component's pods from the resource metrics API (metrics.k8s.io,
// served by metrics-server), as the HPA computes it: sum of the pods' usage / sum of their
// requests, in percent. The pods are found through the target's scale selector.
//
// Which pods count: Running pods that are Ready and not being deleted, and that metrics-server has
// a sample for. Unready pods (starting, failing probes) and pods without a sample yet are left out
// of both sums and named in the detail; the HPA instead assumes 0% / 100% for them depending on
// the direction, which Gearbox's `for` durations make unnecessary. A counted pod whose container
// has no request for the resource is an error that names it: utilization is undefined without it.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "kube/client.h"
#include "metrics/source.h"

namespace gearbox::metrics {

// "250m" -> 0.25, "1" -> 1, "123456789n" -> 0.123456789, "128Mi" -> 134217728; nullopt if bad.
std::optional<double> ParseQuantity(const std::string& q);

class ResourceMetric : public MetricSource {
 public:
  ResourceMetric(std::shared_ptr<kube::Client> client, std::string ns, std::string resource,
                 std::string component)
      : client_(std::move(client)),
        ns_(std::move(ns)),
        resource_(std::move(resource)),
        component_(std::move(component)) {}

  // The label selector of the component's pods (the target's /scale status.selector).
  void SetSelector(const std::string& selector);
  Result<Reading> Read() override;
  std::string Describe() const override;

  // The computation on a PodList and a PodMetricsList: pure, for tests.
  static Result<Reading> Compute(const kube::Json& pods, const kube::Json& pod_metrics,
                                 const std::string& resource, const std::string& what);

 private:
  std::shared_ptr<kube::Client> client_;
  std::string ns_, resource_, component_;
  std::mutex mu_;
  std::string selector_;
};

}  // namespace gearbox::metrics
