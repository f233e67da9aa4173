// The generic half of a controller, as controller-runtime has it: a work queue keyed by
// "namespace/name" and a fixed number of workers that hand each key to a reconcile function and
// act on what it returns — forget the key's failures and look again after `requeue_after` on
// success, retry with per-item backoff on error. Counting outcomes is the caller's business
// (`on_outcome`), so that a failed write is never counted as a success.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "kube/work_queue.h"

namespace gearbox::kube {

// What one reconcile did, as the loop and the controller's metrics need it.
struct ReconcileResult {
  enum class Outcome {
    kSuccess,  // everything the pass meant to do was done
    kRequeue,  // nothing failed, but the pass asked to come back (a timer, a step in flight)
    kError,    // something failed: retried with backoff (or at requeue_after when given)
  };
  Outcome outcome = Outcome::kSuccess;
  std::optional<std::chrono::milliseconds> requeue_after;  // none: only when something changes
  std::string error;                                       // kError: what failed, for logs
  int writes = 0;  // target writes accepted by the API server

  static const char* OutcomeName(Outcome o);  // "success", "requeue", "error"
};

class ControllerLoop {
 public:
  using ReconcileFn = std::function<ReconcileResult(const std::string& key)>;
  using OutcomeFn = std::function<void(const std::string& key, const ReconcileResult& result,
                                       std::chrono::steady_clock::duration took)>;

  // `queue_metrics` (may be null) must outlive the loop.
  ControllerLoop(ReconcileFn reconcile, OutcomeFn on_outcome,
                 WorkQueueMetrics* queue_metrics = nullptr, WorkQueue::Options queue_options = {});
  ~ControllerLoop();
  ControllerLoop(const ControllerLoop&) = delete;
  ControllerLoop& operator=(const ControllerLoop&) = delete;

  WorkQueue& queue() { return queue_; }
  const WorkQueue& queue() const { return queue_; }
  // Starts `workers` threads; does nothing once Stop() has been called.
  void Start(int workers) EXCLUDES(mu_);
  // Stops taking keys and waits for the passes running now to end.
  void Stop() EXCLUDES(mu_);

  // How long the longest reconcile still running has run at `now` (zero when none runs): a worker
  // stuck in one pass shows here, and the liveness probe fails on it.
  std::chrono::steady_clock::duration LongestRunning(
      std::chrono::steady_clock::time_point now) const EXCLUDES(running_mu_);
  // One key off the queue, reconciled and handled as a worker would; false when none is ready.
  // For tests that drive the loop without threads.
  bool ProcessNext();

 private:
  void Work();
  void Process(const std::string& key);
  // The reconcile of `key`, marked running from `start` until it returns.
  ReconcileResult Run(const std::string& key, std::chrono::steady_clock::time_point start)
      EXCLUDES(running_mu_);

  ReconcileFn reconcile_;
  OutcomeFn on_outcome_;
  WorkQueue queue_;
  // Start and Stop may race (leadership won while shutting down): a Start after Stop starts
  // nothing, so that no worker is left unjoined.
  Mutex mu_;
  std::vector<std::thread> workers_ GUARDED_BY(mu_);
  mutable Mutex running_mu_;
  std::multiset<std::chrono::steady_clock::time_point> running_ GUARDED_BY(running_mu_);
  bool stopped_ GUARDED_BY(mu_) = false;
};

}  // namespace gearbox::kube
