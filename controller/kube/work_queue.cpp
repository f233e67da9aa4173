// See work_queue.h.
#include "kube/work_queue.h"

#include <algorithm>

namespace gearbox::kube {

WorkQueue::WorkQueue(Options options, const Clock& clock) : options_(options), clock_(clock) {}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (processing_.count(key)) return;  // Done() queues it
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  if (delay <= std::chrono::milliseconds::zero()) {
    AddLocked(key);
    return;
  }
  SteadyTime when = clock_.Now() + delay;
  auto [it, inserted] = delayed_.try_emplace(key, when);
  if (!inserted) it->second = std::min(it->second, when);
  cv_.notify_one();
}

void WorkQueue::AddRateLimited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mu_);
    int n = failures_[key]++;
    double ms = static_cast<double>(options_.failure_base.count()) *
                static_cast<double>(1ull << std::min(n, 40));
    delay = std::chrono::milliseconds(
        static_cast<int64_t>(std::min(ms, static_cast<double>(options_.failure_cap.count()))));
  }
  AddAfter(key, delay);
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int WorkQueue::Failures(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::PromoteDueLocked() {
  SteadyTime now = clock_.Now();
  for (auto it = delayed_.begin(); it != delayed_.end();) {
    if (it->second <= now) {
      std::string key = it->first;
      it = delayed_.erase(it);
      AddLocked(key);
    } else {
      ++it;
    }
  }
}

std::optional<std::string> WorkQueue::PopLocked() {
  if (queue_.empty()) return std::nullopt;
  std::string key = queue_.front();
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  return key;
}

std::optional<std::string> WorkQueue::TryGet() {
  std::lock_guard lock(mu_);
  PromoteDueLocked();
  return PopLocked();
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock lock(mu_);
  for (;;) {
    PromoteDueLocked();
    if (auto key = PopLocked()) return key;
    if (shutting_down_) return std::nullopt;
    SteadyTime deadline = clock_.Now() + std::chrono::hours(1);
    for (const auto& [_, when] : delayed_) deadline = std::min(deadline, when);
    clock_.WaitUntil(cv_, lock, deadline);
  }
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key) && !shutting_down_) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  delayed_.clear();
  cv_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t WorkQueue::DelayedLen() const {
  std::lock_guard lock(mu_);
  return delayed_.size();
}

}  // namespace gearbox::kube
