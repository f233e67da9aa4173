// See controller_loop.h.
#include "kube/controller_loop.h"

#include <algorithm>
#include <exception>

namespace gearbox::kube {

const char* ReconcileResult::OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kRequeue:
      return "requeue";
    case Outcome::kError:
      return "error";
  }
  return "error";
}

ControllerLoop::ControllerLoop(ReconcileFn reconcile, OutcomeFn on_outcome,
                               WorkQueueMetrics* queue_metrics, WorkQueue::Options queue_options)
    : reconcile_(std::move(reconcile)),
      on_outcome_(std::move(on_outcome)),
      queue_(queue_options, RealClock::Instance(), queue_metrics) {}

ControllerLoop::~ControllerLoop() { Stop(); }

void ControllerLoop::Start(int workers) {
  MutexLock lock(mu_);
  if (stopped_) return;
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

void ControllerLoop::Stop() {
  std::vector<std::thread> running;
  {
    MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    running.swap(workers_);
  }
  queue_.ShutDown();
  for (auto& w : running) w.join();
}

bool ControllerLoop::ProcessNext() {
  auto key = queue_.TryGet();
  if (!key) return false;
  Process(*key);
  return true;
}

void ControllerLoop::Work() {
  while (auto key = queue_.Get()) Process(*key);
}

std::chrono::steady_clock::duration ControllerLoop::LongestRunning(
    std::chrono::steady_clock::time_point now) const {
  MutexLock lock(running_mu_);
  if (running_.empty()) return {};
  return std::max(now - *running_.begin(), std::chrono::steady_clock::duration::zero());
}

ReconcileResult ControllerLoop::Run(const std::string& key,
                                    std::chrono::steady_clock::time_point start) {
  std::multiset<std::chrono::steady_clock::time_point>::iterator mark;
  {
    MutexLock lock(running_mu_);
    mark = running_.insert(start);
  }
  ReconcileResult result;
  try {
    result = reconcile_(key);
  } catch (const std::exception& e) {  // a reconcile never takes the controller down
    result.outcome = ReconcileResult::Outcome::kError;
    result.error = std::string("unexpected exception: ") + e.what();
  }
  MutexLock lock(running_mu_);
  running_.erase(mark);
  return result;
}

void ControllerLoop::Process(const std::string& key) {
  auto start = std::chrono::steady_clock::now();
  ReconcileResult result = Run(key, start);
  if (on_outcome_) on_outcome_(key, result, std::chrono::steady_clock::now() - start);
  if (result.outcome == ReconcileResult::Outcome::kError && !result.requeue_after) {
    queue_.AddRateLimited(key);
  } else {
    if (result.outcome != ReconcileResult::Outcome::kError) queue_.Forget(key);
    if (result.requeue_after) queue_.AddAfter(key, *result.requeue_after);
  }
  queue_.Done(key);
}

}  // namespace gearbox::kube
