// Pause, fallback and scale to zero: what an HPA or KEDA user does during an incident,
// when a metric source fails, and with queue workers that rest at 0.
#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

// web scales on CPU (a resource metric of its pods); worker on the backlog per worker, rests at 0
// when the queue has been empty for 5 minutes, and falls back to 4 after 3 failed reads.
Spec Operations() {
  Spec s;
  s.interval = 15s;
  s.metrics = {"cpu", "backlog"};
  s.resource_metrics = {{"cpu", "web"}};
  Component web;
  web.name = "web";
  web.replicas = Bounds{1, 10};
  web.scale_up = RuleSet{false, {Above("cpu", 70, 1min)}};
  web.scale_down = RuleSet{false, {Below("cpu", 30)}};
  s.components.push_back(web);
  Component worker;
  worker.name = "worker";
  worker.replicas = Bounds{0, 10};
  worker.scale_up = RuleSet{false, {Above("backlog", 100, 0s, true)}};
  worker.scale_down = RuleSet{false, {Below("backlog", 20, 0s, true)}};
  worker.fallback = Fallback{3, 4};
  worker.scale_to_zero = ScaleToZero{{{"backlog", 0}}, 5min};
  s.components.push_back(worker);
  return s;
}

Driver Steady(int web = 2, int worker = 2, double backlog = 100) {
  Driver d(Operations());
  d.Metric("cpu", 50);
  d.Metric("backlog", backlog);
  d.Replicas("web", web);
  d.Replicas("worker", worker);
  d.Step();
  return d;
}

// The spec with `edit` applied, web at 2, worker at `worker`, cpu calm and the backlog unreadable;
// not evaluated yet.
template <typename Edit>
Driver BacklogDown(int worker, Edit edit) {
  Spec s = Operations();
  edit(s);
  Driver d(s);
  d.Metric("cpu", 50);
  d.Missing("backlog", "timeout");
  d.Replicas("web", 2);
  d.Replicas("worker", worker);
  return d;
}

void NoFallback(Spec& s) { s.components[1].fallback.reset(); }

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// ---- pause ------------------------------------------------------------------------------------

TEST(Pause, APausedComponentIsDecidedAndReportedButNotWritten) {
  Driver d = Steady();
  d.observed.paused = {"web"};
  d.Metric("cpu", 140);
  d.Step(15s);
  EXPECT_TRUE(d.HasEvent("ScalingPaused"));
  d.Step(1min);  // cpu above 70 for 1m: the rule fires
  const ComponentDecision& web = *d.last.Find("web");
  EXPECT_TRUE(web.paused);
  EXPECT_EQ(web.desired, 4);  // what it would set: ceil(2 x 140/70)
  EXPECT_FALSE(web.change);
  EXPECT_EQ(d.Current("web"), 2);
  EXPECT_TRUE(Has(web.reason, "paused (gearbox.dev/paused): cpu 140 above 70 for 1m"))
      << web.reason;
  EXPECT_FALSE(d.HasEvent("ScalingPaused"));  // once
  EXPECT_FALSE(d.HasEvent("ScaledUp"));
  EXPECT_EQ(d.state.timers.count("web/lastScaleUp"), 0u);
  const Condition* able = d.last.FindCondition("AbleToScale");
  ASSERT_NE(able, nullptr);
  EXPECT_FALSE(able->status);
  EXPECT_EQ(able->reason, "Paused");
  EXPECT_TRUE(Has(able->message, "gearbox.dev/paused: web")) << able->message;
}

TEST(Pause, ResumesWithItsTimersIntact) {
  Driver d = Steady();
  d.observed.paused = {"web", "worker"};
  d.Metric("cpu", 140);
  d.Run(3min);  // the cpu rule keeps counting while paused
  EXPECT_EQ(d.Current("web"), 2);
  d.observed.paused.clear();
  d.Step(15s);
  EXPECT_TRUE(d.HasEvent("ScalingResumed"));
  EXPECT_EQ(d.Current("web"), 4) << "the for of 1m ran during the pause: it fires at once";
  const Condition* able = d.last.FindCondition("AbleToScale");
  EXPECT_TRUE(able->status) << able->message;
}

TEST(Pause, TheWholePolicyPausedLeavesTheOtherComponentsToo) {
  Driver d(Operations());
  d.observed.paused = {"web", "worker"};
  d.Metric("cpu", 50);
  d.Metric("backlog", 1000);  // 500 per worker
  d.Replicas("web", 2);
  d.Replicas("worker", 2);
  d.Run(1min);
  EXPECT_EQ(d.Current("worker"), 2);
  EXPECT_EQ(d.last.Find("worker")->desired, 6);  // 2 + maxPods 4
  EXPECT_TRUE(d.state.scale_events.empty()) << "a pause spends none of the rate limit's budget";
}

TEST(Pause, APausedTopologyComponentTakesNoStepUntilResumed) {
  Driver d = CalmMedium();
  d.observed.paused = {"database"};
  d.Metric("users", 50000);  // Large: database 1 -> 3 first, after the 10m hold
  d.Run(11min);
  ASSERT_EQ(d.last.phase, "Large");
  EXPECT_EQ(d.Current("database"), 1);
  EXPECT_FALSE(d.last.topology_step.has_value());
  EXPECT_FALSE(d.state.in_flight.has_value());
  const ComponentDecision& db = *d.last.Find("database");
  EXPECT_TRUE(db.paused);
  EXPECT_TRUE(Has(db.reason, "paused (gearbox.dev/paused): ")) << db.reason;
  d.observed.paused.clear();
  d.Step(15s);
  EXPECT_TRUE(d.HasEvent("TopologyResize"));
  EXPECT_EQ(d.Current("database"), 3);
}

// ---- fallback ---------------------------------------------------------------------------------

TEST(Fallback, ReachesItsCountAfterFailureThresholdFailedReads) {
  Driver d = Steady(2, 2);
  d.Missing("backlog", "connection refused");
  d.Step(15s);
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 2) << d.last.Find("worker")->reason;
  d.Step(15s);  // the third failed read in a row
  EXPECT_EQ(d.Current("worker"), 4);
  const ComponentDecision& w = *d.last.Find("worker");
  EXPECT_EQ(w.cause, Cause::kFallback);
  EXPECT_TRUE(w.fallback_since.has_value());
  EXPECT_EQ(w.reason, "backlog unavailable for 3 evaluations (fallback after 3): 4 replicas");
  ASSERT_TRUE(d.HasEvent("FallbackActive"));
  for (const Event& e : d.last.events)
    if (e.reason == "FallbackActive") {
      EXPECT_EQ(e.type, "Warning");
    }
  d.Step(15s);
  EXPECT_FALSE(d.HasEvent("FallbackActive"));  // once
  EXPECT_EQ(d.Current("worker"), 4);
}

TEST(Fallback, AReadInBetweenStartsTheCountOver) {
  Driver d = Steady(2, 2);
  d.Missing("backlog", "timeout");
  d.Step(15s);
  d.Step(15s);
  d.Metric("backlog", 100);
  d.Step(15s);
  d.Missing("backlog", "timeout");
  d.Step(15s);
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 2);
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 4);
}

TEST(Fallback, EndsWhenTheMetricIsReadAgainAndTheRulesDecide) {
  Driver d = Steady(2, 2);
  d.Missing("backlog", "timeout");
  d.Run(1min);
  ASSERT_EQ(d.Current("worker"), 4);
  d.Metric("backlog", 400);  // 100 per worker: neither rule fires
  d.Step(15s);
  EXPECT_TRUE(d.HasEvent("FallbackEnded"));
  EXPECT_EQ(d.Current("worker"), 4);
  EXPECT_FALSE(d.last.Find("worker")->fallback_since.has_value());
}

TEST(Fallback, IsHeldInsideTheBounds) {
  Driver d = BacklogDown(2, [](Spec& s) { s.components[1].fallback = Fallback{1, 50}; });
  d.Step();
  EXPECT_EQ(d.Current("worker"), 10);
}

TEST(Fallback, SurvivesARestartThroughItsDurableTimer) {
  Driver d = Steady(2, 2);
  d.Missing("backlog", "timeout");
  d.Run(1min);
  ASSERT_EQ(d.Current("worker"), 4);
  d.state.failed_reads.clear();  // what a restart loses: the count (the timers are in status)
  d.Step(15s);
  EXPECT_EQ(d.last.Find("worker")->cause, Cause::kFallback);
  EXPECT_FALSE(d.HasEvent("FallbackActive"));
}

TEST(Fallback, WithoutOneAMissingMetricHoldsTheCount) {
  Driver d = BacklogDown(2, NoFallback);
  d.Run(5min);
  EXPECT_EQ(d.Current("worker"), 2);
}

// ---- scale to zero ----------------------------------------------------------------------------

TEST(ScaleToZero, RulesStopAtOneAndTheCooldownTakesItToZero) {
  Driver d = Steady(2, 3, 0);  // an empty queue: the scale-down rule fires (0 per worker < 20)
  d.Run(1min);
  EXPECT_EQ(d.Current("worker"), 1) << "the rules never go below 1";
  d.Run(4min - 15s);
  EXPECT_EQ(d.Current("worker"), 1) << d.last.Find("worker")->reason;
  d.Step(15s);  // idle for 5m since the first evaluation
  EXPECT_EQ(d.Current("worker"), 0);
  EXPECT_TRUE(d.HasEvent("ScaledDown"));
  EXPECT_EQ(d.last.events[0].note,
            "worker 1 -> 0: idle for 5m: backlog 0 not above 0 (scaleToZero cooldown)");
}

TEST(ScaleToZero, TheCooldownCountsInStatusSoThatTheReconcilerWakesForItsEnd) {
  Driver d = Steady(2, 1, 0);
  d.Run(2min);
  const std::vector<Counting>& counting = d.last.Find("worker")->counting;
  ASSERT_EQ(counting.size(), 1u);
  EXPECT_EQ(counting[0].rule, "scaleToZero idle");
  EXPECT_EQ(counting[0].since, T0());
  EXPECT_EQ(counting[0].for_, 5min);
  d.Metric("backlog", 5);
  d.Step(15s);
  EXPECT_TRUE(d.last.Find("worker")->counting.empty());
}

TEST(ScaleToZero, WorkResetsTheCooldown) {
  Driver d = Steady(2, 1, 0);
  d.Run(4min);
  d.Metric("backlog", 5);
  d.Step(15s);
  d.Metric("backlog", 0);
  d.Run(4min);  // idle again since the first of these evaluations: 3m45s
  EXPECT_EQ(d.Current("worker"), 1);
  d.Run(2min);
  EXPECT_EQ(d.Current("worker"), 0);
}

TEST(ScaleToZero, AnUnreadableActivationKeepsItUp) {
  Driver d = BacklogDown(1, NoFallback);
  d.Run(10min);
  EXPECT_EQ(d.Current("worker"), 1);
}

TEST(ScaleToZero, AtZeroAJobWakesItToOne) {
  Driver d = Steady(2, 0, 0);
  EXPECT_EQ(d.last.Find("worker")->reason, "resting at 0: backlog 0 not above 0");
  d.Metric("backlog", 1);
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 1);
  EXPECT_EQ(d.last.events[0].note, "worker 0 -> 1: woken from 0: backlog 1 above 0");
}

TEST(ScaleToZero, AtZeroABigBacklogGoesAsFarAsTheRulesAndLimitsAllow) {
  Driver d = Steady(2, 0, 0);
  d.Metric("backlog", 300);  // 300 per worker at 0 (counted as 1): ceil(300/100) = 3
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 3);
}

TEST(ScaleToZero, AtZeroAPastedHpaBehaviorLimitsTheWake) {
  Driver d = Steady(2, 0, 0);
  HpaBehavior b{HpaScaleUpDefaults(), HpaScaleDownDefaults()};
  b.up.policies = {{.percent = false, .value = 1, .period = 60s}};  // one pod a minute
  d.spec.components[1].hpa = b;
  d.Metric("backlog", 300);  // the rules ask for 3
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 1) << d.last.Find("worker")->reason;
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 1) << "its budget of one pod per minute is spent";
}

TEST(ScaleToZero, AResourceMetricOfAComponentAtZeroIsNotAFailure) {
  Spec s = Operations();
  s.resource_metrics["cpu"] = "worker";  // the worker's own CPU, unreadable at 0 pods
  s.components[1].scale_up->rules.push_back(Above("cpu", 70));
  Driver d(s);
  d.Missing("cpu", "no pods match the selector");
  d.Metric("backlog", 0);
  d.Replicas("web", 2);
  d.Replicas("worker", 0);
  d.Run(2min);
  EXPECT_EQ(d.Current("worker"), 0);
  EXPECT_TRUE(d.last.FindCondition("MetricsAvailable")->status);
  EXPECT_FALSE(d.last.Find("worker")->fallback_since.has_value());
  EXPECT_EQ(d.state.timers.count("unavailable/cpu"), 0u);
}

TEST(ScaleToZero, APhaseMinimumAboveZeroWins) {
  Driver d = Steady(2, 0, 0);
  d.spec.components[1].replicas = Bounds{0, 10};
  d.spec.phases = Phases{"backlog", 1min, {Phase{"Only", std::nullopt, {{"worker", {2, 10, {}}}}}}};
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 2);
  d.Run(10min);
  EXPECT_EQ(d.Current("worker"), 2);
}

}  // namespace
}  // namespace gearbox::policy::testing
