// A work queue keyed by "namespace/name", as controllers need it: an item added several times
// before a worker takes it is processed once; an item is never handed to two workers at once (if
// it is added while being processed, it comes back after Done); failures come back after a
// per-item exponential backoff; items can be added after a delay (periodic requeue).
//
// Namespaces take turns (Options::per_namespace): each namespace's ready keys wait in a queue of
// their own, Get() serves the namespaces round-robin, and a namespace that already has
// `per_namespace` keys being processed is skipped until one is done. A namespace is one team,
// whose policies read servers the team chose: one whose passes are slow (its sources stall every
// read to the deadline) thus holds at most its share of the workers, and one with many keys
// waits behind itself, while the other namespaces keep the rest.
//
// With a WorkQueueMetrics, it reports its depth, adds, retries, how long keys waited and were
// worked on, as controller-runtime's workqueue_* metrics do.
//
// Get() blocks (with the real clock). With a FakeClock, use TryGet() after Advance(): a fake clock
// does not pass by waiting.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "base/mutex.h"
#include "kube/clock.h"
#include "kube/work_queue_metrics.h"

namespace gearbox::kube {

class WorkQueue {
 public:
  struct Options {
    std::chrono::milliseconds failure_base{500};
    std::chrono::milliseconds failure_cap{std::chrono::minutes(5)};
    // At most this many keys of one namespace (the part of the key before '/') processed at once;
    // 0: no limit.
    size_t per_namespace = 0;
  };
  WorkQueue() : WorkQueue(Options{}) {}
  // `metrics` (not owned; may be null) must outlive the queue.
  explicit WorkQueue(Options options, const Clock& clock = RealClock::Instance(),
                     WorkQueueMetrics* metrics = nullptr);

  void Add(const std::string& key);
  // Adds the key once `delay` has passed; an earlier pending time for the same key wins.
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // Adds the key after its backoff: failure_base * 2^(failures so far), at most failure_cap.
  void AddRateLimited(const std::string& key);
  // Forgets the key's failures (after a success).
  void Forget(const std::string& key);
  int Failures(const std::string& key) const;

  // The next key to process, blocking; nullopt once shut down and drained of ready items.
  std::optional<std::string> Get();
  // The next key ready now, if any.
  std::optional<std::string> TryGet();
  // The worker is done with the key; if it was added meanwhile, it is queued again.
  void Done(const std::string& key);
  void ShutDown();
  bool ShuttingDown() const;

  size_t Len() const;         // ready to be taken (by a worker, or once its namespace has room)
  size_t DelayedLen() const;  // waiting for their time

  // Tells the metrics how long the keys being processed have run so far (they cannot see a stuck
  // worker otherwise: nothing else happens to report). Called before each scrape.
  void ReportUnfinishedWork() const;

 private:
  void PromoteDueLocked() REQUIRES(mu_);
  // `ready_at`: when the key became ready (now, or the time a delayed key was due).
  void AddLocked(const std::string& key, SteadyTime ready_at) REQUIRES(mu_);
  void PushLocked(const std::string& key) REQUIRES(mu_);
  std::optional<std::string> PopLocked() REQUIRES(mu_);
  // The next namespace in turn with a ready key and room for one more being processed; nullptr
  // when there is none. Moves it to the back of the turns.
  std::deque<std::string>* NextTurnLocked() REQUIRES(mu_);
  void StartedLocked(const std::string& key) REQUIRES(mu_);
  void FinishedLocked(const std::string& key) REQUIRES(mu_);

  Options options_;
  const Clock& clock_;
  mutable Mutex mu_;
  std::condition_variable_any cv_;
  // Ready keys by namespace, and the namespaces with ready keys in the order they take turns.
  std::map<std::string, std::deque<std::string>> ready_ GUARDED_BY(mu_);
  std::deque<std::string> turns_ GUARDED_BY(mu_);
  size_t ready_count_ GUARDED_BY(mu_) = 0;
  std::map<std::string, size_t> busy_
      GUARDED_BY(mu_);  // namespace -> its keys being processed (when > 0)
  // Queued or to be queued once Done -> when it became ready (for the queue duration).
  std::map<std::string, SteadyTime> dirty_ GUARDED_BY(mu_);
  std::map<std::string, SteadyTime> processing_ GUARDED_BY(mu_);  // handed to a worker -> when
  std::map<std::string, SteadyTime> delayed_ GUARDED_BY(mu_);     // key -> when it becomes ready
  // The same keys by when they become ready, so that finding the due ones and the next deadline
  // costs O(log n), not a scan of every delayed key on every Get (10,000 policies wait here).
  std::set<std::pair<SteadyTime, std::string>> due_ GUARDED_BY(mu_);
  std::map<std::string, int> failures_ GUARDED_BY(mu_);
  bool shutting_down_ GUARDED_BY(mu_) = false;
  WorkQueueMetrics* metrics_;
};

}  // namespace gearbox::kube
