// The controller-wide families: reconciles by result, workers, the leader gauge, build info, the
// process' own; and the text a scrape gets, checked by promtool when it is installed.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "../../lib/metric_samples.h"
#include "telemetry/exposition.h"
#include "telemetry/leader_metrics.h"
#include "telemetry/process_metrics.h"
#include "telemetry/reconcile_metrics.h"
#include "telemetry/source_metrics.h"

namespace gearbox::telemetry {
namespace {

using gearbox::testing::Sample;

const gearbox::testing::LabelMap kController{{"controller", "scalingpolicy"}};

TEST(ReconcileMetrics, CountsByResultErrorsTimeAndWorkers) {
  prometheus::Registry r;
  ReconcileMetrics m(r, "scalingpolicy");
  m.SetMaxConcurrentReconciles(2);
  EXPECT_EQ(Sample(r, "controller_runtime_reconcile_total",
                   {{"controller", "scalingpolicy"}, {"result", "requeue"}}),
            0)
      << "every result exists from the start";
  m.Count(ReconcileMetrics::ReconcileOutcome::kSuccess, std::chrono::milliseconds(20));
  m.Count(ReconcileMetrics::ReconcileOutcome::kError, std::chrono::milliseconds(30));
  m.Count(ReconcileMetrics::ReconcileOutcome::kRequeueAfter, std::chrono::milliseconds(30));
  EXPECT_EQ(Sample(r, "controller_runtime_reconcile_total", {{"result", "error"}}), 1);
  EXPECT_EQ(Sample(r, "controller_runtime_reconcile_total", {{"result", "requeue_after"}}), 1);
  EXPECT_EQ(Sample(r, "controller_runtime_reconcile_errors_total", kController), 1);
  EXPECT_EQ(Sample(r, "controller_runtime_reconcile_time_seconds", kController), 3);
  EXPECT_EQ(Sample(r, "controller_runtime_max_concurrent_reconciles", kController), 2);
  {
    auto busy = m.Active();
    EXPECT_EQ(Sample(r, "controller_runtime_active_workers", kController), 1);
  }
  EXPECT_EQ(Sample(r, "controller_runtime_active_workers", kController), 0);
}

TEST(LeaderMetrics, OneWhileLeading) {
  prometheus::Registry r;
  LeaderMetrics m(r, "gearbox-controller");
  const gearbox::testing::LabelMap lease{{"name", "gearbox-controller"}};
  EXPECT_EQ(Sample(r, "leader_election_master_status", lease), 0);
  m.SetLeading(true);
  EXPECT_EQ(Sample(r, "leader_election_master_status", lease), 1);
  m.SetLeading(false);
  EXPECT_EQ(Sample(r, "leader_election_master_status", lease), 0);
}

TEST(SourceMetrics, ErrorsBySourceAndKindReadsBySource) {
  prometheus::Registry r;
  SourceMetrics m(r);
  // Every error series exists from 0 before any error, so rate() sees the first one.
  EXPECT_EQ(Sample(r, "gearbox_metric_source_errors_total",
                   {{"source", "queue"}, {"error", "unreachable"}}),
            0);
  m.Failed("prometheus", "timeout");
  m.Failed("prometheus", "timeout");
  m.Read("queue", std::chrono::milliseconds(3));
  EXPECT_EQ(Sample(r, "gearbox_metric_source_errors_total",
                   {{"source", "prometheus"}, {"error", "timeout"}}),
            2);
  EXPECT_EQ(Sample(r, "gearbox_metric_read_duration_seconds", {{"source", "queue"}}), 1);
}

TEST(ProcessMetrics, ReadFromProcAndBuildInfo) {
  prometheus::Registry r;
  ProcessMetrics m(r);
  RegisterBuildInfo(r, "0.1.0", "abc123");
  std::vector<char> grow(64 << 20, 1);  // some CPU time and resident memory to see
  m.Refresh();
  EXPECT_GT(Sample(r, "process_resident_memory_bytes").value(), 64 << 20);
  EXPECT_GT(Sample(r, "process_open_fds").value(), 2) << "stdin, stdout, stderr at least";
  const double now = static_cast<double>(std::time(nullptr));
  const double start = Sample(r, "process_start_time_seconds").value();
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600) << "this test started within the hour";
  EXPECT_GE(Sample(r, "process_cpu_seconds_total").value(), 0);
  EXPECT_EQ(Sample(r, "gearbox_build_info", {{"version", "0.1.0"}, {"revision", "abc123"}}), 1);
}

// The text of a scrape with every controller-wide family, as Prometheus' own tool reads it.
TEST(Exposition, PromtoolReadsTheScrape) {
  prometheus::Registry r;
  Exposition exposition(r);
  ProcessMetrics process(r);
  exposition.BeforeRender([&process] { process.Refresh(); });
  RegisterBuildInfo(r, "0.1.0", "unknown");
  ReconcileMetrics reconciles(r, "scalingpolicy");
  reconciles.Count(ReconcileMetrics::ReconcileOutcome::kSuccess, std::chrono::milliseconds(12));
  SourceMetrics sources(r);
  sources.Failed("resource", "unreachable");
  const std::string text = exposition.Render();
  EXPECT_NE(text.find("# TYPE controller_runtime_reconcile_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("gearbox_build_info{revision=\"unknown\",version=\"0.1.0\"} 1"),
            std::string::npos)
      << "labels sorted by name";
  if (std::system("command -v promtool >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "promtool is not installed";
  const std::string path = ::testing::TempDir() + "/scrape.txt";
  std::ofstream(path) << text;
  EXPECT_EQ(std::system(("promtool check metrics < " + path + " >&2").c_str()), 0) << text;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace gearbox::telemetry
