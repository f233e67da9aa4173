// Reads all the metrics of one policy at once on a bounded pool of threads (not a thread per
// read), under one deadline: a source that has not answered when the deadline passes is reported
// missing ("no answer within 5s"), and the evaluation goes on without it. A late answer is
// dropped, never applied to a later pass.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "kube/clock.h"
#include "reconcile/sources.h"
#include "reconcile/status.h"

namespace gearbox::reconcile {

class MetricReader {
 public:
  // threads == 0: every read runs in the caller's thread, in order (deterministic, for tests; the
  // deadline is then checked after each read against `clock`).
  MetricReader(size_t threads, const kube::Clock& clock);
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
  MetricObservation Observe(metrics::MetricSource& source) const;

  const kube::Clock& clock_;
  std::unique_ptr<boost::asio::thread_pool> pool_;  // null: inline
};

// What a missing answer reads as.
MetricObservation NoAnswer(std::chrono::milliseconds budget, policy::Time now);

}  // namespace gearbox::reconcile
