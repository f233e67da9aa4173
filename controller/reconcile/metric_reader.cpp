// See metric_reader.h.
#include "reconcile/metric_reader.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <set>

#include "policy/duration.h"

namespace gearbox::reconcile {

namespace {

// The readings of one ReadAll, shared with the pool's tasks: a task that finishes after the
// deadline writes into it when nobody reads it any more, and it dies with the last task.
struct Batch {
  Mutex mu;
  std::condition_variable_any cv;
  std::map<std::string, MetricObservation> done GUARDED_BY(mu);
  std::set<std::string> started GUARDED_BY(mu);  // the reads that began before the deadline
  size_t remaining GUARDED_BY(mu) = 0;
  kube::SteadyTime deadline;  // set before the reads are handed out, then only read
};

}  // namespace

MetricObservation NoAnswer(std::chrono::milliseconds budget, policy::Time now) {
  return MetricObservation{
      Error::Of(Error::Kind::kTimeout, "no answer within " + policy::FormatDuration(budget)), now};
}

MetricObservation NotRead(policy::Time now) {
  return MetricObservation{
      Error::Of(Error::Kind::kTimeout,
                "not read this pass: this namespace's other reads held its share of the readers"),
      now};
}

MetricReader::MetricReader(size_t threads, const kube::Clock& clock,
                           telemetry::SourceMetrics* metrics, size_t reads_per_namespace)
    : clock_(clock),
      metrics_(metrics),
      reads_per_namespace_(reads_per_namespace > 0 ? reads_per_namespace
                                                   : std::max<size_t>(1, threads / 4)) {
  if (threads > 0) pool_ = std::make_unique<boost::asio::thread_pool>(threads);
}

MetricReader::~MetricReader() {
  if (pool_) pool_->join();
}

MetricObservation MetricReader::Observe(metrics::MetricSource& source, const char* kind) const {
  const kube::SteadyTime start = clock_.Now();
  Result<metrics::Reading> r = source.Read();
  if (metrics_) metrics_->Read(kind, clock_.Now() - start);
  return MetricObservation{std::move(r), clock_.WallNow()};
}

// The errors of the readings this pass uses: a read that answers after the deadline counts as
// the timeout it was, not again with its own late outcome.
void MetricReader::CountErrors(const PolicySources& sources,
                               const std::map<std::string, MetricObservation>& readings) const {
  if (!metrics_) return;
  for (const auto& [name, o] : readings) {
    auto built = sources.by_metric.find(name);
    if (o.reading || built == sources.by_metric.end()) continue;
    metrics_->Failed(built->second.kind, KindName(o.reading.error().kind));
  }
}

std::map<std::string, MetricObservation> MetricReader::ReadAll(PolicySources& sources,
                                                               std::chrono::milliseconds budget) {
  kube::SteadyTime deadline = clock_.Now() + budget;
  auto out = pool_ ? ReadPooled(sources, deadline) : ReadInline(sources, deadline);
  for (const auto& [name, built] : sources.by_metric) {
    if (!out.count(name)) out.emplace(name, NoAnswer(budget, clock_.WallNow()));
  }
  CountErrors(sources, out);
  return out;
}

std::map<std::string, MetricObservation> MetricReader::ReadInline(PolicySources& sources,
                                                                  kube::SteadyTime deadline) {
  std::map<std::string, MetricObservation> out;
  for (auto& [name, built] : sources.by_metric) {
    if (clock_.Now() >= deadline) break;  // the rest are missing
    MetricObservation o = Observe(*built.source, built.kind);
    if (clock_.Now() <= deadline) out.emplace(name, std::move(o));
  }
  return out;
}

void MetricReader::Post(const std::string& ns, std::function<void()> read) {
  boost::asio::post(*pool_, [this, ns, read = std::move(read)] {
    read();
    Finished(ns);
  });
}

void MetricReader::Submit(const std::string& ns, std::function<void()> read) {
  MutexLock lock(mu_);
  NamespaceReads& reads = namespaces_[ns];
  if (reads.on_pool >= reads_per_namespace_) {
    reads.waiting.push_back(std::move(read));
    return;
  }
  ++reads.on_pool;
  Post(ns, std::move(read));
}

void MetricReader::Finished(const std::string& ns) {
  MutexLock lock(mu_);
  auto it = namespaces_.find(ns);
  NamespaceReads& reads = it->second;
  if (!reads.waiting.empty()) {
    Post(ns, std::move(reads.waiting.front()));  // takes the finished read's place
    reads.waiting.pop_front();
  } else if (--reads.on_pool == 0) {
    namespaces_.erase(it);
  }
}

std::map<std::string, MetricObservation> MetricReader::ReadPooled(PolicySources& sources,
                                                                  kube::SteadyTime deadline) {
  auto batch = std::make_shared<Batch>();
  batch->deadline = deadline;
  {
    MutexLock lock(batch->mu);
    batch->remaining = sources.by_metric.size();
  }
  for (auto& [name, built] : sources.by_metric) {
    // The task holds the source: a late read may outlive this pass and the policy's sources.
    Submit(sources.ns, [this, batch, name = name, source = built.source, kind = built.kind] {
      {
        MutexLock lock(batch->mu);
        if (clock_.Now() >= batch->deadline) return;  // nobody waits for it any more
        batch->started.insert(name);
      }
      MetricObservation o = Observe(*source, kind);
      MutexLock lock(batch->mu);
      batch->done.emplace(name, std::move(o));
      --batch->remaining;
      batch->cv.notify_all();
    });
  }
  MutexLock lock(batch->mu);
  while (batch->remaining > 0 && clock_.Now() < deadline)
    clock_.WaitUntil(batch->cv, batch->mu, deadline);
  std::map<std::string, MetricObservation> out = batch->done;
  for (const auto& [name, built] : sources.by_metric)
    if (!out.count(name) && !batch->started.count(name))
      out.emplace(name, NotRead(clock_.WallNow()));
  return out;
}

}  // namespace gearbox::reconcile
