// The exposition text is what Prometheus parses: these tests pin its exact shape.
#include "telemetry/registry.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gearbox::telemetry {
namespace {

TEST(RegistryTest, CounterWithLabelsRendersHelpTypeAndSeries) {
  Registry r;
  auto& reconciles = r.Counter("gearbox_reconciles_total", "Reconciles by result.", {"result"});
  reconciles.Add({"success"});
  reconciles.Add({"success"}, 2);
  reconciles.Add({"error"});
  reconciles.Add({"error"}, -5);  // counters never go down
  EXPECT_EQ(r.Render(),
            "# HELP gearbox_reconciles_total Reconciles by result.\n"
            "# TYPE gearbox_reconciles_total counter\n"
            "gearbox_reconciles_total{result=\"error\"} 1\n"
            "gearbox_reconciles_total{result=\"success\"} 3\n");
  EXPECT_EQ(reconciles.Value({"success"}), 3);
}

TEST(RegistryTest, GaugeSetRemoveAndUnlabelled) {
  Registry r;
  auto& phase = r.Gauge("gearbox_policy_phase", "Phase index.", {"namespace", "policy"});
  auto& up = r.Gauge("gearbox_up", "1 while running.");
  phase.Set({"shop", "storefront"}, 2);
  phase.Set({"shop", "other"}, 0.25);
  phase.Remove({"shop", "other"});
  up.Set({}, 1);
  EXPECT_EQ(r.Render(),
            "# HELP gearbox_policy_phase Phase index.\n"
            "# TYPE gearbox_policy_phase gauge\n"
            "gearbox_policy_phase{namespace=\"shop\",policy=\"storefront\"} 2\n"
            "# HELP gearbox_up 1 while running.\n"
            "# TYPE gearbox_up gauge\n"
            "gearbox_up 1\n");
}

TEST(RegistryTest, HistogramBucketsAreCumulative) {
  Registry r;
  auto& d = r.Histogram("gearbox_reconcile_duration_seconds", "Reconcile time.", {}, {0.5, 0.1, 1});
  d.Observe({}, 0.05);
  d.Observe({}, 0.1);  // le is inclusive
  d.Observe({}, 0.7);
  d.Observe({}, 3);
  EXPECT_EQ(r.Render(),
            "# HELP gearbox_reconcile_duration_seconds Reconcile time.\n"
            "# TYPE gearbox_reconcile_duration_seconds histogram\n"
            "gearbox_reconcile_duration_seconds_bucket{le=\"0.1\"} 2\n"
            "gearbox_reconcile_duration_seconds_bucket{le=\"0.5\"} 2\n"
            "gearbox_reconcile_duration_seconds_bucket{le=\"1\"} 3\n"
            "gearbox_reconcile_duration_seconds_bucket{le=\"+Inf\"} 4\n"
            "gearbox_reconcile_duration_seconds_sum 3.85\n"
            "gearbox_reconcile_duration_seconds_count 4\n");
  EXPECT_EQ(d.Count({}), 4u);
}

TEST(RegistryTest, EscapesLabelValuesAndHelp) {
  Registry r;
  r.Counter("c", "a \\ b\nc \"q\"", {"l"}).Add({"x\"y\\z\nw"});
  EXPECT_EQ(r.Render(),
            "# HELP c a \\\\ b\\nc \"q\"\n"
            "# TYPE c counter\n"
            "c{l=\"x\\\"y\\\\z\\nw\"} 1\n");
}

TEST(RegistryTest, SpecialValuesAndMistakes) {
  EXPECT_EQ(FormatValue(NAN), "NaN");
  EXPECT_EQ(FormatValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatValue(-3), "-3");
  Registry r;
  auto& c = r.Counter("c", "h", {"a", "b"});
  EXPECT_THROW(c.Add({"only-one"}), std::invalid_argument);
  EXPECT_THROW(r.Gauge("c", "again"), std::invalid_argument);
}

}  // namespace
}  // namespace gearbox::telemetry
