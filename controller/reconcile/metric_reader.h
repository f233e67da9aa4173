// Reads all the metrics of one policy at once on a bounded pool of threads (not a thread per
// read), under one deadline: a source that has not answered when the deadline passes is reported
// missing ("no answer within 5s"), and the evaluation goes on without it. A late answer is
// dropped, never applied to a later pass. With SourceMetrics, it counts the reads that failed (or
// did not answer in time) by source and kind of error, and times every read, late ones included.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "kube/clock.h"
#include "reconcile/sources.h"
#include "reconcile/status.h"
#include "telemetry/source_metrics.h"

namespace gearbox::reconcile {

class MetricReader {
 public:
  // threads == 0: every read runs in the caller's thread, in order (deterministic, for tests; the
  // deadline is then checked after each read against `clock`).
  // `metrics` (may be null) must outlive the reader.
  MetricReader(size_t threads, const kube::Clock& clock,
               telemetry::SourceMetrics* metrics = nullptr);
  ~MetricReader();
  MetricReader(const MetricReader&) = delete;
  MetricReader& operator=(const MetricReader&) = delete;

  // Every source's reading, by metric name, each stamped with the wall time it arrived.
  std::map<std::string, MetricObservation> ReadAll(PolicySources& sources,
                                                   std::chrono::milliseconds budget);

 private:
  std::map<std::string, MetricObservation> ReadInline(PolicySources& sources,
                                                      kube::SteadyTime deadline);
  std::map<std::string, MetricObservation> ReadPooled(PolicySources& sources,
                                                      kube::SteadyTime deadline);
  MetricObservation Observe(metrics::MetricSource& source, const char* kind) const;
  void CountErrors(const PolicySources& sources,
                   const std::map<std::string, MetricObservation>& readings) const;

  const kube::Clock& clock_;
  telemetry::SourceMetrics* metrics_;
  std::unique_ptr<boost::asio::thread_pool> pool_;  // null: inline
};

// What a missing answer reads as.
MetricObservation NoAnswer(std::chrono::milliseconds budget, policy::Time now);

}  // namespace gearbox::reconcile
