// See workqueue_metrics.h. Names, help and buckets as client-go registers them.
#include "telemetry/workqueue_metrics.h"

#include "telemetry/buckets.h"

namespace gearbox::telemetry {

namespace {

prometheus::Histogram& SecondsHistogram(prometheus::Registry& r, const std::string& metric,
                                        const std::string& help, const std::string& name) {
  return prometheus::BuildHistogram().Name(metric).Help(help).Register(r).Add({{"name", name}},
                                                                              WorkQueueBuckets());
}

prometheus::Gauge& QueueGauge(prometheus::Registry& r, const std::string& metric,
                              const std::string& help, const std::string& name) {
  return prometheus::BuildGauge().Name(metric).Help(help).Register(r).Add({{"name", name}});
}

prometheus::Counter& QueueCounter(prometheus::Registry& r, const std::string& metric,
                                  const std::string& help, const std::string& name) {
  return prometheus::BuildCounter().Name(metric).Help(help).Register(r).Add({{"name", name}});
}

}  // namespace

WorkQueueMetrics::WorkQueueMetrics(prometheus::Registry& r, const std::string& name)
    : depth_(QueueGauge(r, "workqueue_depth", "Current depth of workqueue", name)),
      adds_(QueueCounter(r, "workqueue_adds_total", "Total number of adds handled by workqueue",
                         name)),
      retries_(QueueCounter(r, "workqueue_retries_total",
                            "Total number of retries handled by workqueue", name)),
      queue_duration_(SecondsHistogram(
          r, "workqueue_queue_duration_seconds",
          "How long in seconds an item stays in workqueue before being requested", name)),
      work_duration_(SecondsHistogram(r, "workqueue_work_duration_seconds",
                                      "How long in seconds processing an item from workqueue takes",
                                      name)),
      unfinished_(QueueGauge(r, "workqueue_unfinished_work_seconds",
                             "How many seconds of work has been done that is in progress and "
                             "hasn't been observed by work_duration",
                             name)),
      longest_(QueueGauge(r, "workqueue_longest_running_processor_seconds",
                          "How many seconds has the longest running processor for workqueue "
                          "been running",
                          name)) {}

}  // namespace gearbox::telemetry
