// The metric reader: reads run on its pool, in parallel, under one deadline; a late read is
// reported missing and its answer, when it comes, harms nothing.
#include "reconcile/metric_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "loopback_http_server.h"
#include "metrics/prometheus.h"

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

// `n` sleepy sources of policies in `ns`.
PolicySources Namespace(const std::string& ns, int n, std::chrono::milliseconds delay,
                        std::atomic<int>& done) {
  PolicySources s;
  s.ns = ns;
  for (int i = 0; i < n; ++i)
    s.by_metric["m" + std::to_string(i)] = {std::make_shared<SleepySource>(i, delay, &done), {}};
  return s;
}

TEST(MetricReaderFairShare, ASlowNamespaceCannotDelayAnotherNamespacesReads) {
  std::atomic<int> done{0};
  MetricReader reader(4, kube::RealClock::Instance());  // a namespace may use one thread
  auto hostile = Namespace("hostile", 8, 1500ms, done);
  auto slow_pass = std::async(std::launch::async, [&] { return reader.ReadAll(hostile, 2s); });
  std::this_thread::sleep_for(50ms);  // the hostile reads are all handed to the reader first
  auto shop = Namespace("shop", 3, 10ms, done);
  const auto start = std::chrono::steady_clock::now();
  auto out = reader.ReadAll(shop, 500ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 400ms);
  for (const auto& [name, o] : out) EXPECT_TRUE(o.reading.ok()) << name;
  auto slow = slow_pass.get();
  EXPECT_TRUE(slow.at("m0").reading.ok()) << "the namespace's own share read its first source";
  ASSERT_FALSE(slow.at("m7").reading.ok());
  EXPECT_EQ(slow.at("m7").reading.error().message,
            "not read this pass: this namespace's other reads held its share of the readers");
}

TEST(MetricReaderFairShare, ANamespaceThatIsNotBusyReadsInParallel) {
  std::atomic<int> done{0};
  MetricReader reader(8, kube::RealClock::Instance());  // two threads per namespace
  auto shop = Namespace("shop", 4, 200ms, done);
  const auto start = std::chrono::steady_clock::now();
  auto out = reader.ReadAll(shop, 1s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 700ms) << "two at a time, not one";
  for (const auto& [name, o] : out) EXPECT_TRUE(o.reading.ok()) << name;
}

// A source that read nothing within its timeout is cancelled: its server sees the connection
// closed, and the reader's only thread reads the next pass in time.
TEST(MetricReader, AbandonedReadIsCancelledAndItsThreadIsFree) {
  testing::LoopbackHttpServer trickling(testing::Trickle(100ms, 20s));
  testing::LoopbackHttpServer fast(testing::Answer(
      200, R"({"status":"success","data":{"resultType":"scalar","result":[1,"42"]}})"));
  auto source = [](const std::string& url) {
    auto client = metrics::PrometheusClient::Create({url, "", "", 500ms});
    return std::make_shared<metrics::PrometheusMetric>(*client, "up", 0ms);
  };
  MetricReader reader(1, kube::RealClock::Instance());
  PolicySources slow;
  slow.ns = "hostile";
  slow.by_metric["trickle"] = {source(trickling.url()), {}, "prometheus"};
  auto out = reader.ReadAll(slow, 1500ms);
  EXPECT_FALSE(out.at("trickle").reading.ok());
  EXPECT_TRUE(trickling.WaitForEnded(1, 1s)) << "the server sees the read abandoned";
  PolicySources next;
  next.ns = "shop";
  next.by_metric["fast"] = {source(fast.url()), {}, "prometheus"};
  out = reader.ReadAll(next, 1500ms);
  ASSERT_TRUE(out.at("fast").reading.ok()) << out.at("fast").reading.error().message;
  EXPECT_EQ(out.at("fast").reading->value, 42);
}

}  // namespace
}  // namespace gearbox::reconcile
