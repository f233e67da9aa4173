// A pass of the reconciler as its metrics show it: the families of a policy set from the
// evaluation, the cause of each decision, the source errors, the lag; read back from the registry.
#include "reconcile/exported_metrics.h"

#include <gtest/gtest.h>

#include "../../lib/metric_samples.h"
#include "reconciler_world.h"

namespace gearbox::testing {
namespace {

using kube::Json;

LabelMap Of(LabelMap more) {
  more.emplace("namespace", "shop");
  more.emplace("policy", "web-policy");
  return more;
}

std::optional<double> Get(World& w, const std::string& family, LabelMap labels = {}) {
  return Sample(w.registry(), family, Of(std::move(labels)));
}

// World's policy: app (web, 2..10) up on cpu > 70, down on cpu < 30; metrics cpu and p95.
void WebAt(World& w, int replicas, double cpu) {
  w.Deployment("web", replicas);
  w.metrics()["cpu"] = Value(cpu);
  w.metrics()["p95"] = Value(0.1);
}

// Phases on `users`: Small (below 1000) holds app to 2..4, Large to 2..10.
void SmallAndLarge(World& w, double users) {
  Json& spec = w.policy()["spec"];
  spec["metrics"][2] = Json::parse(R"({"name": "users", "prometheus": {"query": "users"}})");
  spec["phases"] = Json::parse(R"({"metric": "users", "list": [
      {"name": "Small", "upTo": 1000, "components": {"app": {"min": 2, "max": 4}}},
      {"name": "Large", "components": {"app": {"min": 2, "max": 10}}}]})");
  w.metrics()["users"] = Value(users);
}

TEST(ExportedMetrics, APassSetsReplicasBoundsValuesThresholdsAndTheDecision) {
  World w;
  WebAt(w, 4, 90);
  w.Pass();
  const LabelMap app{{"component", "app"}};
  EXPECT_EQ(Get(w, "gearbox_component_current_replicas", app), 4);
  EXPECT_EQ(Get(w, "gearbox_component_desired_replicas", app), 6);
  EXPECT_EQ(Get(w, "gearbox_component_min_replicas", app), 2);
  EXPECT_EQ(Get(w, "gearbox_component_max_replicas", app), 10);
  EXPECT_EQ(Get(w, "gearbox_metric_value", {{"metric", "cpu"}}), 90);
  EXPECT_EQ(
      Get(w, "gearbox_metric_threshold",
          {{"component", "app"}, {"direction", "up"}, {"metric", "cpu"}, {"operator", "above"}}),
      70);
  EXPECT_EQ(Get(w, "gearbox_policy_ready"), 1);
  EXPECT_EQ(
      Get(w, "gearbox_scaling_decisions_total",
          {{"component", "app"}, {"direction", "up"}, {"cause", "rule"}, {"dry_run", "false"}}),
      1);
  EXPECT_EQ(Sample(w.registry(), "gearbox_scale_write_seconds"), 1) << "one write made";
}

TEST(ExportedMetrics, AMetricThatFailsHasNoValueAndCountsAsASourceError) {
  World w;
  WebAt(w, 4, 50);
  w.Pass();
  ASSERT_EQ(Get(w, "gearbox_metric_value", {{"metric", "cpu"}}), 50);
  w.metrics()["cpu"] = Failing(Error::Kind::kTimeout, "no answer");
  w.Pass();
  EXPECT_EQ(Get(w, "gearbox_metric_value", {{"metric", "cpu"}}), std::nullopt);
  EXPECT_EQ(Get(w, "gearbox_metric_value", {{"metric", "p95"}}), 0.1) << "the other stays";
  EXPECT_EQ(Sample(w.registry(), "gearbox_metric_source_errors_total",
                   {{"source", "prometheus"}, {"error", "timeout"}}),
            1);
  EXPECT_EQ(
      Sample(w.registry(), "gearbox_metric_read_duration_seconds", {{"source", "prometheus"}}), 4)
      << "two metrics read in each of two passes";
}

TEST(ExportedMetrics, PhaseAndTheCauseOfAChangeTheBoundsForce) {
  World w;
  WebAt(w, 6, 50);  // within the app's own 2..10, above Small's 4
  SmallAndLarge(w, 500);
  w.Pass();
  EXPECT_EQ(Get(w, "gearbox_policy_phase", {{"phase", "Small"}}), 1);
  EXPECT_EQ(Get(w, "gearbox_component_max_replicas", {{"component", "app"}}), 4);
  EXPECT_EQ(Get(w, "gearbox_scaling_decisions_total", {{"cause", "phase"}, {"direction", "down"}}),
            1);

  World below;
  WebAt(below, 1, 50);  // below the app's own minimum
  below.Pass();
  EXPECT_EQ(
      Get(below, "gearbox_scaling_decisions_total", {{"cause", "bounds"}, {"direction", "up"}}), 1);
}

TEST(ExportedMetrics, TheLagIsFromTheTimeThePassWasDue) {
  World w;
  WebAt(w, 4, 50);
  ASSERT_EQ(w.Pass().requeue_after, std::chrono::milliseconds(15000));
  w.clock().Advance(17s);  // two seconds late
  w.Pass();
  EXPECT_EQ(Sample(w.registry(), "gearbox_evaluation_lag_seconds"), 1);
  EXPECT_EQ(HistogramSum(w.registry(), "gearbox_evaluation_lag_seconds"), 2);
}

TEST(ExportedMetrics, ASpecThatTurnsInvalidIsNotReady) {
  World w;
  WebAt(w, 4, 50);
  w.Pass();
  ASSERT_EQ(Get(w, "gearbox_policy_ready"), 1);
  w.policy()["metadata"]["generation"] = Json::number(2);
  w.policy()["spec"]["components"][0]["scaleUp"]["anyOf"][0]["for"] = Json::string("5parsecs");
  w.Pass();
  EXPECT_EQ(Get(w, "gearbox_policy_ready"), 0);
}

TEST(ExportedMetrics, DecisionCauseOfATopologyStep) {
  policy::Component db{.name = "database", .role = policy::Role::kTopology};
  policy::ComponentDecision d{.name = "database", .role = policy::Role::kTopology};
  d.cause = policy::Cause::kTopologyStep;
  EXPECT_STREQ(reconcile::DecisionCause(db, d), "topology");
}

TEST(ExportedMetrics, DecisionCauseOfAFallbackAndOfScaleToZero) {
  policy::Component worker{.name = "worker", .replicas = policy::Bounds{0, 5}};
  policy::ComponentDecision d{.name = "worker"};
  d.cause = policy::Cause::kFallback;
  EXPECT_STREQ(reconcile::DecisionCause(worker, d), "fallback");
  d.cause = policy::Cause::kWokenFromZero;
  EXPECT_STREQ(reconcile::DecisionCause(worker, d), "scale_to_zero");
  d.cause = policy::Cause::kIdleToZero;
  EXPECT_STREQ(reconcile::DecisionCause(worker, d), "scale_to_zero");
}

TEST(ExportedMetrics, APolicyDeletedLeavesNoSeries) {
  World w;
  WebAt(w, 4, 90);
  w.policy()["spec"]["alerts"] =
      Json::parse(R"([{"name": "HighCpu", "metric": "cpu", "above": 80}])");
  w.Pass();
  ASSERT_EQ(Get(w, "gearbox_alert_firing", {{"alert", "HighCpu"}}), 1);
  ASSERT_GT(SeriesCount(w.registry(), "", Of({})), 10u);
  w.Delete();
  w.Pass();
  EXPECT_EQ(SeriesCount(w.registry(), "", Of({})), 0u);
}

}  // namespace
}  // namespace gearbox::testing
