// status.abstract, the Replicas and Metrics columns, and the Warning Event of a metric that cannot
// be read: the exact lines a person reads in kubectl describe, for the situations that matter
// (scaling up, held at a bound, a metric missing, a phase pending, DryRun).
#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

using Lines = std::vector<std::string>;

// The lines of the storefront's metrics that stay calm in these cases (CalmMedium).
const Lines kCalmTail = {
    "backlog 500: not > 1000 (worker up, 166.7 per replica); not < 100 (worker down, 166.7 "
    "per replica); not > 10000 (alert QueueBacklog)",
    "jobWait 5: not > 60 (worker up)",
    "users 5000",
    "dbCpu 1: not > 80 (alert DatabaseCPU)",
    "redisMemory 1: not > 90 (alert RedisMemory)",
    "errorRate 1: not > 5 (alert ErrorRate)"};
const std::string kCalmP95 =
    "p95 0.3: not > 0.5 (app up); not < 0.2 (app down); not > 1 (alert "
    "SlowResponses)";
const Lines kCalmWorkers = {"worker 3 (3..5): no rule fires",
                            "database 1: at the size of phase Medium",
                            "redis 1: at the size of phase Medium"};

Lines Concat(std::initializer_list<Lines> parts) {
  Lines out;
  for (const Lines& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Calm Medium, app's cpu above 70: counting toward its 5m (how long, of how long), then the step.
TEST(Summary, ScalingUp) {
  Driver d = CalmMedium(3);
  d.Metric("cpu", 80);
  d.Step(15s);
  d.Run(3min);
  EXPECT_EQ(d.last.summary,
            Concat({{"Phase Medium: users 5000 < 10000, >= 1000",
                     "app 3 (3..5): counting: scaleUp cpu > 70 for 3m of 5m"},
                    kCalmWorkers,
                    {"cpu 80: > 70 for 3m of 5m (app up); not < 30 (app down)", kCalmP95},
                    kCalmTail}));
  d.Run(2min);
  EXPECT_EQ(d.last.summary[1], "app 3 → 4 (3..5): cpu 80 above 70 for 5m");
  EXPECT_EQ(d.last.summary[5], "cpu 80: > 70 for 5m met (app up); not < 30 (app down)");
  EXPECT_EQ(d.last.replica_counts, "app 3/4 worker 3/3 database 1 redis 1");
  EXPECT_EQ(d.last.metric_values, "cpu 80 p95 0.3 backlog 500 jobWait 5 users 5000")
      << "the metrics of rules and phases; not those only alerts read";
}

TEST(Summary, HeldAtABound) {
  Driver d = CalmMedium(5);
  d.Metric("cpu", 95);
  d.Run(6min);
  EXPECT_EQ(d.last.summary[1],
            "app 5 (3..5): cpu 95 above 70 for 5m; already at the maximum of 3..5 (phase Medium)");
  EXPECT_EQ(d.last.summary[5], "cpu 95: > 70 for 5m met (app up); not < 30 (app down)");
  EXPECT_EQ(d.last.replica_counts, "app 5/5 worker 3/3 database 1 redis 1");
}

// A component whose scale-down rules fire at its minimum: held there, and nothing else (the step
// limit of a move it cannot make is not news).
TEST(Summary, HeldAtTheMinimumSaysOnlyThat) {
  Driver d = CalmMedium(3);
  d.Metric("backlog", 0);
  d.Run(2min);
  EXPECT_EQ(d.last.summary[2],
            "worker 3 (3..5): backlog per replica 0 below 100; stays at 3 (held at the minimum "
            "of 3..5 (phase Medium))");
}

// A metric that cannot be read: since when and why, a ? in the column, and the component's
// reason names it.
TEST(Summary, MetricMissing) {
  Driver d = CalmMedium(3);
  d.Missing("p95", "prometheus: connection refused");
  d.Step(15s);
  d.Step(15s);
  EXPECT_EQ(d.last.summary,
            Concat({{"Phase Medium: users 5000 < 10000, >= 1000",
                     "app 3 (3..5): no rule fires (p95 unavailable)"},
                    kCalmWorkers,
                    {"cpu 50: not > 70 (app up); not < 30 (app down)",
                     "p95 unavailable since 00:00:15Z: prometheus: connection refused"},
                    kCalmTail}));
  EXPECT_EQ(d.last.metric_values, "cpu 50 p95 ? backlog 500 jobWait 5 users 5000");
}

// A phase change waiting for its hold: to which, when, and on what condition.
TEST(Summary, PhasePending) {
  Driver d = CalmMedium(3);
  d.Metric("users", 20000);
  d.Step(15s);
  d.Step(2min);
  EXPECT_EQ(d.last.summary[0],
            "Phase Medium, to Large in 8m (at 00:10:15Z) if it holds: users 20000 < 100000, >= "
            "10000");
  EXPECT_EQ(d.last.summary[9], "users 20000");
  d.Step(1600ms);  // what is left, to the second: not "7m58.4s"
  EXPECT_EQ(d.last.summary[0],
            "Phase Medium, to Large in 7m58s (at 00:10:15Z) if it holds: users 20000 < 100000, >= "
            "10000");
}

// The topology grows first: the workloads keep the bounds of the phase before until it is ready.
TEST(Summary, PhaseChangedTopologyFirst) {
  Driver d = CalmMedium(3);
  d.ready_after = 100;  // the database never gets ready within the test
  d.Metric("users", 20000);
  d.Run(10min + 30s);
  EXPECT_EQ(d.last.summary[0],
            "Phase Large: users 20000 < 100000, >= 10000; the workloads keep the bounds of Medium "
            "until the topology is ready");
  EXPECT_EQ(d.last.summary[3], "database 3 (1 ready): waiting for database to be ready: 1/3 ready");
  EXPECT_EQ(d.last.replica_counts, "app 3/3 worker 3/3 database 3 redis 1/3")
      << "redis waits its turn: it is to be 3";
}

TEST(Summary, DryRun) {
  Driver d = CalmMedium(5);
  d.spec.mode = Mode::kDryRun;
  d.Replicas("app", 8);  // above Medium's maximum: it would lower it
  d.Step(15s);
  EXPECT_EQ(d.last.summary,
            Concat({{"DryRun: nothing is written; a count after → is what it would set",
                     "Phase Medium: users 5000 < 10000, >= 1000",
                     "app 8 → 5 (3..5): above the maximum of 3..5 (phase Medium)"},
                    kCalmWorkers,
                    {"cpu 50: not > 70 (app up); not < 30 (app down)", kCalmP95},
                    kCalmTail}));
  EXPECT_EQ(d.last.replica_counts, "app 8/5 worker 3/3 database 1 redis 1");
}

TEST(Summary, AlertFiring) {
  Driver d = CalmMedium(3);
  d.Metric("errorRate", 7.00012);  // rounded as status.alerts has it
  d.Step(15s);
  EXPECT_EQ(d.last.summary.back(), "Alert ErrorRate: errorRate 7 above 5, firing since 00:00:15Z");
  EXPECT_EQ(d.last.summary[d.last.summary.size() - 2],
            "errorRate 7: > 5 met (alert ErrorRate fires)");
}

// The values as status.metrics has them: 4 significant digits, so noise shows (and rewrites
// status) no more there than there.
TEST(Summary, ValuesAreRoundedAsStatusHasThem) {
  Driver d = CalmMedium(3);
  d.Metric("cpu", 49.99871);
  d.Metric("p95", 0.0678612);
  d.Step(15s);
  EXPECT_EQ(d.last.metric_values, "cpu 50 p95 0.068 backlog 500 jobWait 5 users 5000")
      << "then at most 3 decimals, as every number of the reasons";
  EXPECT_EQ(d.last.summary[5], "cpu 50: not > 70 (app up); not < 30 (app down)");
}

TEST(Summary, ConditionLinesOnlyThoseNotInTheirGoodState) {
  const std::vector<Condition> conditions = {
      {"Ready", true, "Evaluated", "evaluated"},
      {"MetricsAvailable", false, "MetricUnavailable", "p95: refused"},
      {"AbleToScale", false, "ConflictingAutoscaler", "app is also driven by HPA web"},
      {"ScalingLimited", true, "TooFewReplicas", "app wants 1, held at 2"},
      {"AlertFiring", true, "AlertsFiring", "ErrorRate"}};
  EXPECT_EQ(ConditionLines(conditions),
            Lines{"AbleToScale False (ConflictingAutoscaler): app is also driven by HPA web"});
}

int Count(const Decision& r, EventKind kind) {
  return static_cast<int>(std::count_if(r.events.begin(), r.events.end(),
                                        [&](const Event& e) { return e.kind == kind; }));
}

// A metric that cannot be read is a Warning when it becomes unreadable; not again while
// it stays so, nor after a restart (its timer is durable); again if it fails after a recovery.
TEST(UnreadableMetric, AWarningWhenItBecomesUnreadableOnly) {
  Driver d = CalmMedium(3);
  EXPECT_EQ(Count(d.last, EventKind::kMetricUnavailable), 0);
  d.Missing("p95", "prometheus: connection refused");
  d.Step(15s);
  ASSERT_EQ(Count(d.last, EventKind::kMetricUnavailable), 1);
  const Event& e = d.last.events.back();
  EXPECT_EQ(e.type, "Warning");
  EXPECT_EQ(e.reason, "FailedGetMetric");
  EXPECT_EQ(e.note, "p95 cannot be read: prometheus: connection refused");
  EXPECT_EQ(e.component, "");
  d.Run(5min);
  EXPECT_EQ(Count(d.last, EventKind::kMetricUnavailable), 0) << "not once per evaluation";

  State restarted;  // what StateFromStatus gives back: the timers and the phases
  restarted.timers = d.state.timers;
  restarted.phase = d.state.phase;
  restarted.workload_phase = d.state.workload_phase;
  EXPECT_EQ(d.state.timers.count("unavailable/p95"), 1u);
  d.state = restarted;
  d.Step(15s);
  EXPECT_EQ(Count(d.last, EventKind::kMetricUnavailable), 0) << "not again after a restart";

  d.Metric("p95", 0.3);
  d.Step(15s);
  EXPECT_EQ(Count(d.last, EventKind::kMetricUnavailable), 0) << "nothing on recovery, as the HPA";
  EXPECT_EQ(d.state.timers.count("unavailable/p95"), 0u);
  d.Missing("p95", "timeout");
  d.Step(15s);
  EXPECT_EQ(Count(d.last, EventKind::kMetricUnavailable), 1) << "unreadable again";
}

}  // namespace
}  // namespace gearbox::policy::testing
