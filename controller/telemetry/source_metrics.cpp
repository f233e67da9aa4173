// See source_metrics.h. A handful of series in all (sources x error kinds); an error's series is
// looked up in its family when it is counted, which prometheus-cpp does under its lock.
#include "telemetry/source_metrics.h"

#include "base/result.h"
#include "telemetry/buckets.h"

namespace gearbox::telemetry {

SourceMetrics::SourceMetrics(prometheus::Registry& r)
    : errors_(prometheus::BuildCounter()
                  .Name("gearbox_metric_source_errors_total")
                  .Help("Metric reads that failed, by source (resource, prometheus, queue, "
                        "postgresql, metrics_api, rabbitmq, pods) and kind of error.")
                  .Register(r)),
      read_seconds_(prometheus::BuildHistogram()
                        .Name("gearbox_metric_read_duration_seconds")
                        .Help("How long one metric read took, by source (a read that never "
                              "answered is counted when it gives up).")
                        .Register(r)) {
  for (const char* source :
       {"resource", "prometheus", "queue", "postgresql", "metrics_api", "rabbitmq", "pods"}) {
    by_source_[source] = &read_seconds_.Add({{"source", source}}, SecondsBuckets());
    // Every error series exists from 0: rate() and increase() only see an error counted after a
    // sample of the series, so a first error would otherwise go unseen by the alert on them.
    for (int k = 0; k <= static_cast<int>(Error::Kind::kNotLeader); ++k)
      errors_.Add({{"source", source}, {"error", KindName(static_cast<Error::Kind>(k))}});
  }
}

void SourceMetrics::Read(const std::string& source, std::chrono::duration<double> took) {
  auto it = by_source_.find(source);
  prometheus::Histogram& h = it != by_source_.end()
                                 ? *it->second
                                 : read_seconds_.Add({{"source", source}}, SecondsBuckets());
  h.Observe(took.count());
}

void SourceMetrics::Failed(const std::string& source, const std::string& error_kind) {
  errors_.Add({{"source", source}, {"error", error_kind}}).Increment();
}

}  // namespace gearbox::telemetry
