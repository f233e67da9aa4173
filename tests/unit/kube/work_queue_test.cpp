// The work queue's contract, on a fake clock: merge duplicates, one worker per key, per-item
// exponential backoff, delayed adds where the earliest wins, shutdown.
#include "kube/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "kube/backoff.h"

namespace gearbox::kube {
namespace {

using std::chrono::milliseconds;

TEST(WorkQueueTest, DuplicatesAreMerged) {
  FakeClock clock;
  WorkQueue q({}, clock);
  q.Add("ns/a");
  q.Add("ns/b");
  q.Add("ns/a");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(q.TryGet(), "ns/a");
  EXPECT_EQ(q.TryGet(), "ns/b");
  EXPECT_EQ(q.TryGet(), std::nullopt);
}

TEST(WorkQueueTest, NeverTwoWorkersOnOneKey) {
  FakeClock clock;
  WorkQueue q({}, clock);
  q.Add("ns/a");
  ASSERT_EQ(q.TryGet(), "ns/a");
  q.Add("ns/a");  // changed while being processed
  q.Add("ns/a");
  EXPECT_EQ(q.TryGet(), std::nullopt) << "handed out while still processing";
  q.Done("ns/a");
  EXPECT_EQ(q.TryGet(), "ns/a") << "the change during processing must not be lost";
  q.Done("ns/a");
  EXPECT_EQ(q.TryGet(), std::nullopt) << "the two adds during processing count once";
}

TEST(WorkQueueTest, PerItemExponentialBackoff) {
  FakeClock clock;
  WorkQueue q({milliseconds(100), milliseconds(1000)}, clock);
  std::vector<int64_t> waits;
  for (int i = 0; i < 6; ++i) {
    q.AddRateLimited("ns/a");
    int64_t waited = 0;
    while (!q.TryGet()) {
      clock.Advance(milliseconds(10));
      waited += 10;
    }
    q.Done("ns/a");
    waits.push_back(waited);
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{100, 200, 400, 800, 1000, 1000}));
  EXPECT_EQ(q.Failures("ns/a"), 6);
  q.Forget("ns/a");
  EXPECT_EQ(q.Failures("ns/a"), 0);
  q.AddRateLimited("ns/a");
  clock.Advance(milliseconds(100));
  EXPECT_EQ(q.TryGet(), "ns/a") << "after Forget the backoff starts over";
}

TEST(WorkQueueTest, BackoffIsPerItem) {
  FakeClock clock;
  WorkQueue q({milliseconds(100), milliseconds(10000)}, clock);
  for (int i = 0; i < 3; ++i) {  // three failed attempts: 100, 200, 400 ms
    q.AddRateLimited("ns/flaky");
    clock.Advance(milliseconds(400));
    ASSERT_EQ(q.TryGet(), "ns/flaky");
    q.Done("ns/flaky");
  }
  q.AddRateLimited("ns/flaky");  // fourth: 800 ms
  q.AddRateLimited("ns/fine");   // first: 100 ms
  clock.Advance(milliseconds(100));
  EXPECT_EQ(q.TryGet(), "ns/fine");
  EXPECT_EQ(q.TryGet(), std::nullopt);
  clock.Advance(milliseconds(700));
  EXPECT_EQ(q.TryGet(), "ns/flaky");
  // Rate-limited adds of a key that is already waiting merge, and the earliest time wins.
  q.AddRateLimited("ns/x");  // 100 ms
  q.AddRateLimited("ns/x");  // would be 200 ms
  clock.Advance(milliseconds(100));
  EXPECT_EQ(q.TryGet(), "ns/x");
}

TEST(WorkQueueTest, DelayedAddEarliestWinsAndImmediateAddIsNotDelayed) {
  FakeClock clock;
  WorkQueue q({}, clock);
  q.AddAfter("ns/a", milliseconds(5000));
  q.AddAfter("ns/a", milliseconds(1000));
  q.AddAfter("ns/a", milliseconds(3000));
  EXPECT_EQ(q.DelayedLen(), 1u);
  clock.Advance(milliseconds(999));
  EXPECT_EQ(q.TryGet(), std::nullopt);
  clock.Advance(milliseconds(1));
  EXPECT_EQ(q.TryGet(), "ns/a");
  q.Done("ns/a");
  clock.Advance(milliseconds(10000));
  EXPECT_EQ(q.TryGet(), std::nullopt) << "the later delayed adds were merged into the first";

  q.AddAfter("ns/b", milliseconds(60000));
  q.Add("ns/b");
  EXPECT_EQ(q.TryGet(), "ns/b");
}

// Keys due meanwhile are handed out in the order they were due (the longest waiting first), not
// in the order of their names: with 10,000 policies, the one due first must not wait behind the
// others that came due after it.
TEST(WorkQueueTest, DueKeysComeOutInTheOrderTheyWereDue) {
  FakeClock clock;
  WorkQueue q({}, clock);
  q.AddAfter("ns/a", milliseconds(3000));
  q.AddAfter("ns/b", milliseconds(2000));
  q.AddAfter("ns/c", milliseconds(1000));
  clock.Advance(milliseconds(3000));
  EXPECT_EQ(q.TryGet(), "ns/c");
  EXPECT_EQ(q.TryGet(), "ns/b");
  EXPECT_EQ(q.TryGet(), "ns/a");
  EXPECT_EQ(q.DelayedLen(), 0u);
}

// One team's many keys do not make the others wait behind them: the namespaces with ready keys
// take turns, each in its own order.
TEST(WorkQueueTest, NamespacesTakeTurns) {
  FakeClock clock;
  WorkQueue q({}, clock);
  for (const char* key : {"busy/1", "busy/2", "busy/3", "quiet/1"}) q.Add(key);
  EXPECT_EQ(q.Len(), 4u);
  EXPECT_EQ(q.TryGet(), "busy/1");
  EXPECT_EQ(q.TryGet(), "quiet/1") << "the second namespace waited behind all of the first's keys";
  EXPECT_EQ(q.TryGet(), "busy/2");
  EXPECT_EQ(q.TryGet(), "busy/3");
  EXPECT_EQ(q.Len(), 0u);
}

// A namespace whose passes are slow holds at most its share of the workers: its next key waits
// for one of its own to be done, while the other namespaces' keys are handed out.
TEST(WorkQueueTest, ANamespaceAtItsShareWaitsWhileOthersAreServed) {
  FakeClock clock;
  WorkQueue::Options options;
  options.per_namespace = 1;
  WorkQueue q(options, clock);
  for (const char* key : {"slow/1", "slow/2", "slow/3", "fast/1", "fast/2"}) q.Add(key);
  EXPECT_EQ(q.TryGet(), "slow/1");
  EXPECT_EQ(q.TryGet(), "fast/1");
  EXPECT_EQ(q.TryGet(), std::nullopt) << "a second key of each namespace handed out";
  EXPECT_EQ(q.Len(), 3u) << "the waiting keys are still ready";
  q.Done("fast/1");
  EXPECT_EQ(q.TryGet(), "fast/2");
  q.Done("slow/1");
  EXPECT_EQ(q.TryGet(), "slow/2");
  EXPECT_EQ(q.TryGet(), std::nullopt);
}

// A worker blocked because every ready key's namespace is at its share is woken when one of that
// namespace's keys is done, not only when a new key arrives.
TEST(WorkQueueTest, AWorkerWaitingForItsNamespacesShareWakesWhenOneIsDone) {
  WorkQueue::Options options;
  options.per_namespace = 1;
  WorkQueue q(options);  // real clock: Get() blocks
  q.Add("slow/1");
  q.Add("slow/2");
  ASSERT_EQ(q.Get(), "slow/1");
  std::optional<std::string> got;
  std::thread worker([&] { got = q.Get(); });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(got, std::nullopt) << "handed out a second key of a namespace at its share";
  q.Done("slow/1");
  worker.join();
  EXPECT_EQ(got, "slow/2");
}

TEST(WorkQueueTest, ShutDownWakesBlockedWorkers) {
  WorkQueue q;  // real clock: Get() blocks
  std::optional<std::string> got = "unset";
  std::thread worker([&] { got = q.Get(); });
  std::this_thread::sleep_for(milliseconds(50));
  q.ShutDown();
  worker.join();
  EXPECT_EQ(got, std::nullopt);
  q.Add("ns/late");
  EXPECT_EQ(q.Len(), 0u) << "adds after shutdown are dropped";
}

TEST(WorkQueueTest, BlockingGetReturnsDelayedItemOnTime) {
  WorkQueue q;
  auto start = std::chrono::steady_clock::now();
  q.AddAfter("ns/a", milliseconds(100));
  EXPECT_EQ(q.Get(), "ns/a");
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(100));
}

TEST(BackoffTest, DoublesToTheCapWithBoundedJitter) {
  Backoff b(milliseconds(800), milliseconds(30000), 0.2, 42);
  std::vector<int64_t> base{800, 1600, 3200, 6400, 12800, 25600, 30000, 30000};
  for (int64_t want : base) {
    int64_t got = b.Next().count();
    EXPECT_GE(got, static_cast<int64_t>(want * 0.8)) << want;
    EXPECT_LE(got, std::min<int64_t>(30000, static_cast<int64_t>(want * 1.2))) << want;
  }
  b.Reset();
  EXPECT_LE(b.Next().count(), 960);
  Backoff exact(milliseconds(100), milliseconds(1000), 0.0);
  EXPECT_EQ(exact.Next().count(), 100);
  EXPECT_EQ(exact.Next().count(), 200);
}

}  // namespace
}  // namespace gearbox::kube
