// Commit: the state carried to the next evaluation follows the writes that were made. A write that
// was refused is decided again, with the same Event; the components whose writes were made move on.
#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

const Event* EventOf(const Decision& r, EventKind kind) {
  for (const auto& e : r.events)
    if (e.kind == kind) return &e;
  return nullptr;
}

TEST(Commit, WithEverythingAppliedIsTheEvaluatedState) {
  Driver d = CalmMedium(3, 450);
  d.Metric("cpu", 80);
  d.Metric("backlog", 6000);
  for (int i = 0; i < 40; ++i) {
    State before = d.state;
    d.Step(15s);
    EXPECT_EQ(Commit(before, d.last, Applied{}), d.last.state) << "step " << i;
    EXPECT_EQ(d.state, d.last.state);
  }
}

TEST(Commit, ARefusedScaleUpIsProposedAgainWithTheSameEvent) {
  Driver d = CalmMedium(3, 450);
  d.refuse = {"app"};
  d.Metric("cpu", 80);
  const Time started = d.now + 15s;
  d.Run(5min);
  d.Step(15s);  // held 5m: fires
  const ComponentDecision* app = d.last.Find("app");
  ASSERT_TRUE(app->change);
  EXPECT_EQ(app->cause, Cause::kScaleUpRulesFired);
  const Event* first = EventOf(d.last, EventKind::kScaledUp);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->component, "app");
  EXPECT_EQ(first->note, "app 3 -> 4: cpu 80 above 70 for 5m");
  const Event refused = *first;
  EXPECT_EQ(d.applied.not_applied, std::vector<std::string>{"app"});
  // Not as if it had scaled: no last scale-up, the rule keeps counting from when it started.
  EXPECT_EQ(d.state.timers.count("app/lastScaleUp"), 0u);
  EXPECT_EQ(d.state.timers.at("app/scaleUp/0/cpu"), started);
  EXPECT_TRUE(d.state.scale_events["app"].empty()) << "a write not made spends no budget";
  EXPECT_EQ(d.last.state.timers.at("app/scaleUp/0/cpu"), started) << "a step restarts no timer";

  d.Step(15s);
  app = d.last.Find("app");
  EXPECT_TRUE(app->change);
  EXPECT_EQ(app->desired, 4);
  const Event* again = EventOf(d.last, EventKind::kScaledUp);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->note, refused.note);
  EXPECT_EQ(again->component, refused.component);

  d.refuse.clear();  // the API takes it now
  d.Step(15s);
  EXPECT_EQ(d.Current("app"), 4);
  EXPECT_EQ(d.state.timers.at("app/lastScaleUp"), d.now);
  EXPECT_EQ(d.state.timers.at("app/scaleUp/0/cpu"), started) << "the rule keeps its timer";
}

TEST(Commit, ARefusedScaleDownDoesNotStartTheWindowNorSpendTheBudget) {
  Driver d = CalmMedium(3, 450);
  d.Replicas("worker", 5);
  d.refuse = {"worker"};
  d.Metric("backlog", 100);  // 20 per worker: scale down at once
  d.Step(15s);
  ASSERT_TRUE(d.last.Find("worker")->change);
  EXPECT_EQ(d.last.Find("worker")->desired, 4);
  EXPECT_EQ(d.state.timers.count("worker/lastScaleDown"), 0u);
  EXPECT_TRUE(d.state.scale_events["worker"].empty());
  d.Step(1s);  // within the period: the budget is still whole
  EXPECT_TRUE(d.last.Find("worker")->change);
  EXPECT_EQ(d.last.Find("worker")->desired, 4);
  ASSERT_NE(EventOf(d.last, EventKind::kScaledDown), nullptr);
  EXPECT_EQ(EventOf(d.last, EventKind::kScaledDown)->component, "worker");
}

TEST(Commit, ARefusedTopologyStepIsNotInFlightAndIsProposedAgain) {
  Driver d = CalmMedium(3, 450);
  d.refuse = {"database"};
  d.Metric("users", 50000);  // Large: database 1 -> 3 first
  d.Run(10min);
  d.Step(15s);
  ASSERT_EQ(d.last.phase, "Large");
  ASSERT_TRUE(d.last.topology_step);
  EXPECT_EQ(d.last.topology_step->component, "database");
  EXPECT_TRUE(d.last.state.in_flight) << "as evaluated";
  EXPECT_FALSE(d.state.in_flight) << "as committed";
  const Event* resize = EventOf(d.last, EventKind::kTopologyResize);
  ASSERT_NE(resize, nullptr);
  const std::string note = resize->note;
  EXPECT_EQ(note, "database 1 -> 3 for phase Large");

  d.Step(15s);
  ASSERT_TRUE(d.last.topology_step);
  EXPECT_EQ(d.last.topology_step->component, "database");
  EXPECT_EQ(d.last.topology_step->to, 3);
  ASSERT_NE(EventOf(d.last, EventKind::kTopologyResize), nullptr);
  EXPECT_EQ(EventOf(d.last, EventKind::kTopologyResize)->note, note);
  EXPECT_EQ(d.last.state.workload_phase, "Medium") << "the workloads wait for the topology";

  d.refuse.clear();
  d.Step(15s);
  ASSERT_TRUE(d.state.in_flight);
  EXPECT_EQ(d.state.in_flight->component, "database");
  EXPECT_EQ(d.Current("database"), 3);
}

TEST(Commit, OneRefusedAndOneAppliedOnlyTheAppliedMovesOn) {
  Driver d = CalmMedium(3, 450);
  d.Metric("cpu", 80);
  d.Run(5min);
  d.refuse = {"app"};
  d.Metric("backlog", 6000);  // worker: 2000 per worker, at once
  d.Step(15s);                // app's cpu has held 5m: both scale up
  ASSERT_TRUE(d.last.Find("app")->change);
  ASSERT_TRUE(d.last.Find("worker")->change);
  EXPECT_EQ(d.Current("worker"), 5);
  EXPECT_EQ(d.Current("app"), 3);
  EXPECT_EQ(d.state.timers.at("worker/lastScaleUp"), d.now);
  EXPECT_EQ(d.state.timers.at("worker/scaleUp/0/backlog"), d.now);
  EXPECT_EQ(d.state.scale_events["worker"].size(), 1u);
  EXPECT_EQ(d.state.timers.count("app/lastScaleUp"), 0u);
  EXPECT_LT(d.state.timers.at("app/scaleUp/0/cpu"), d.now);
  EXPECT_TRUE(d.state.scale_events["app"].empty());
}

}  // namespace
}  // namespace gearbox::policy::testing
