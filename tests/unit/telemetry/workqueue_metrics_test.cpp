// controller-runtime's workqueue_* families, filled by a real WorkQueue on a fake clock.
#include "telemetry/workqueue_metrics.h"

#include <gtest/gtest.h>

#include "../../lib/metric_samples.h"
#include "kube/work_queue.h"
#include "telemetry/exposition.h"

namespace gearbox::telemetry {
namespace {

using gearbox::testing::HistogramSum;
using gearbox::testing::Sample;
using std::chrono::seconds;

const gearbox::testing::LabelMap kQueue{{"name", "scalingpolicy"}};

struct QueueWorld {
  prometheus::Registry registry;
  WorkQueueMetrics metrics{registry, "scalingpolicy"};
  kube::FakeClock clock;
  kube::WorkQueue queue{kube::WorkQueue::Options{}, clock, &metrics};

  double Value(const std::string& family) { return Sample(registry, family, kQueue).value(); }
  double Sum(const std::string& family) { return HistogramSum(registry, family, kQueue).value(); }
};

TEST(WorkQueueMetrics, AddsAndDepthCountWhatIsQueuedNotWhatIsMerged) {
  QueueWorld w;
  w.queue.Add("ns/a");
  w.queue.Add("ns/b");
  w.queue.Add("ns/a");  // merged into the queued one
  EXPECT_EQ(w.Value("workqueue_adds_total"), 2);
  EXPECT_EQ(w.Value("workqueue_depth"), 2);
  ASSERT_TRUE(w.queue.TryGet());
  EXPECT_EQ(w.Value("workqueue_depth"), 1);
}

TEST(WorkQueueMetrics, QueueAndWorkDurationsFollowTheClock) {
  QueueWorld w;
  w.queue.Add("ns/a");
  w.clock.Advance(seconds(3));
  ASSERT_EQ(w.queue.TryGet(), "ns/a");
  EXPECT_EQ(w.Value("workqueue_queue_duration_seconds"), 1) << "one observation";
  EXPECT_DOUBLE_EQ(w.Sum("workqueue_queue_duration_seconds"), 3);
  w.clock.Advance(seconds(2));
  w.queue.Done("ns/a");
  EXPECT_EQ(w.Value("workqueue_work_duration_seconds"), 1);
  EXPECT_DOUBLE_EQ(w.Sum("workqueue_work_duration_seconds"), 2);
}

TEST(WorkQueueMetrics, ADelayedKeyWaitsFromTheTimeItWasDue) {
  QueueWorld w;
  w.queue.AddAfter("ns/a", seconds(10));
  w.clock.Advance(seconds(15));  // taken 5 s after it was due
  ASSERT_EQ(w.queue.TryGet(), "ns/a");
  EXPECT_DOUBLE_EQ(w.Sum("workqueue_queue_duration_seconds"), 5);
  EXPECT_EQ(w.Value("workqueue_adds_total"), 1) << "added when it became ready";
}

TEST(WorkQueueMetrics, RetriesCountRateLimitedAdds) {
  QueueWorld w;
  w.queue.AddRateLimited("ns/a");
  w.queue.AddRateLimited("ns/a");
  EXPECT_EQ(w.Value("workqueue_retries_total"), 2);
}

TEST(WorkQueueMetrics, UnfinishedWorkAndTheLongestRunningProcessor) {
  QueueWorld w;
  w.queue.Add("ns/a");
  w.queue.Add("ns/b");
  ASSERT_TRUE(w.queue.TryGet());
  w.clock.Advance(seconds(1));
  ASSERT_TRUE(w.queue.TryGet());
  w.clock.Advance(seconds(3));
  w.queue.ReportUnfinishedWork();
  EXPECT_DOUBLE_EQ(w.Value("workqueue_unfinished_work_seconds"), 4 + 3);
  EXPECT_DOUBLE_EQ(w.Value("workqueue_longest_running_processor_seconds"), 4);
  w.queue.Done("ns/a");
  w.queue.Done("ns/b");
  w.queue.ReportUnfinishedWork();
  EXPECT_EQ(w.Value("workqueue_unfinished_work_seconds"), 0);
  EXPECT_EQ(w.Value("workqueue_longest_running_processor_seconds"), 0);
}

TEST(WorkQueueMetrics, TheScrapeRefreshesTheUnfinishedWorkFirst) {
  QueueWorld w;
  Exposition exposition(w.registry);
  exposition.BeforeRender([&w] { w.queue.ReportUnfinishedWork(); });
  w.queue.Add("ns/a");
  ASSERT_TRUE(w.queue.TryGet());
  w.clock.Advance(seconds(7));
  const std::string text = exposition.Render();
  EXPECT_NE(text.find("# TYPE workqueue_depth gauge\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE workqueue_queue_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("workqueue_longest_running_processor_seconds{name=\"scalingpolicy\"} 7\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace gearbox::telemetry
