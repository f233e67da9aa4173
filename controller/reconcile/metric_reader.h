// Reads all the metrics of one policy at once on a bounded pool of threads (not a thread per
// read), under one deadline: a source that has not answered when the deadline passes is reported
// missing ("no answer within 5s"), and the evaluation goes on without it. A late answer is
// dropped, never applied to a later pass. With SourceMetrics, it counts the reads that failed (or
// did not answer in time) by source and kind of error, and times every read, late ones included.
//
// The threads are shared fairly between namespaces (each namespace is one team, who chooses its
// own servers): a namespace has at most `reads_per_namespace` reads on the pool at once, and its
// other reads wait for one of those to finish. A namespace whose sources are slow thus waits
// on itself, and the other namespaces keep the rest of the threads. A read still waiting when its
// pass's deadline comes is not started at all and reads as "not read this pass". (Each source
// bounds its own reads by its timeout, which is shorter than the pass's deadline: a thread is
// never held by a read nobody waits for.)
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/mutex.h"
#include "kube/clock.h"
#include "reconcile/sources.h"
#include "reconcile/status.h"
#include "telemetry/source_metrics.h"

namespace gearbox::reconcile {

class MetricReader {
 public:
  // threads == 0: every read runs in the caller's thread, in order (deterministic, for tests; the
  // deadline is then checked after each read against `clock`).
  // `metrics` (may be null) must outlive the reader. `reads_per_namespace` == 0: a quarter of
  // the threads (at least one).
  MetricReader(size_t threads, const kube::Clock& clock,
               telemetry::SourceMetrics* metrics = nullptr, size_t reads_per_namespace = 0);
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
  // Hands `read` to the pool when its namespace has a read to spare, else queues it behind the
  // namespace's others.
  void Submit(const std::string& ns, std::function<void()> read);
  // A read of `ns` is over: its place goes to the namespace's next waiting read.
  void Finished(const std::string& ns);
  void Post(const std::string& ns, std::function<void()> read);
  void CountErrors(const PolicySources& sources,
                   const std::map<std::string, MetricObservation>& readings) const;

  const kube::Clock& clock_;
  telemetry::SourceMetrics* metrics_;
  std::unique_ptr<boost::asio::thread_pool> pool_;  // null: inline
  const size_t reads_per_namespace_;

  struct NamespaceReads {
    size_t on_pool = 0;                         // handed to the pool, not finished
    std::deque<std::function<void()>> waiting;  // for one of those to finish
  };
  Mutex mu_;
  std::map<std::string, NamespaceReads> namespaces_ GUARDED_BY(mu_);  // those with reads
};

// What a missing answer reads as.
MetricObservation NoAnswer(std::chrono::milliseconds budget, policy::Time now);
// What a read that waited for its namespace's share all the pass reads as.
MetricObservation NotRead(policy::Time now);

}  // namespace gearbox::reconcile
