// behavior in the HPA form (docs/engine.md, "behavior in the HPA form"): the HPA's stabilization
// over past recommendations and its rate-limit policies, case by case. The cases named "HPA:"
// are those of kubernetes/kubernetes pkg/controller/podautoscaler/horizontal_test.go
// (TestScalingWithRules, TestNormalizeDesiredReplicas), with the same numbers.
#include "policy/engine.h"
#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

// generateScalingRules of horizontal_test.go: a Pods and a Percent policy (0: none), Max.
HpaRules Rules(int pods, int pods_period, int percent, int percent_period, int window,
               SelectPolicy select = SelectPolicy::kMax) {
  HpaRules r{std::chrono::seconds(window), select, {}};
  if (pods != 0) r.policies.push_back({false, pods, std::chrono::seconds(pods_period)});
  if (percent != 0) r.policies.push_back({true, percent, std::chrono::seconds(percent_period)});
  return r;
}

// One workload "web" whose rules recommend exactly the load (per replica above 1 / below 1, target
// 1): load 50 at 10 replicas recommends 50, as the HPA's prenormalized desired replicas.
struct Web {
  Spec spec;
  Observed observed;
  State state;
  Time now = T0();

  explicit Web(HpaRules up = HpaScaleUpDefaults(), HpaRules down = HpaScaleDownDefaults(),
               Bounds bounds = {1, 1000}) {
    spec.metrics = {"load"};
    Component c;
    c.name = "web";
    c.replicas = bounds;
    // The HPA's target of 1 per replica, with its tolerance: the rules recommend ceil(load).
    Rule above = Above("load", 1, Duration{0}, true), below = Below("load", 1, Duration{0}, true);
    above.target = below.target = 1;
    c.scale_up = RuleSet{false, {above}};
    c.scale_down = RuleSet{false, {below}};
    c.hpa = HpaBehavior{std::move(up), std::move(down)};
    spec.components = {c};
  }
  // Changes made `ago` before now (> 0 added, < 0 removed).
  void Changed(Duration ago, int delta) { state.scale_events["web"].push_back({now - ago, delta}); }
  void Recommended(Duration ago, int n) {
    state.down_recommendations["web"].emplace_back(now - ago, n);
  }
  Decision At(int current, double load) {
    observed.targets["web"] = TargetReading{true, current, current, ""};
    observed.metrics["load"] = MetricReading{load, now, ""};
    return Evaluate(spec, observed, state, now);
  }
  int Desired(int current, double load) { return At(current, load).Find("web")->desired; }
};

// The decision held back by `flag` to `desired`, its reason saying so in `words`.
void ExpectHeld(const Decision& r, int desired, unsigned flag, const std::string& words) {
  const ComponentDecision& d = *r.Find("web");
  EXPECT_EQ(d.desired, desired) << d.reason;
  EXPECT_TRUE(d.limits & flag) << d.reason;
  EXPECT_NE(d.reason.find(words), std::string::npos) << d.reason;
}

// The events {1, 5, 9} of generateEventsUniformDistribution over 120 s: at -100 s, -60 s, -20 s.
void UniformUpEvents(Web& w) {
  w.Changed(100s, 1);
  w.Changed(60s, 5);
  w.Changed(20s, 9);
}

TEST(HpaForm, HPA_ScaleUpWithDefaultBehavior) {
  Web w;  // Percent 100 and Pods 4 per 15 s, Max: 10 -> 20
  const Decision r = w.At(10, 50);
  EXPECT_EQ(r.Find("web")->desired, 20);
  EXPECT_EQ(r.Find("web")->recommended, 50);
  EXPECT_TRUE(r.Find("web")->limits & kLimitedPerStep);
}

TEST(HpaForm, HPA_ScaleUpPodsAgainstPercent) {
  EXPECT_EQ(Web(Rules(100, 60, 100, 60, 0)).Desired(10, 500), 110) << "pods larger than percent";
  EXPECT_EQ(Web(Rules(2, 60, 100, 60, 0)).Desired(10, 500), 20) << "percent larger than pods";
  EXPECT_EQ(Web(Rules(100, 60, 0, 0, 0)).Desired(10, 50), 50) << "within the pods policy";
  EXPECT_EQ(Web(Rules(10000, 60, 0, 0, 0)).Desired(10, 50), 50);
  EXPECT_EQ(Web(Rules(30, 60, 0, 0, 0)).Desired(10, 50), 40) << "pod policy limitation";
  EXPECT_EQ(Web(Rules(0, 0, 200, 60, 0)).Desired(10, 50), 30) << "percent policy limitation";
  EXPECT_EQ(Web(Rules(0, 0, 1, 60, 0)).Desired(3, 1000), 4) << "ceil(3 x 1.01): rounded up";
}

TEST(HpaForm, HPA_ScaleUpMaximumBelowTheLimit) {
  Web w(HpaScaleUpDefaults(), HpaScaleDownDefaults(), {1, 10});
  EXPECT_EQ(w.Desired(10, 1000), 10) << "already at the maximum";
  Web big(HpaScaleUpDefaults(), HpaScaleDownDefaults(), {100, 150});
  const Decision r = big.At(100, 1000);
  EXPECT_EQ(r.Find("web")->desired, 150);
  EXPECT_TRUE(r.Find("web")->limits & kCappedAtMaximum);
}

TEST(HpaForm, HPA_ScaleUpCountsTheChangesWithinEachPeriod) {
  Web a(Rules(300, 60, 0, 0, 0), HpaScaleDownDefaults(), {1, 200});
  UniformUpEvents(a);
  EXPECT_EQ(a.Desired(100, 500), 200) << "200 < 100 - 15 + 300";
  Web b(Rules(5, 120, 0, 0, 0));
  UniformUpEvents(b);
  EXPECT_EQ(b.Desired(100, 500), 100) << "100 - 15 + 5 < 100: a spent budget holds the count";
  Web c(Rules(150, 120, 0, 0, 0));
  UniformUpEvents(c);
  EXPECT_EQ(c.Desired(100, 500), 235) << "100 - 15 + 150";
  Web d(Rules(150, 30, 0, 0, 0));
  UniformUpEvents(d);
  EXPECT_EQ(d.Desired(100, 500), 241) << "only the 9 of 20 s ago is within 30 s: 100 - 9 + 150";
}

// Each policy counts the changes within its own period; a removal gives its budget back to
// scale-up (the count at the start of the period is the higher), as the HPA's
// periodStartReplicas = current - added + deleted.
TEST(HpaForm, PoliciesOfDifferentPeriodsCountTheirOwnChanges) {
  HpaRules up = Rules(4, 60, 100, 15, 0);
  Web max(up);
  max.Changed(20s, 4);  // within the Pods policy's 60 s, not the Percent one's 15 s
  EXPECT_EQ(max.Desired(8, 100), 16) << "Pods: 4 + 4 = 8; Percent: ceil(8 x 2) = 16; Max";
  up.select = SelectPolicy::kMin;
  Web min(up);
  min.Changed(20s, 4);
  const Decision r = min.At(8, 100);
  EXPECT_EQ(r.Find("web")->desired, 8) << "Min: the Pods policy's budget is spent";
  EXPECT_NE(r.Find("web")->reason.find("limited to +0 (policies Pods 4/1m, Percent 100/15s; "
                                       "selectPolicy Min; 4 moved within 1m)"),
            std::string::npos)
      << r.Find("web")->reason;
  Web down(HpaScaleUpDefaults(), Rules(2, 60, 0, 0, 0));
  down.Changed(30s, -2);
  EXPECT_EQ(down.Desired(8, 1), 8) << "10 at the period's start: at least 8 within it";
  Web back(Rules(2, 60, 0, 0, 0));
  back.Changed(30s, -2);
  EXPECT_EQ(back.Desired(8, 100), 12) << "up from a start of 10: 10 + 2";
}

TEST(HpaForm, HPA_ScaleDownPodsAgainstPercent) {
  auto down = [](HpaRules r, int current, double load, int min = 1) {
    return Web(HpaScaleUpDefaults(), std::move(r), {min, 1000}).Desired(current, load);
  };
  EXPECT_EQ(down(Rules(20, 60, 1, 60, 300), 100, 2), 80) << "Max: the biggest change";
  EXPECT_EQ(down(Rules(2, 60, 1, 60, 300), 100, 2), 98);
  EXPECT_EQ(down(Rules(100, 60, 0, 0, 300), 10, 0), 1) << "held at the minimum";
  EXPECT_EQ(down(Rules(0, 0, 100, 60, 300), 10, 2, 5), 5);
  EXPECT_EQ(down(Rules(5, 60, 0, 0, 300), 10, 2), 5) << "pod policy limitation";
  EXPECT_EQ(down(Rules(0, 0, 50, 60, 300), 10, 5), 5) << "within the percent policy";
  EXPECT_EQ(down(Rules(0, 0, 25, 60, 300), 10, 1), 7) << "10 x 0.75 = 7.5, truncated";
  EXPECT_EQ(down(Rules(0, 0, 33, 60, 300), 10, 1), 6) << "10 x 0.67 = 6.7, truncated";
  EXPECT_EQ(down(Rules(20, 60, 0, 0, 0), 1000, 3, 3), 980) << "Pods 20: 1000 -> 980";
}

TEST(HpaForm, SelectPolicyMinMaxDisabled) {
  // 10 replicas, Pods 4 and Percent 50 per minute: Max allows 15, Min 14 (up); 5 and 6 (down).
  const HpaRules max = Rules(4, 60, 50, 60, 0, SelectPolicy::kMax);
  const HpaRules min = Rules(4, 60, 50, 60, 0, SelectPolicy::kMin);
  const HpaRules off = Rules(4, 60, 50, 60, 0, SelectPolicy::kDisabled);
  EXPECT_EQ(Web(max, max).Desired(10, 100), 15);
  EXPECT_EQ(Web(min, min).Desired(10, 100), 14);
  EXPECT_EQ(Web(min, min).Desired(10, 1), 6);
  EXPECT_EQ(Web(max, max).Desired(10, 1), 5);
  const Decision up = Web(off, max).At(10, 100);
  EXPECT_EQ(up.Find("web")->desired, 10);
  EXPECT_NE(up.Find("web")->reason.find("scale-up disabled (selectPolicy Disabled)"),
            std::string::npos)
      << up.Find("web")->reason;
  EXPECT_EQ(Web(max, off).Desired(10, 1), 10) << "scale-down disabled";
  EXPECT_EQ(Web(off, max).Desired(10, 1), 5) << "disabling scale-up leaves scale-down alone";
}

TEST(HpaForm, TheReasonNamesThePolicies) {
  Web w(Rules(2, 60, 50, 60, 0, SelectPolicy::kMin));
  w.Changed(30s, 1);
  const Decision r = w.At(4, 40);  // start 3: Pods 5, Percent ceil(4.5) = 5; Min: 5
  EXPECT_EQ(r.Find("web")->desired, 5);
  EXPECT_EQ(r.Find("web")->reason,
            "load per replica 10 above 1 (limited to +1 per 1m (policies Pods 2/1m, Percent "
            "50/1m; selectPolicy Min; 1 moved within 1m))");
}

TEST(HpaForm, HPA_TheScaleDownWindowTakesTheHighestRecommendation) {
  // TestNormalizeDesiredReplicas, window 5m, recommendation 3.
  Web stabilize;
  stabilize.Recommended(2min, 4);
  stabilize.Recommended(1min, 5);
  ExpectHeld(stabilize.At(6, 3), 5, kStabilizationWindow,
             "the highest recommendation of the last 5m");
  Web old;
  old.Recommended(10min, 10);
  old.Recommended(9min, 9);
  EXPECT_EQ(old.Desired(6, 3), 3) << "older than the window";
  Web mixed;
  for (auto [ago, n] : {std::pair{10min, 10}, {1min, 4}, {2min, 5}, {9min, 9}})
    mixed.Recommended(ago, n);
  EXPECT_EQ(mixed.Desired(6, 3), 5);
  EXPECT_EQ(mixed.At(6, 3).state.down_recommendations.at("web").size(), 3u)
      << "those older than both windows are dropped; this one is kept";
}

TEST(HpaForm, TheScaleUpWindowTakesTheLowestRecommendation) {
  Web w(Rules(100, 60, 0, 0, 60));  // a scale-up window of 60 s
  w.Recommended(70s, 3);            // outside it
  w.Recommended(40s, 6);
  w.Recommended(10s, 8);
  // The lowest of the last 60 s: 6, 8 and 9.
  ExpectHeld(w.At(4, 9), 6, kUpStabilizationWindow, "the lowest recommendation of the last 1m");
  Web held(Rules(100, 60, 0, 0, 60));
  held.Recommended(30s, 4);  // the current count: no rule fired then
  const Decision h = held.At(4, 9);
  EXPECT_EQ(h.Find("web")->desired, 4) << "held: a recommendation of 4 within the window";
  EXPECT_FALSE(h.Find("web")->change);
  EXPECT_NE(h.Find("web")->reason.find("; stays at 4"), std::string::npos);
}

TEST(HpaForm, EveryEvaluationRecordsItsRecommendationAndADownWindowHoldsAfterAPeak) {
  Web w(Rules(100, 15, 0, 0, 0), Rules(100, 15, 0, 0, 60));
  EXPECT_EQ(w.Desired(4, 4), 4) << "no rule fires: the current count is recorded";
  ASSERT_EQ(w.At(4, 4).state.down_recommendations.at("web").back().second, 4);
  Decision r = w.At(4, 8);
  EXPECT_EQ(r.Find("web")->desired, 8);
  w.state = r.state;  // as if written
  w.now += 30s;
  EXPECT_EQ(w.Desired(8, 2), 8) << "8 was recommended 30 s ago, within the 60 s down window";
  w.state = w.At(8, 2).state;
  w.now += 31s;
  EXPECT_EQ(w.Desired(8, 2), 2) << "61 s later: the 8 is out, the 2 of 31 s ago is the highest";
}

TEST(HpaForm, AMissingMetricRecordsNothing) {
  Web w;
  w.Recommended(10s, 5);
  w.observed.targets["web"] = TargetReading{true, 5, 5, ""};
  w.observed.metrics["load"] = MetricReading{std::nullopt, w.now, "no metrics"};
  const Decision r = Evaluate(w.spec, w.observed, w.state, w.now);
  EXPECT_EQ(r.Find("web")->desired, 5);
  EXPECT_EQ(r.Find("web")->cause, Cause::kNoRuleFires) << "a missing metric does not hold";
  EXPECT_EQ(r.state.down_recommendations.at("web").size(), 1u) << "only the one before";
}

TEST(HpaForm, DefaultsOfAPastedBlock) {
  const HpaRules up = HpaScaleUpDefaults();
  EXPECT_EQ(up.stabilization_window, Duration{0});
  EXPECT_EQ(up.select, SelectPolicy::kMax);
  ASSERT_EQ(up.policies.size(), 2u);
  EXPECT_TRUE(up.policies[0].percent);
  EXPECT_EQ(up.policies[0].value, 100);
  EXPECT_EQ(up.policies[1].value, 4);
  EXPECT_EQ(up.policies[1].period, 15s);
  const HpaRules down = HpaScaleDownDefaults();
  EXPECT_EQ(down.stabilization_window, 300s);
  ASSERT_EQ(down.policies.size(), 1u);
  EXPECT_EQ(down.policies[0].value, 100);
  // 1 replica: Pods 4 beats Percent 100 (2): 1 -> 5; then 100% of 5 beats 4 within a new period.
  Web w;
  EXPECT_EQ(w.Desired(1, 100), 5);
}

// The e2e's case (tests/e2e/test_hpa_behavior.sh): selectPolicy Min of Pods 2 and Percent 50 per
// 30 s, the recommendation well past the limits: 2 -> 3 -> 5 -> 7 -> 9, one step per 30 s.
TEST(HpaForm, ASequenceOfStepsOnePerPeriod) {
  Web w(Rules(2, 30, 50, 30, 0, SelectPolicy::kMin), HpaScaleDownDefaults(), {1, 20});
  Driver d(w.spec);
  d.Metric("load", 1000);
  d.Replicas("web", 2);
  std::vector<int> counts{2};
  for (int i = 0; i < 24; ++i) {  // every 5 s for 2 minutes: requeues do not spend more
    d.Step(5s);
    if (d.Current("web") != counts.back()) counts.push_back(d.Current("web"));
  }
  EXPECT_EQ(counts, (std::vector<int>{2, 3, 5, 7, 9}));
}

TEST(HpaForm, AWriteNotMadeSpendsNoBudgetAndKeepsItsRecommendation) {
  Web w(Rules(2, 30, 0, 0, 0), Rules(1, 30, 0, 0, 120));
  Driver d(w.spec);
  d.Metric("load", 10);
  d.Replicas("web", 2);
  d.refuse = {"web"};
  d.Step();
  EXPECT_EQ(d.last.Find("web")->desired, 4);
  EXPECT_TRUE(d.state.scale_events.count("web") == 0) << "the refused change is not counted";
  ASSERT_EQ(d.state.down_recommendations.at("web").size(), 1u) << "the recommendation stands";
  EXPECT_EQ(d.state.down_recommendations.at("web")[0].second, 10);
  d.refuse.clear();
  d.Step(1s);
  EXPECT_EQ(d.Current("web"), 4) << "decided again, the whole budget";
  d.Step(1s);
  EXPECT_EQ(d.Current("web"), 4) << "spent within the 30 s";
  // Down: the 10s recommended within the 120 s window hold it at 4.
  d.Metric("load", 1);
  d.Step(29s);
  EXPECT_EQ(d.Current("web"), 4);
  EXPECT_NE(d.last.Find("web")->reason.find("highest recommendation"), std::string::npos);
}

// The same on the fast path: Engine::Commit undoes the change, not the recommendation.
TEST(HpaForm, EngineCommitOfAWriteNotMade) {
  Web w(Rules(2, 30, 0, 0, 0));
  Engine engine(w.spec);
  IndexedObserved in = engine.NewObserved();
  in.metrics[static_cast<size_t>(engine.MetricSlot("load"))] = {10, w.now, ""};
  in.targets[static_cast<size_t>(engine.ComponentSlot("web"))] = {true, 2, 2, ""};
  IndexedState before = engine.Index(State{});
  Evaluation e;
  engine.Evaluate(in, before, w.now, e);
  ASSERT_TRUE(e.components[0].change);
  engine.Commit(before, Applied{{"web"}}, e);
  EXPECT_TRUE(e.state.scale_events[0].empty());
  EXPECT_EQ(e.state.down_recommendations[0].size(), 1u);
}

}  // namespace
}  // namespace gearbox::policy::testing
