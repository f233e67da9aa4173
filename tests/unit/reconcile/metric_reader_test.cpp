// The metric reader: reads run on its pool, in parallel, under one deadline; a late read is
// reported missing and its answer, when it comes, harms nothing.
#include "reconcile/metric_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace gearbox::reconcile {
namespace {

using namespace std::chrono_literals;

class SleepySource final : public metrics::MetricSource {
 public:
  SleepySource(double value, std::chrono::milliseconds delay, std::atomic<int>* done)
      : value_(value), delay_(delay), done_(done) {}
  Result<metrics::Reading> Read() override {
    std::this_thread::sleep_for(delay_);
    ++*done_;
    return metrics::Reading{value_, ""};
  }
  std::string Describe() const override { return "sleepy"; }

 private:
  double value_;
  std::chrono::milliseconds delay_;
  std::atomic<int>* done_;
};

PolicySources Sources(std::atomic<int>& done, std::chrono::milliseconds slow) {
  PolicySources s;
  s.by_metric["a"] = {std::make_shared<SleepySource>(1, 50ms, &done), {}};
  s.by_metric["b"] = {std::make_shared<SleepySource>(2, 50ms, &done), {}};
  s.by_metric["slow"] = {std::make_shared<SleepySource>(3, slow, &done), {}};
  return s;
}

TEST(MetricReader, ReadsInParallelAndALateSourceIsMissing) {
  std::atomic<int> done{0};
  MetricReader reader(4, kube::RealClock::Instance(), nullptr, /*reads_per_namespace=*/4);
  auto sources = Sources(done, 1500ms);
  auto t0 = std::chrono::steady_clock::now();
  auto out = reader.ReadAll(sources, 400ms);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 1000ms) << "the pass does not wait for the late source";
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out.at("a").reading->value, 1);
  EXPECT_EQ(out.at("b").reading->value, 2);
  ASSERT_FALSE(out.at("slow").reading.ok());
  EXPECT_EQ(out.at("slow").reading.error().kind, Error::Kind::kTimeout);
  EXPECT_EQ(out.at("slow").reading.error().message, "no answer within 400ms");
  sources = {};  // the policy goes away while its late read still runs
  for (int i = 0; i < 300 && done < 3; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(done, 3) << "the late read finished on the pool without its pass";
}

TEST(MetricReader, InlineModeChecksTheDeadlineOnTheFakeClock) {
  kube::FakeClock clock;
  MetricReader reader(0, clock);
  class Advancing final : public metrics::MetricSource {
   public:
    explicit Advancing(kube::FakeClock& c) : c_(c) {}
    Result<metrics::Reading> Read() override {
      c_.Advance(3s);
      return metrics::Reading{7, ""};
    }
    std::string Describe() const override { return "advancing"; }

   private:
    kube::FakeClock& c_;
  };
  PolicySources s;
  s.by_metric["first"] = {std::make_shared<Advancing>(clock), {}};
  s.by_metric["second"] = {std::make_shared<Advancing>(clock), {}};
  auto out = reader.ReadAll(s, 4s);
  EXPECT_TRUE(out.at("first").reading.ok()) << "answered at 3 s of 4";
  EXPECT_FALSE(out.at("second").reading.ok()) << "answered at 6 s of 4";
}

}  // namespace
}  // namespace gearbox::reconcile
