// See reconcile_metrics.h. Names and help as controller-runtime registers them.
#include "telemetry/reconcile_metrics.h"

#include "telemetry/buckets.h"

namespace gearbox::telemetry {

namespace {

constexpr const char* kResultNames[] = {"success", "error", "requeue", "requeue_after"};

prometheus::Gauge& ControllerGauge(prometheus::Registry& r, const std::string& metric,
                                   const std::string& help, const std::string& controller) {
  return prometheus::BuildGauge().Name(metric).Help(help).Register(r).Add(
      {{"controller", controller}});
}

}  // namespace

ReconcileMetrics::ReconcileMetrics(prometheus::Registry& r, const std::string& controller)
    : total_family_(prometheus::BuildCounter()
                        .Name("controller_runtime_reconcile_total")
                        .Help("Total number of reconciliations per controller")
                        .Register(r)),
      errors_(prometheus::BuildCounter()
                  .Name("controller_runtime_reconcile_errors_total")
                  .Help("Total number of reconciliation errors per controller")
                  .Register(r)
                  .Add({{"controller", controller}})),
      time_(prometheus::BuildHistogram()
                .Name("controller_runtime_reconcile_time_seconds")
                .Help("Length of time per reconciliation per controller")
                .Register(r)
                .Add({{"controller", controller}}, ReconcileBuckets())),
      active_(ControllerGauge(r, "controller_runtime_active_workers",
                              "Number of currently used workers per controller", controller)),
      max_concurrent_(ControllerGauge(r, "controller_runtime_max_concurrent_reconciles",
                                      "Maximum number of concurrent reconciles per controller",
                                      controller)) {
  // Every result from the start, as controller-runtime does, so that rate() sees the first one.
  for (int i = 0; i < 4; ++i)
    total_[i] = &total_family_.Add({{"controller", controller}, {"result", kResultNames[i]}});
}

void ReconcileMetrics::Count(ReconcileOutcome result, std::chrono::duration<double> took) {
  total_[static_cast<int>(result)]->Increment();
  if (result == ReconcileOutcome::kError) errors_.Increment();
  time_.Observe(took.count());
}

}  // namespace gearbox::telemetry
