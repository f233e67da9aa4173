// The control law (docs/engine.md, "The size of a step"): thresholds and `for` decide when a
// workload moves, the proportional readings how far; gates trigger but do not size; a scale-down
// never lands where a scale-up rule would fire; a step does not restart the rules' timers.
#include <cmath>

#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

Rule WithTarget(Rule r, double target) {
  r.target = target;
  return r;
}

// A web app sized by its own CPU (a resource metric) with p95 as a gate; no stabilization, and a
// rate limit wide enough that the law alone decides.
Spec Web(Rule up_cpu, Rule down_cpu) {
  Spec s;
  s.metrics = {"cpu", "p95"};
  s.resource_metrics = {{"cpu", "web"}};
  Component web;
  web.name = "web";
  web.replicas = Bounds{1, 40};
  web.scale_up = RuleSet{false, {std::move(up_cpu), Above("p95", 0.5)}};
  web.scale_down = RuleSet{true, {std::move(down_cpu)}};
  web.up = Limits{100, 1000, Duration{0}, Duration{0}};
  web.down = Limits{100, 100, Duration{0}, Duration{0}};
  s.components = {web};
  return s;
}

Spec SeedWeb() { return Web(Above("cpu", 70), Below("cpu", 30)); }

Driver At(Spec s, int replicas, int ready, double cpu, double p95 = 0.1) {
  Driver d(std::move(s));
  d.observed.targets["web"] = TargetReading{true, replicas, ready, ""};
  d.Metric("cpu", cpu);
  d.Metric("p95", p95);
  return d;
}

const ComponentDecision& Web(const Driver& d) { return *d.last.Find("web"); }

TEST(ProportionalSizing, UpByAStatedTargetIsReadyTimesValueOverTarget) {
  Driver d = At(Web(WithTarget(Above("cpu", 70), 60), Below("cpu", 30)), 4, 4, 90);
  d.Step();
  EXPECT_EQ(d.Current("web"), 6) << Web(d).reason;  // ceil(4 x 90 / 60)
}

TEST(ProportionalSizing, UpByTheThresholdWithoutATarget) {
  Driver d = At(SeedWeb(), 4, 4, 90);
  d.Step();
  EXPECT_EQ(d.Current("web"), 6) << Web(d).reason;  // ceil(4 x 90 / 70)
}

TEST(ProportionalSizing, ATotalPerReplicaIsTotalOverTarget) {
  Spec s = Storefront();
  s.components[1].scale_up->rules[0].target = 500;  // backlog per worker
  Driver d = CalmMedium(3, 900);
  d.spec = s;
  d.Metric("backlog", 4000);  // 1333 per worker, above 1000
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 5) << d.last.Find("worker")->reason;  // 8 capped at Medium's 5
  EXPECT_EQ(d.last.Find("worker")->recommended, 8);                    // ceil(4000 / 500)
}

TEST(ProportionalSizing, DownLandsAtTheTarget) {
  Driver d =
      At(Web(WithTarget(Above("cpu", 70), 60), WithTarget(Below("cpu", 40), 60)), 10, 10, 30);
  d.Step();
  EXPECT_EQ(d.Current("web"), 5) << Web(d).reason;  // ceil(10 x 30 / 60)
}

TEST(ProportionalSizing, DownWithoutATargetLandsUnderTheScaleUpThreshold) {
  Driver d = At(SeedWeb(), 12, 12, 20);
  d.Step();
  // ceil(12 x 20 / (70 / 1.1)) = 4: 60 at 4, under 70, where the HPA at 70 would also go.
  EXPECT_EQ(d.Current("web"), 4) << Web(d).reason;
}

TEST(ToleranceBand, AStatedTargetDoesNotMoveWithinTenPercent) {
  Driver d = At(Web(WithTarget(Above("cpu", 62), 60), Below("cpu", 30)), 5, 5, 65);
  d.Step();
  EXPECT_EQ(d.Current("web"), 5);
  EXPECT_NE(Web(d).reason.find("stays at 5: cpu within 10% of its target 60"), std::string::npos)
      << Web(d).reason;
  d.Metric("cpu", 67);  // 67 / 60 = 1.117: outside the band
  d.Step(15s);
  EXPECT_EQ(d.Current("web"), 6) << Web(d).reason;
}

TEST(NoForcedStep, AScaleDownThatWouldFireTheScaleUpRuleStays) {
  // Down on a low p95 alone (a gate: one pod), up above 70, at 3 pods on 55% (165 in all): at 2
  // cpu would be 82.5.
  Driver d = At(Web(Above("cpu", 70), Below("p95", 0.2)), 3, 3, 55);
  d.Step();
  EXPECT_EQ(d.Current("web"), 3);
  EXPECT_NE(Web(d).reason.find("stays at 3: at 2, cpu would be 82.5 above 70"), std::string::npos)
      << Web(d).reason;
}

// A closed loop: the CPU each pod reports is the load spread over the ready pods.
TEST(NoForcedStep, AFlatLoadBetweenTwoCountsCausesNoCycle) {
  Driver d = At(Web(Above("cpu", 70, 1min), Below("cpu", 60, 5min)), 3, 3, 55);
  int changes = 0, last = 3;
  for (int i = 0; i < 240; ++i) {  // an hour
    d.Metric("cpu", 165.0 / d.Current("web"));
    d.Step(15s);
    changes += d.Current("web") != last;
    last = d.Current("web");
  }
  EXPECT_EQ(changes, 0) << Web(d).reason;
}

TEST(Timers, AStepDoesNotRestartTheRulesThatStillHold) {
  Spec s = SeedWeb();
  s.components[0].scale_up->rules[0].for_ = 5min;
  Driver d = At(s, 3, 3, 80);
  d.Run(5min);
  d.Step(15s);
  ASSERT_EQ(d.Current("web"), 4);  // ceil(3 x 80 / 70)
  // Still 80 at 4 pods: the rule holds, its 5 minutes are behind it, and it acts again at once.
  d.Step(15s);
  EXPECT_EQ(d.Current("web"), 5) << Web(d).reason;
}

TEST(Readiness, StartingPodsAreNotCountedTwiceOnTheWayUp) {
  // 4 pods, 2 of them starting; the 2 ready ones report 90%: ceil(2 x 90 / 70) = 3 pods would do.
  Driver d = At(SeedWeb(), 4, 2, 90);
  d.Step();
  EXPECT_EQ(d.Current("web"), 4);
  EXPECT_NE(Web(d).reason.find(
                "stays at 4: waiting for the pods of the last step (2 of 4 in the cpu reading)"),
            std::string::npos)
      << Web(d).reason;
}

TEST(Readiness, TheMultiplierIsThePodsTheReadingAveragedOver) {
  // 12 pods ready, but the CPU reading (100%, the spike's backlog) averages the 3 whose usage
  // metrics-server has a sample of: ceil(3 x 100 / 70) = 5, not ceil(12 x 100 / 70) = 18.
  Driver d = At(SeedWeb(), 12, 12, 100);
  d.observed.metrics["cpu"].pods = 3;
  d.Step();
  EXPECT_EQ(d.Current("web"), 12) << Web(d).reason;
  EXPECT_NE(Web(d).reason.find("(3 of 12 in the cpu reading)"), std::string::npos) << Web(d).reason;
  // Going down, the pods not in the reading count as at the target: 3 at 10%, 9 at 63.6.
  d.Metric("cpu", 10);
  d.observed.metrics["cpu"].pods = 3;
  d.Step(15s);
  EXPECT_EQ(d.Current("web"), 10) << Web(d).reason;  // ceil((30 + 9 x 63.6) / 63.6)
}

TEST(Readiness, StartingPodsCountAsAtTheTargetOnTheWayDown) {
  // 2 ready at 10%, 2 starting: (2 x 10 + 2 x 63.6) / 63.6 -> 3, not ceil(4 x 10 / 63.6) = 1.
  Driver d = At(SeedWeb(), 4, 2, 10);
  d.Step();
  EXPECT_EQ(d.Current("web"), 3) << Web(d).reason;
}

TEST(GateStep, AGateAloneTakesABoundedStep) {
  // p95 at a client timeout of 10 s against 0.5: 20x, but a latency does not size a step.
  Driver d = At(SeedWeb(), 2, 2, 50, 10);
  d.Step();
  EXPECT_EQ(d.Current("web"), 3) << Web(d).reason;  // +50%, at least one
  EXPECT_NE(Web(d).reason.find("no rule that fired sizes a step: +1"), std::string::npos)
      << Web(d).reason;
  Driver big = At(SeedWeb(), 10, 10, 50, 10);
  big.Step();
  EXPECT_EQ(big.Current("web"), 15);
}

TEST(GateStep, AGateWaitsForThePodsOfItsLastStep) {
  Driver d = At(SeedWeb(), 2, 2, 50, 10);
  d.Step();
  ASSERT_EQ(d.Current("web"), 3);
  d.observed.targets["web"].ready = 2;  // the new pod is starting
  d.Step(15s);
  EXPECT_EQ(d.Current("web"), 3) << Web(d).reason;
  d.observed.targets["web"].ready = 3;
  d.Step(15s);
  EXPECT_EQ(d.Current("web"), 5) << Web(d).reason;  // 3 + ceil(1.5)
}

TEST(GateStep, AGateStepsOncePerItsFor) {
  // A p95 stuck at 10 s behind a backlog still reads 10 s after the pods it asked for are ready:
  // it takes one step per its `for`, not one per evaluation (2 -> 3 -> 5 -> 8 -> ... in seconds).
  Spec s = SeedWeb();
  s.components[0].scale_up->rules[1].for_ = 1min;
  Driver d = At(s, 2, 2, 50, 10);
  d.Run(1min);
  d.Step(15s);
  ASSERT_EQ(d.Current("web"), 3) << Web(d).reason;
  d.Run(45s);
  EXPECT_EQ(d.Current("web"), 3) << Web(d).reason;
  EXPECT_NE(Web(d).reason.find("a gate steps once per its for"), std::string::npos)
      << Web(d).reason;
  d.Step(15s);
  EXPECT_EQ(d.Current("web"), 5) << Web(d).reason;
}

TEST(GateStep, AProportionalReadingSizesTheStepAGateTriggers) {
  // cpu 84 holds but has not fired (its `for`); p95 fires: cpu sizes, ceil(4 x 84 / 70) = 5.
  Spec s = SeedWeb();
  s.components[0].scale_up->rules[0].for_ = 5min;
  Driver d = At(s, 4, 4, 84, 0.9);
  d.Step();
  EXPECT_EQ(d.Current("web"), 5) << Web(d).reason;
}

TEST(Stabilization, AScaleDownTakesTheHighestRecommendationOfItsWindow) {
  Spec s = SeedWeb();
  s.components[0].down.stabilization_window = 2min;
  Driver d = At(s, 12, 12, 25);  // recommends ceil(12 x 25 / 63.6) = 5
  d.Step();
  ASSERT_EQ(d.Current("web"), 5) << Web(d).reason;
  d.Metric("cpu", 25.0 * 12 / 5);  // 60 at 5: no rule holds
  d.Step(15s);
  d.Metric("cpu", 10);  // recommends 1, but 5 was recommended 30 s ago
  d.Step(15s);
  EXPECT_EQ(d.Current("web"), 5) << Web(d).reason;
  d.Run(2min);
  EXPECT_EQ(d.Current("web"), 1) << Web(d).reason;
}

bool HasWarning(const Decision& r, const std::string& text) {
  for (const auto& line : r.summary)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

TEST(Warnings, AWorkloadWithNoScaleDownPath) {
  Spec s = SeedWeb();
  s.components[0].scale_down.reset();
  Driver d = At(s, 3, 3, 50);
  d.Step();
  EXPECT_TRUE(HasWarning(d.last, "Warning: web: scaleUp rules and no scaleDown rules"));
}

TEST(Warnings, ATargetOutsideItsThresholds) {
  Driver d = At(Web(WithTarget(Above("cpu", 70), 80), WithTarget(Below("cpu", 30), 20)), 3, 3, 50);
  d.Step();
  EXPECT_TRUE(HasWarning(d.last, "scaleUp cpu > 70 with target 80: the target is above"));
  EXPECT_TRUE(HasWarning(d.last, "scaleDown cpu < 30 with target 20: the target is below"));
}

TEST(Warnings, ThresholdsOnePodApart) {
  Driver d = At(Web(Above("cpu", 70), Below("cpu", 60)), 3, 3, 65);
  d.Step();
  // 60 x 6/5 = 72 > 70; 60 x 7/6 = 70 is not.
  EXPECT_TRUE(HasWarning(d.last, "from under 60 to over 70 at 6 replicas or fewer"))
      << ::testing::PrintToString(d.last.summary);
  Driver seed = At(SeedWeb(), 3, 3, 50);
  seed.Step();
  for (const auto& line : seed.last.summary) EXPECT_EQ(line.find("Warning"), std::string::npos);
}

}  // namespace
}  // namespace gearbox::policy::testing
