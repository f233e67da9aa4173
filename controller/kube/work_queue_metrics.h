// What a WorkQueue reports about itself, as client-go's workqueue.MetricsProvider has it: the
// queue calls these and knows nothing of how they are exported (telemetry/workqueue_metrics.h
// implements them on prometheus-cpp), so kube/ depends on no metrics library.
#pragma once

#include <chrono>
#include <cstddef>

namespace gearbox::kube {

class WorkQueueMetrics {
 public:
  using Seconds = std::chrono::duration<double>;

  virtual ~WorkQueueMetrics() = default;

  // Called with the queue's lock held: each must be quick and must not call back into the queue.
  virtual void SetDepth(size_t ready) = 0;  // keys ready to be taken
  virtual void Added() = 0;                 // a key was queued (not merged into a queued one)
  virtual void Retried() = 0;               // AddRateLimited: a key comes back after a failure
  virtual void Queued(Seconds waited) = 0;  // from when a key was ready to when it was taken
  virtual void Worked(Seconds took) = 0;    // from when a key was taken to Done
  // The work in progress now: the seconds every key being processed has run so far, summed, and
  // the longest of them. Refreshed by WorkQueue::ReportUnfinishedWork (at each scrape).
  virtual void SetUnfinished(Seconds total, Seconds longest) = 0;
};

}  // namespace gearbox::kube
