// The generic controller loop: what it does with each outcome of a reconcile.
#include "kube/controller_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

namespace gearbox::kube {
namespace {

using namespace std::chrono_literals;
using Outcome = ReconcileResult::Outcome;

struct Recorder {
  std::vector<std::string> outcomes;
  ReconcileResult next;
  bool throw_next = false;
};

ControllerLoop MakeLoop(Recorder& r) {
  return ControllerLoop(
      [&r](const std::string&) {
        if (r.throw_next) throw std::runtime_error("boom");
        return r.next;
      },
      [&r](const std::string& key, const ReconcileResult& res,
           std::chrono::steady_clock::duration) {
        r.outcomes.push_back(key + " " + ReconcileResult::OutcomeName(res.outcome));
      });
}

TEST(ControllerLoop, SuccessWithRequeueComesBackAfterTheDelay) {
  Recorder r;
  r.next.requeue_after = 10ms;
  ControllerLoop loop = MakeLoop(r);
  loop.queue().Add("shop/a");
  ASSERT_TRUE(loop.ProcessNext());
  EXPECT_EQ(r.outcomes, std::vector<std::string>{"shop/a success"});
  EXPECT_EQ(loop.queue().DelayedLen(), 1u);
  EXPECT_EQ(loop.queue().Failures("shop/a"), 0);
}

TEST(ControllerLoop, SuccessWithoutRequeueIsNotQueuedAgain) {
  Recorder r;
  ControllerLoop loop = MakeLoop(r);
  loop.queue().Add("shop/a");
  ASSERT_TRUE(loop.ProcessNext());
  EXPECT_EQ(loop.queue().Len() + loop.queue().DelayedLen(), 0u);
}

TEST(ControllerLoop, ErrorWithoutDelayBacksOff) {
  Recorder r;
  r.next.outcome = Outcome::kError;
  ControllerLoop loop = MakeLoop(r);
  loop.queue().Add("shop/a");
  ASSERT_TRUE(loop.ProcessNext());
  EXPECT_EQ(r.outcomes, std::vector<std::string>{"shop/a error"});
  EXPECT_EQ(loop.queue().Failures("shop/a"), 1);
}

TEST(ControllerLoop, ErrorWithDelayKeepsItsFailuresAndComesBackAtTheDelay) {
  Recorder r;
  r.next.outcome = Outcome::kError;
  r.next.requeue_after = 5s;
  ControllerLoop loop = MakeLoop(r);
  loop.queue().Add("shop/a");
  ASSERT_TRUE(loop.ProcessNext());
  EXPECT_EQ(loop.queue().Failures("shop/a"), 0);  // not rate limited: the pass chose its delay
  EXPECT_EQ(loop.queue().DelayedLen(), 1u);
}

TEST(ControllerLoop, AnExceptionIsAnErrorNotACrash) {
  Recorder r;
  r.throw_next = true;
  ControllerLoop loop = MakeLoop(r);
  loop.queue().Add("shop/a");
  ASSERT_TRUE(loop.ProcessNext());
  EXPECT_EQ(r.outcomes, std::vector<std::string>{"shop/a error"});
  EXPECT_EQ(loop.queue().Failures("shop/a"), 1);
}

TEST(ControllerLoop, WorkersReconcileEachKeyAndStop) {
  std::atomic<int> passes{0};
  ControllerLoop loop(
      [&](const std::string&) {
        ++passes;
        return ReconcileResult{};
      },
      nullptr);
  loop.Start(2);
  for (const char* key : {"shop/a", "shop/b", "shop/c"}) loop.queue().Add(key);
  for (int i = 0; i < 500 && passes < 3; ++i) std::this_thread::sleep_for(2ms);
  loop.Stop();
  EXPECT_EQ(passes, 3);
  EXPECT_TRUE(loop.queue().ShuttingDown());
}

// A team whose policies' passes are slow (each waits on sources that never answer) holds only its
// namespace's share of the workers: another namespace's policy is reconciled meanwhile.
TEST(ControllerLoop, ASlowNamespaceLeavesTheOtherWorkersToTheRest) {
  std::atomic<bool> release{false};
  std::atomic<int> slow_running{0}, fast_done{0};
  WorkQueue::Options options;
  options.per_namespace = 1;
  ControllerLoop loop(
      [&](const std::string& key) {
        if (key.rfind("slow/", 0) == 0) {
          ++slow_running;
          while (!release) std::this_thread::sleep_for(1ms);
          --slow_running;
        } else {
          ++fast_done;
        }
        return ReconcileResult{};
      },
      nullptr, nullptr, options);
  for (const char* key : {"slow/1", "slow/2", "slow/3"}) loop.queue().Add(key);
  loop.Start(2);
  // Only the slow namespace has work: without its share, it would take both workers now.
  for (int i = 0; i < 500 && slow_running < 1; ++i) std::this_thread::sleep_for(2ms);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(slow_running, 1) << "the slow namespace holds more than its share";
  loop.queue().Add("fast/1");
  for (int i = 0; i < 500 && fast_done < 1; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_EQ(fast_done, 1) << "the slow namespace held every worker";
  release = true;
  loop.Stop();
}

// Leadership can be won while the process shuts down, so the elector may ask
// for workers after the loop was stopped. Those workers used to start and never be joined, and
// destroying the loop then called std::terminate.
TEST(ControllerLoop, StartAfterStopStartsNoWorker) {
  std::atomic<int> passes{0};
  {
    ControllerLoop loop(
        [&](const std::string&) { return ++passes, ReconcileResult{}; },
        [](const std::string&, const ReconcileResult&, std::chrono::steady_clock::duration) {});
    loop.Stop();
    loop.Start(2);
    loop.queue().Add("shop/a");
  }  // destroyed with no worker left running
  EXPECT_EQ(passes, 0);
}

// What /healthz reads: a reconcile that does not return is seen running for longer and longer;
// once it returns, nothing runs.
TEST(ControllerLoop, AStuckReconcileShowsAsTheLongestRunning) {
  std::atomic<bool> release{false}, entered{false};
  ControllerLoop loop(
      [&](const std::string&) {
        entered = true;
        while (!release) std::this_thread::sleep_for(1ms);
        return ReconcileResult{};
      },
      {});
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(loop.LongestRunning(now), std::chrono::steady_clock::duration::zero());
  loop.queue().Add("shop/stuck");
  std::thread worker([&] { loop.ProcessNext(); });
  while (!entered) std::this_thread::sleep_for(1ms);
  EXPECT_GE(loop.LongestRunning(std::chrono::steady_clock::now() + 10min), 10min);
  release = true;
  worker.join();
  EXPECT_EQ(loop.LongestRunning(std::chrono::steady_clock::now() + 10min),
            std::chrono::steady_clock::duration::zero());
}

}  // namespace
}  // namespace gearbox::kube
