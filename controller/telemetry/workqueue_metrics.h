// controller-runtime's workqueue_* families, filled by a kube::WorkQueue through its metrics
// interface (kube/work_queue_metrics.h). One instance per queue, labelled name=<queue name>.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "kube/work_queue_metrics.h"

namespace gearbox::telemetry {

class WorkQueueMetrics final : public kube::WorkQueueMetrics {
 public:
  WorkQueueMetrics(prometheus::Registry& registry, const std::string& name);

  void SetDepth(size_t ready) override { depth_.Set(static_cast<double>(ready)); }
  void Added() override { adds_.Increment(); }
  void Retried() override { retries_.Increment(); }
  void Queued(Seconds waited) override { queue_duration_.Observe(waited.count()); }
  void Worked(Seconds took) override { work_duration_.Observe(took.count()); }
  void SetUnfinished(Seconds total, Seconds longest) override {
    unfinished_.Set(total.count());
    longest_.Set(longest.count());
  }

 private:
  prometheus::Gauge& depth_;
  prometheus::Counter& adds_;
  prometheus::Counter& retries_;
  prometheus::Histogram& queue_duration_;
  prometheus::Histogram& work_duration_;
  prometheus::Gauge& unfinished_;
  prometheus::Gauge& longest_;
};

}  // namespace gearbox::telemetry
