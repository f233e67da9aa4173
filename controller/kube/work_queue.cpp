// See work_queue.h.
#include "kube/work_queue.h"

#include <algorithm>

namespace gearbox::kube {

namespace {

// Reports nothing: the queue calls its metrics unconditionally.
class NoMetrics final : public WorkQueueMetrics {
 public:
  void SetDepth(size_t) override {}
  void Added() override {}
  void Retried() override {}
  void Queued(Seconds) override {}
  void Worked(Seconds) override {}
  void SetUnfinished(Seconds, Seconds) override {}

  static NoMetrics& Instance() {
    static NoMetrics none;
    return none;
  }
};

// The namespace of a "namespace/name" key ("" for a key without one).
std::string NamespaceOf(const std::string& key) {
  const size_t slash = key.find('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash);
}

}  // namespace

WorkQueue::WorkQueue(Options options, const Clock& clock, WorkQueueMetrics* metrics)
    : options_(options), clock_(clock), metrics_(metrics ? metrics : &NoMetrics::Instance()) {}

// ready_ holds only namespaces with keys, and turns_ names each of them once.
void WorkQueue::PushLocked(const std::string& key) {
  const std::string ns = NamespaceOf(key);
  auto [keys, new_namespace] = ready_.try_emplace(ns);
  if (new_namespace) turns_.push_back(ns);
  keys->second.push_back(key);
  ++ready_count_;
  metrics_->SetDepth(ready_count_);
  cv_.notify_one();
}

void WorkQueue::AddLocked(const std::string& key, SteadyTime ready_at) {
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.emplace(key, ready_at);
  metrics_->Added();
  if (processing_.count(key)) return;  // Done() queues it
  PushLocked(key);
}

void WorkQueue::Add(const std::string& key) {
  MutexLock lock(mu_);
  AddLocked(key, clock_.Now());
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  MutexLock lock(mu_);
  if (shutting_down_) return;
  if (delay <= std::chrono::milliseconds::zero()) {
    AddLocked(key, clock_.Now());
    return;
  }
  SteadyTime when = clock_.Now() + delay;
  auto [it, inserted] = delayed_.try_emplace(key, when);
  if (!inserted) {
    if (it->second <= when) return;  // already due sooner
    due_.erase({it->second, key});
    it->second = when;
  }
  due_.emplace(when, key);
  cv_.notify_one();
}

void WorkQueue::AddRateLimited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    MutexLock lock(mu_);
    metrics_->Retried();
    int n = failures_[key]++;
    double ms = static_cast<double>(options_.failure_base.count()) *
                static_cast<double>(1ull << std::min(n, 40));
    delay = std::chrono::milliseconds(
        static_cast<int64_t>(std::min(ms, static_cast<double>(options_.failure_cap.count()))));
  }
  AddAfter(key, delay);
}

void WorkQueue::Forget(const std::string& key) {
  MutexLock lock(mu_);
  failures_.erase(key);
}

int WorkQueue::Failures(const std::string& key) const {
  MutexLock lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

// Delayed keys become ready when they are due; they are moved here lazily (at the next Get), so
// they count as ready from the time they were due, not from when they were moved.
void WorkQueue::PromoteDueLocked() {
  const SteadyTime now = clock_.Now();
  while (!due_.empty() && due_.begin()->first <= now) {
    auto [due, key] = *due_.begin();
    due_.erase(due_.begin());
    delayed_.erase(key);
    AddLocked(key, due);
  }
}

std::deque<std::string>* WorkQueue::NextTurnLocked() {
  for (size_t tried = 0; tried < turns_.size(); ++tried) {
    std::string ns = std::move(turns_.front());
    turns_.pop_front();
    turns_.push_back(ns);
    auto busy = busy_.find(ns);
    if (options_.per_namespace == 0 || busy == busy_.end() || busy->second < options_.per_namespace)
      return &ready_.at(ns);
  }
  return nullptr;
}

std::optional<std::string> WorkQueue::PopLocked() {
  std::deque<std::string>* keys = NextTurnLocked();
  if (!keys) return std::nullopt;
  std::string key = std::move(keys->front());
  keys->pop_front();
  if (keys->empty()) {  // its turn (now the last) goes with it
    ready_.erase(turns_.back());
    turns_.pop_back();
  }
  --ready_count_;
  metrics_->SetDepth(ready_count_);
  StartedLocked(key);
  return key;
}

void WorkQueue::StartedLocked(const std::string& key) {
  const SteadyTime now = clock_.Now();
  processing_[key] = now;
  ++busy_[NamespaceOf(key)];
  auto dirty = dirty_.find(key);
  if (dirty != dirty_.end()) {
    metrics_->Queued(now - dirty->second);
    dirty_.erase(dirty);
  }
}

void WorkQueue::FinishedLocked(const std::string& key) {
  auto it = processing_.find(key);
  if (it == processing_.end()) return;
  metrics_->Worked(clock_.Now() - it->second);
  processing_.erase(it);
  auto busy = busy_.find(NamespaceOf(key));
  if (--busy->second == 0) busy_.erase(busy);
  // A worker may be waiting only because this namespace had no room.
  if (ready_count_ > 0) cv_.notify_one();
}

std::optional<std::string> WorkQueue::TryGet() {
  MutexLock lock(mu_);
  PromoteDueLocked();
  return PopLocked();
}

std::optional<std::string> WorkQueue::Get() {
  MutexLock lock(mu_);
  for (;;) {
    PromoteDueLocked();
    if (auto key = PopLocked()) return key;
    if (shutting_down_) return std::nullopt;
    SteadyTime deadline = clock_.Now() + std::chrono::hours(1);
    if (!due_.empty()) deadline = std::min(deadline, due_.begin()->first);
    clock_.WaitUntil(cv_, mu_, deadline);
  }
}

void WorkQueue::Done(const std::string& key) {
  MutexLock lock(mu_);
  FinishedLocked(key);
  if (dirty_.count(key) && !shutting_down_) PushLocked(key);
}

void WorkQueue::ShutDown() {
  MutexLock lock(mu_);
  shutting_down_ = true;
  delayed_.clear();
  due_.clear();
  cv_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  MutexLock lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  MutexLock lock(mu_);
  return ready_count_;
}

size_t WorkQueue::DelayedLen() const {
  MutexLock lock(mu_);
  return delayed_.size();
}

void WorkQueue::ReportUnfinishedWork() const {
  MutexLock lock(mu_);
  const SteadyTime now = clock_.Now();
  WorkQueueMetrics::Seconds total{0}, longest{0};
  for (const auto& [_, since] : processing_) {
    WorkQueueMetrics::Seconds ran = now - since;
    total += ran;
    longest = std::max(longest, ran);
  }
  metrics_->SetUnfinished(total, longest);
}

}  // namespace gearbox::kube
