// The edges: noisy input at a threshold, a metric that disappears in the middle of a for, a
// restart in the middle of a for, a phase metric oscillating at a boundary, up and down rules true
// at once, bounds that exclude the current count, topology order both ways, DryRun.
#include <limits>

#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

TEST(Edges, NoisyInputAroundTheThresholdNeverCompletesTheFor) {
  Driver d = CalmMedium();
  // cpu alternates 71, 69 every 15 s for an hour: it never holds for 5 minutes.
  for (int i = 0; i < 240; ++i) {
    d.Metric("cpu", i % 2 ? 69 : 71);
    d.Step(15s);
    ASSERT_EQ(d.Current("app"), 3) << "step " << i << ": " << d.last.Find("app")->reason;
  }
  // Above for 4m45s, one dip, above again: the timer starts over at the dip.
  Driver e = CalmMedium();
  e.Metric("cpu", 80);
  e.Run(4min + 45s);
  e.Metric("cpu", 65);
  e.Step(15s);
  EXPECT_TRUE(e.last.Find("app")->counting.empty());
  e.Metric("cpu", 80);
  e.Run(5min);  // held 4m45s
  EXPECT_EQ(e.Current("app"), 3);
  e.Step(15s);
  EXPECT_EQ(e.Current("app"), 4);
}

TEST(Edges, AMetricThatDisappearsInTheMiddleOfAForResetsIt) {
  Driver d = CalmMedium();
  d.Metric("cpu", 80);
  d.Run(3min);
  ASSERT_EQ(d.last.Find("app")->counting.size(), 1u);
  d.Missing("cpu", "metrics.k8s.io: no metrics for pod app-1");
  d.Step(15s);
  EXPECT_TRUE(d.last.Find("app")->counting.empty()) << "a missing metric does not hold";
  EXPECT_FALSE(d.last.FindCondition("MetricsAvailable")->status);
  EXPECT_NE(d.last.FindCondition("MetricsAvailable")->message.find("cpu: metrics.k8s.io"),
            std::string::npos);
  d.Metric("cpu", 80);
  d.Run(5min);  // held 4m45s: counting from the return, not from before the gap
  EXPECT_EQ(d.Current("app"), 3);
  d.Step(15s);
  EXPECT_EQ(d.Current("app"), 4);
  EXPECT_TRUE(d.last.FindCondition("MetricsAvailable")->status);
}

TEST(Edges, MissingMetricsNeverScaleDown) {
  Spec s = Storefront();
  s.components[0].scale_down = RuleSet{false, {Below("cpu", 30, 10min), Below("p95", 0.2)}};
  Driver d(s);
  d.Metric("users", 50000);
  d.Metric("cpu", 10);
  d.Missing("p95", "prometheus: the query returned no series");
  d.Replicas("app", 9);
  d.Step();
  d.Run(30min);
  EXPECT_EQ(d.Current("app"), 9) << d.last.Find("app")->reason;
  EXPECT_NE(d.last.Find("app")->reason.find("not scaling down while p95 is unavailable"),
            std::string::npos)
      << d.last.Find("app")->reason;
  d.Metric("p95", 0.3);
  d.Step(15s);
  EXPECT_EQ(d.Current("app"), 8) << "with the metric back, the cpu rule alone (anyOf) scales down";
}

TEST(Edges, ARestartInTheMiddleOfAForKeepsTheTimerThroughStatusJson) {
  Driver d = CalmMedium();
  d.Metric("cpu", 80);
  d.Step(15s);
  Time started = d.now;
  d.Run(3min);
  // The controller restarts: all that survives is the status, the durable timers among it
  // (reconcile/status.cpp writes and reads them; status_test.cpp checks the JSON round trip).
  auto timers = d.state.timers;
  ASSERT_TRUE(timers.count("app/scaleUp/0/cpu"));
  EXPECT_EQ(timers.at("app/scaleUp/0/cpu"), started);
  State restored;
  restored.timers = timers;
  restored.phase = d.state.phase;
  restored.workload_phase = d.state.workload_phase;
  d.state = restored;
  d.Run(2min - 15s);  // 4m45s since the condition started
  EXPECT_EQ(d.Current("app"), 3);
  d.Step(15s);  // 5m: it fires on time, not 5 minutes after the restart
  EXPECT_EQ(d.Current("app"), 4);
}

TEST(Edges, APhaseMetricOscillatingAtABoundaryDoesNotFlap) {
  Driver d(Storefront());
  d.ready_after = 0;
  d.Metric("users", 900);
  d.Step();
  ASSERT_EQ(d.last.phase, "Small");
  int changes = 0;
  for (int i = 0; i < 24 * 60; ++i) {  // a day of 999 / 1001 every other minute
    d.Metric("users", i % 2 ? 999 : 1001);
    d.Step(1min);
    changes += d.HasEvent("PhaseChanged");
    if (i % 2 == 0) {
      ASSERT_TRUE(d.last.pending_phase);
      EXPECT_EQ(d.last.pending_phase->name, "Medium");
      EXPECT_EQ(d.last.pending_phase->switch_at, d.now + 10min);
    }
  }
  EXPECT_EQ(changes, 0);
  EXPECT_EQ(d.last.phase, "Small");
  // Held above the boundary for the hold: it switches, exactly then.
  d.Metric("users", 1001);
  d.Run(10min, 1min);  // held 9m
  EXPECT_EQ(d.last.phase, "Small");
  d.Step(1min);
  EXPECT_EQ(d.last.phase, "Medium");
  EXPECT_TRUE(d.HasEvent("PhaseChanged"));
}

TEST(Edges, UpAndDownRulesTrueAtOnceScaleUp) {
  Spec s;
  s.metrics = {"cpu"};
  Component c;
  c.name = "web";
  c.replicas = Bounds{1, 10};
  c.scale_up = RuleSet{false, {Above("cpu", 50)}};
  c.scale_down = RuleSet{false, {Below("cpu", 60)}};
  s.components = {c};
  Driver d(s);
  d.Replicas("web", 4);
  d.Metric("cpu", 55);
  d.Step();
  EXPECT_EQ(d.Current("web"), 5);  // ceil(4 x 55/50)
  EXPECT_TRUE(d.HasEvent("ScaledUp"));
}

TEST(Edges, BoundsThatExcludeTheCurrentCountApplyAtOnce) {
  Driver d = CalmMedium(30);  // Medium: app 3..5, far above
  EXPECT_EQ(d.Current("app"), 5) << "no rate limit on getting back inside the bounds";
  EXPECT_NE(d.last.Find("app")->reason.find("above the maximum of 3..5"), std::string::npos)
      << d.last.Find("app")->reason;
  Driver e = CalmMedium(1);
  EXPECT_EQ(e.Current("app"), 3);
  EXPECT_NE(e.last.Find("app")->reason.find("below the minimum"), std::string::npos);
}

TEST(Edges, TopologyGrowsDatabaseFirstThenRedisThenWorkloadBoundsAndShrinksInReverse) {
  Driver d = CalmMedium(5);
  d.ready_after = 3;  // topology takes three evaluations to become ready
  std::vector<std::string> order;
  auto record = [&] {
    for (const auto& e : d.last.events)
      if (e.reason == "TopologyResize" || e.reason == "PhaseChanged") order.push_back(e.note);
  };
  d.Metric("users", 50000);
  for (int i = 0; i < 60; ++i) {
    d.Step(15s);
    record();
    // One change in flight at a time, and the workloads stay in Medium's bounds meanwhile.
    if (d.last.Find("redis")->change) {
      EXPECT_EQ(d.Current("database"), 3);
    }
    if (d.Current("redis") < 3) {
      EXPECT_LE(d.last.Find("app")->max, 5);
    }
  }
  ASSERT_EQ(order.size(), 3u);
  EXPECT_NE(order[0].find("Medium -> Large"), std::string::npos) << order[0];
  EXPECT_EQ(order[1], "database 1 -> 3 for phase Large");
  EXPECT_EQ(order[2], "redis 1 -> 3 for phase Large");
  EXPECT_EQ(d.last.Find("app")->min, 5);
  EXPECT_EQ(d.last.Find("app")->max, 10);
  EXPECT_EQ(d.state.workload_phase, "Large");

  order.clear();
  d.Metric("users", 5000);
  d.Metric("cpu", 80);  // keeps the app large until the bounds shrink
  for (int i = 0; i < 80; ++i) {
    d.Step(15s);
    record();
    if (d.last.Find("database")->change) {
      EXPECT_EQ(d.Current("redis"), 1);
    }
    if (d.Current("redis") < 3) {
      EXPECT_LE(d.Current("app"), 5) << "workloads shrink first";
    }
  }
  ASSERT_EQ(order.size(), 3u);
  EXPECT_NE(order[0].find("Large -> Medium"), std::string::npos);
  EXPECT_EQ(order[1], "redis 3 -> 1 for phase Medium");
  EXPECT_EQ(order[2], "database 3 -> 1 for phase Medium");
}

TEST(Edges, DryRunDecidesButNeverWritesAndReportsOnce) {
  Spec s = Storefront();
  s.mode = Mode::kDryRun;
  Driver d(s);
  d.Metric("users", 50000);
  d.Metric("cpu", 90);
  d.Metric("p95", 0.3);
  d.Metric("backlog", 100);
  d.Metric("jobWait", 1);
  d.Replicas("app", 6);
  d.Replicas("worker", 6);
  d.Step();
  EXPECT_TRUE(d.last.dry_run);
  EXPECT_EQ(d.last.FindCondition("AbleToScale")->reason, "DryRun");
  ASSERT_TRUE(d.last.topology_step);
  int would = 0;
  for (int i = 0; i < 40; ++i) {
    d.Step(15s);
    for (const auto& c : d.last.components) EXPECT_FALSE(c.change) << c.name;
    for (const auto& e : d.last.events) would += e.reason == "WouldScaleUp";
  }
  EXPECT_EQ(d.Current("app"), 6);
  EXPECT_EQ(d.Current("database"), 1);
  EXPECT_EQ(d.last.Find("app")->desired, 8) << "ceil(6 x 90/70)";
  EXPECT_EQ(would, 1) << "the same would-be decision is reported once";
}

// Numbers the API admits (or an engine caller passes) never wrap around.
TEST(Numbers, HugeCountsAndLimitsDoNotOverflow) {
  constexpr int kMost = std::numeric_limits<int>::max();
  Spec s;
  s.metrics = {"cpu"};
  s.resource_metrics = {{"cpu", "app"}};  // the app's own CPU: it sizes the step
  Component c;
  c.name = "app";
  c.replicas = Bounds{1, kMost};
  c.scale_up = RuleSet{false, {Above("cpu", 70)}};
  c.scale_down = RuleSet{false, {Below("cpu", 30)}};
  c.up = Limits{kMost, 1000, Duration{0}, Duration{0}};
  c.down = Limits{kMost, 100, Duration{0}, Duration{0}};
  s.components = {c};
  Observed o;
  o.metrics["cpu"] = {1e300, T0(), ""};
  o.targets["app"] = {true, 2'000'000'000, 2'000'000'000, ""};
  Decision up = Evaluate(s, o, State{}, T0());
  EXPECT_EQ(up.Find("app")->desired, kMost) << up.Find("app")->reason;
  o.metrics["cpu"] = {1e-300, T0(), ""};
  Decision down = Evaluate(s, o, State{}, T0());
  EXPECT_GE(down.Find("app")->desired, 1) << down.Find("app")->reason;
  EXPECT_LT(down.Find("app")->desired, 2'000'000'000);
}

// The rate limit is a budget per period, whatever triggers the evaluations
// (Gearbox's own write requeues the policy at once); a change not made spends none of it.
TEST(RateLimits, ABudgetPerPeriodNotPerEvaluation) {
  Spec s;
  s.interval = 60s;
  s.metrics = {"cpu"};
  s.resource_metrics = {{"cpu", "worker"}};  // proportional: it asks for ceil(50 x 5 / 30) = 9
  Component c;
  c.name = "worker";
  c.replicas = Bounds{2, 100};
  c.scale_down = RuleSet{false, {Below("cpu", 30)}};
  c.down = Limits{1, 10, Duration{0}, Duration{0}};  // the period: the interval, 60 s
  s.components = {c};
  Observed o;
  o.metrics["cpu"] = {5, T0(), ""};
  o.targets["worker"] = {true, 50, 50, ""};
  State state;
  Time now = T0();
  Decision r = Evaluate(s, o, state, now);
  ASSERT_EQ(r.Find("worker")->desired, 45) << "50 - max(1, 10% of 50)";
  state = r.state;
  for (int i = 1; i <= 10; ++i) {  // ten requeues within the period, as the target changes
    o.targets["worker"] = {true, 45, 45, ""};
    r = Evaluate(s, o, state, now + i * 100ms);
    EXPECT_EQ(r.Find("worker")->desired, 45)
        << "evaluation " << i << ": " << r.Find("worker")->reason;
    state = r.state;
  }
  r = Evaluate(s, o, state, now + 60s);
  EXPECT_EQ(r.Find("worker")->desired, 41) << "a new period: 45 - max(1, 10% of 45) = 41";
  // A write that was not made does not spend the budget: the same step is allowed again.
  State fresh = r.state;
  State kept = Commit(state, r, Applied{{"worker"}});
  o.targets["worker"] = {true, 45, 45, ""};
  Decision again = Evaluate(s, o, kept, now + 60s + 100ms);
  EXPECT_EQ(again.Find("worker")->desired, 41) << again.Find("worker")->reason;
  Decision spent = Evaluate(s, o, fresh, now + 60s + 100ms);
  EXPECT_EQ(spent.Find("worker")->desired, 45) << "had it been written, the budget would be spent";
}

TEST(Numbers, AForTooLongForMillisecondsIsAnError) {
  auto huge = ParseDuration("9999999999999h");
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("too long"), std::string::npos) << huge.error().message;
  EXPECT_EQ(*ParseDuration("24h"), std::chrono::hours(24));
}

TEST(Durations, ParseAndFormat) {
  EXPECT_EQ(*ParseDuration("15s"), Duration{15000});
  EXPECT_EQ(*ParseDuration("5m"), Duration{300000});
  EXPECT_EQ(*ParseDuration("1h30m"), Duration{5400000});
  EXPECT_EQ(*ParseDuration("500ms"), Duration{500});
  EXPECT_EQ(*ParseDuration("1.5h"), Duration{5400000});
  auto minutes = ParseDuration("5min");
  ASSERT_FALSE(minutes);
  EXPECT_NE(minutes.error().message.find("unknown unit \"min\""), std::string::npos);
  EXPECT_FALSE(ParseDuration("5 minutes"));
  auto bare = ParseDuration("10");
  ASSERT_FALSE(bare);
  EXPECT_NE(bare.error().message.find("missing unit"), std::string::npos);
  EXPECT_FALSE(ParseDuration(""));
  EXPECT_EQ(FormatDuration(Duration{0}), "0s");
  EXPECT_EQ(FormatDuration(Duration{300000}), "5m");
  EXPECT_EQ(FormatDuration(Duration{5400000}), "1h30m");
  EXPECT_EQ(FormatDuration(Duration{150000}), "2m30s");
  EXPECT_EQ(FormatDuration(Duration{1500}), "1.5s");
  EXPECT_EQ(FormatDuration(Duration{250}), "250ms");
}

TEST(StatusJson, TimesRoundTrip) {
  Time t = T0() + 1234ms;
  EXPECT_EQ(FormatTime(t), "2024-10-04T00:00:01.234Z");
  EXPECT_EQ(ParseTime("2024-10-04T00:00:01.234Z"), t);
  EXPECT_EQ(ParseTime("2024-10-04T02:00:01.234+02:00"), t);
  EXPECT_EQ(ParseTime("2024-10-04T00:00:01Z"), T0() + 1s);
  EXPECT_FALSE(ParseTime("yesterday"));
  EXPECT_FALSE(ParseTime("2024-10-04T00:00:01"));
}

}  // namespace
}  // namespace gearbox::policy::testing
