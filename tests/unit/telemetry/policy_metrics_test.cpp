// A policy's series: each family set as the reconciler sets it, kept to what the spec declares,
// and every one of them gone with the policy.
#include "telemetry/policy_metrics.h"

#include <gtest/gtest.h>

#include "../../lib/metric_samples.h"

namespace gearbox::telemetry {
namespace {

using gearbox::testing::LabelMap;
using gearbox::testing::Sample;
using gearbox::testing::SeriesCount;
using std::chrono::seconds;

LabelMap Of(LabelMap more) {
  more.emplace("namespace", "shop");
  more.emplace("policy", "storefront");
  return more;
}

PolicyShape Storefront() {
  return {{"app", "worker"},
          {"cpu", "backlog"},
          {{"app", "up", "cpu", "above", 70},
           {"app", "down", "cpu", "below", 30},
           {"worker", "up", "backlog", "above", 100}}};
}

struct PolicyWorld {
  prometheus::Registry registry;
  PolicyMetrics metrics{registry};
  std::shared_ptr<PolicySeries> series = metrics.For("shop", "storefront");

  std::optional<double> Get(const std::string& family, LabelMap labels = {}) {
    return Sample(registry, family, Of(std::move(labels)));
  }
  size_t Count(const std::string& family) { return SeriesCount(registry, family, Of({})); }
};

TEST(PolicyMetrics, OnlyTheCurrentPhaseHasASeries) {
  PolicyWorld w;
  w.series->SetPhase("Small");
  EXPECT_EQ(w.Get("gearbox_policy_phase", {{"phase", "Small"}}), 1);
  w.series->SetPhase("Medium");
  EXPECT_EQ(w.Get("gearbox_policy_phase", {{"phase", "Medium"}}), 1);
  EXPECT_EQ(w.Count("gearbox_policy_phase"), 1u) << "Small is gone";
}

TEST(PolicyMetrics, ReplicasBoundsThresholdsAndReady) {
  PolicyWorld w;
  w.series->SetShape(1, Storefront());
  w.series->SetReplicas(0, {4, 6, 2, 10});
  w.series->SetReady(true);
  EXPECT_EQ(w.Get("gearbox_component_current_replicas", {{"component", "app"}}), 4);
  EXPECT_EQ(w.Get("gearbox_component_desired_replicas", {{"component", "app"}}), 6);
  EXPECT_EQ(w.Get("gearbox_component_min_replicas", {{"component", "app"}}), 2);
  EXPECT_EQ(w.Get("gearbox_component_max_replicas", {{"component", "app"}}), 10);
  EXPECT_EQ(
      w.Get(
          "gearbox_metric_threshold",
          {{"component", "app"}, {"direction", "down"}, {"metric", "cpu"}, {"operator", "below"}}),
      30);
  EXPECT_EQ(w.Count("gearbox_metric_threshold"), 3u);
  EXPECT_EQ(w.Get("gearbox_policy_ready"), 1);
  w.series->SetReady(false);
  EXPECT_EQ(w.Get("gearbox_policy_ready"), 0);
}

TEST(PolicyMetrics, AMetricThatCannotBeReadHasNoValue) {
  PolicyWorld w;
  w.series->SetShape(1, Storefront());
  w.series->SetValue(0, 82.5);
  EXPECT_EQ(w.Get("gearbox_metric_value", {{"metric", "cpu"}}), 82.5);
  w.series->SetValue(0, std::nullopt);
  EXPECT_EQ(w.Get("gearbox_metric_value", {{"metric", "cpu"}}), std::nullopt);
  w.series->SetValue(0, 40);
  EXPECT_EQ(w.Get("gearbox_metric_value", {{"metric", "cpu"}}), 40);
}

TEST(PolicyMetrics, AlertsFireAndResolve) {
  PolicyWorld w;
  w.series->SetAlerts({{"QueueBacklog", "Warning", true}, {"DbCpu", "Critical", true}});
  EXPECT_EQ(w.Get("gearbox_alert_firing", {{"alert", "DbCpu"}, {"severity", "Critical"}}), 1);
  w.series->SetAlerts({{"QueueBacklog", "Warning", false}, {"DbCpu", "Critical", true}});
  EXPECT_EQ(w.Get("gearbox_alert_firing", {{"alert", "QueueBacklog"}}), 0) << "resolved: 0";
  w.series->SetAlerts({{"DbCpu", "Critical", false}});
  EXPECT_EQ(w.Count("gearbox_alert_firing"), 1u) << "QueueBacklog no longer declared";
  EXPECT_EQ(w.Get("gearbox_alert_firing", {{"alert", "DbCpu"}}), 0);
}

TEST(PolicyMetrics, DecisionsByDirectionAndCause) {
  PolicyWorld w;
  w.series->SetShape(1, Storefront());
  w.series->CountDecision(0, true, "rule", false);
  w.series->CountDecision(0, true, "rule", false);
  w.series->CountDecision(1, false, "phase", true);
  EXPECT_EQ(
      w.Get("gearbox_scaling_decisions_total",
            {{"component", "app"}, {"direction", "up"}, {"cause", "rule"}, {"dry_run", "false"}}),
      2);
  EXPECT_EQ(w.Get("gearbox_scaling_decisions_total", {{"component", "worker"},
                                                      {"direction", "down"},
                                                      {"cause", "phase"},
                                                      {"dry_run", "true"}}),
            1);
}

TEST(PolicyMetrics, ANewSpecDropsWhatItNoLongerDeclares) {
  PolicyWorld w;
  w.series->SetShape(1, Storefront());
  w.series->SetReplicas(1, {2, 3, 2, 10});
  w.series->SetValue(1, 250);
  w.series->CountDecision(1, true, "rule", false);
  w.series->CountDecision(0, true, "rule", false);
  EXPECT_FALSE(w.series->HasShape(2));
  w.series->SetShape(2, {{"app"}, {"cpu"}, {{"app", "up", "cpu", "above", 80}}});
  EXPECT_TRUE(w.series->HasShape(2));
  EXPECT_EQ(w.Get("gearbox_component_current_replicas", {{"component", "worker"}}), std::nullopt);
  EXPECT_EQ(w.Get("gearbox_metric_value", {{"metric", "backlog"}}), std::nullopt);
  EXPECT_EQ(w.Count("gearbox_scaling_decisions_total"), 1u) << "app's count stays";
  EXPECT_EQ(w.Get("gearbox_metric_threshold", {{"direction", "up"}, {"metric", "cpu"}}), 80);
  EXPECT_EQ(w.Count("gearbox_metric_threshold"), 1u);
}

TEST(PolicyMetrics, EveryPolicySeriesGoesWithThePolicy) {
  PolicyWorld w;
  auto other = w.metrics.For("shop", "other");
  other->SetPhase("Small");
  w.series->SetShape(1, Storefront());
  w.series->SetPhase("Large");
  w.series->SetReady(true);
  for (size_t c = 0; c < 2; ++c) w.series->SetReplicas(c, {1, 2, 1, 5});
  w.series->SetValue(0, 1);
  w.series->SetValue(1, 2);
  w.series->SetAlerts({{"DbCpu", "Critical"}});
  w.series->CountDecision(0, true, "rule", false);
  EXPECT_EQ(w.Count(""), 1u + 1 + 8 + 2 + 3 + 1 + 1);
  w.metrics.Remove("shop", "storefront");
  EXPECT_EQ(w.Count(""), 0u);
  w.series->SetPhase("Small");  // a pass that was still running
  w.series->SetReady(true);
  EXPECT_EQ(w.Count(""), 0u) << "a removed policy's series stay removed";
  EXPECT_EQ(SeriesCount(w.registry, "gearbox_policy_phase", {{"policy", "other"}}), 1u);
  EXPECT_NE(w.metrics.For("shop", "storefront"), w.series) << "a new policy gets new series";
}

TEST(PolicyMetrics, EvaluationLagFromTheTimeItWasDue) {
  PolicyWorld w;
  const auto t0 = std::chrono::steady_clock::time_point(seconds(1000));
  w.series->Started(t0);  // the first: nothing was due
  w.series->Due(t0 + seconds(15));
  w.series->Started(t0 + seconds(17));
  w.series->Due(t0 + seconds(32));
  w.series->Started(t0 + seconds(20));  // early, for a change: not late
  EXPECT_EQ(Sample(w.registry, "gearbox_evaluation_lag_seconds"), 1);
  EXPECT_EQ(gearbox::testing::HistogramSum(w.registry, "gearbox_evaluation_lag_seconds"), 2);
}

}  // namespace
}  // namespace gearbox::telemetry
