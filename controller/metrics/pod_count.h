// KEDA's kubernetes-workload scaler: the number of pods in the policy's namespace that match a
// label selector, listed through the controller's Kubernetes client. As KEDA counts them, every
// pod that has not terminated counts (Pending and Running, Unknown too); Succeeded and Failed
// pods do not.
#pragma once

#include <memory>
#include <string>

#include "kube/client.h"
#include "metrics/source.h"

namespace gearbox::metrics {

class PodCountMetric : public MetricSource {
 public:
  PodCountMetric(std::shared_ptr<kube::Client> client, std::string ns, std::string selector)
      : client_(std::move(client)), ns_(std::move(ns)), selector_(std::move(selector)) {}
  Result<Reading> Read() override;
  std::string Describe() const override;

  // The pods of a PodList that count (pure, for tests).
  static Result<Reading> Count(const kube::Json& pods, const std::string& what);

 private:
  std::shared_ptr<kube::Client> client_;
  std::string ns_, selector_;
};

}  // namespace gearbox::metrics
