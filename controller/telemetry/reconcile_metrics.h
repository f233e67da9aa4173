// controller-runtime's controller_runtime_* families for one controller (label
// controller=<name>): reconciles by result, errors, the time each took, the workers busy now
// and how many may be.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <string>

namespace gearbox::telemetry {

class ReconcileMetrics {
 public:
  // The values of the `result` label, as controller-runtime counts them.
  enum class ReconcileOutcome { kSuccess, kError, kRequeue, kRequeueAfter };

  ReconcileMetrics(prometheus::Registry& registry, const std::string& controller);

  void Count(ReconcileOutcome result, std::chrono::duration<double> took);
  void SetMaxConcurrentReconciles(int workers) { max_concurrent_.Set(workers); }

  // Counts one worker as active for as long as it lives (exceptions included).
  class ActiveWorker {
   public:
    explicit ActiveWorker(prometheus::Gauge& active) : active_(active) { active_.Increment(); }
    ~ActiveWorker() { active_.Decrement(); }
    ActiveWorker(const ActiveWorker&) = delete;
    ActiveWorker& operator=(const ActiveWorker&) = delete;

   private:
    prometheus::Gauge& active_;
  };
  ActiveWorker Active() { return ActiveWorker(active_); }

 private:
  prometheus::Family<prometheus::Counter>& total_family_;
  prometheus::Counter* total_[4];  // by ReconcileOutcome
  prometheus::Counter& errors_;
  prometheus::Histogram& time_;
  prometheus::Gauge& active_;
  prometheus::Gauge& max_concurrent_;
};

}  // namespace gearbox::telemetry
