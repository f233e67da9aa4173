// The fast path (engine.h): a compiled spec, state and observations by slot, words on demand.
// It decides exactly what Evaluate() decides, its Commit() keeps exactly the state Commit() keeps,
// the status keys of the timers are the ones existing clusters hold, and the causes and numbers
// of a decision are there without reading its words.
#include <cmath>

#include "policy/engine.h"
#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

// Metrics that move so that timers start, fire and reset, phases change, alerts fire; now and
// then a metric is missing.
void Load(Observed& o, long i, Time now) {
  const double x = static_cast<double>(i);
  const double phase = std::sin(x / 300.0);
  auto set = [&](const char* name, double v) {
    if (i % 89 == 7 && std::string(name) == "cpu") {
      o.metrics[name] = MetricReading{std::nullopt, now, "metrics.k8s.io: no metrics"};
    } else {
      o.metrics[name] = MetricReading{v, now, ""};
    }
  };
  set("users", 50000 + 49900 * phase);
  set("cpu", 50 + 40 * std::sin(x / 37.0));
  set("p95", 0.3 + 0.25 * std::sin(x / 51.0));
  set("backlog", 4000 + 7000 * std::sin(x / 29.0));
  set("jobWait", 30 + 40 * std::sin(x / 23.0));
  set("dbCpu", 70 + 20 * phase);
  set("redisMemory", 85 + 10 * std::sin(x / 41.0));
  set("errorRate", 4 + 2 * std::sin(x / 13.0));
}

// Runs the map forms (Evaluate, Commit) and the slot forms (Engine) side by side, the API
// refusing every seventh write, and compares every result and every committed state.
void RunSideBySide(const Spec& spec) {
  const Engine engine(spec);
  Observed observed;
  for (const auto& c : spec.components) observed.targets[c.name] = TargetReading{true, 1, 1, ""};
  observed.targets["app"] = {true, 5, 5, ""};
  observed.targets["worker"] = {true, 5, 5, ""};
  State state;
  IndexedState indexed = engine.Index(state);
  Evaluation e;
  Time now = T0();
  long writes = 0, refused = 0;
  for (long i = 0; i < 3000; ++i) {
    now += i % 5 == 2 ? 1s : 15s;
    Load(observed, i, now);
    const Decision slow = Evaluate(spec, observed, state, now);
    const IndexedObserved in = engine.Index(observed);
    engine.Evaluate(in, indexed, now, e);
    ASSERT_EQ(engine.Render(e, in), slow) << "evaluation " << i;
    Applied applied;
    for (const auto& d : slow.components) {
      if (!d.change) continue;
      if (++writes % 7 == 0) {
        applied.not_applied.push_back(d.name);
        ++refused;
        continue;
      }
      auto& t = observed.targets[d.name];
      t.current = d.desired;
      t.ready = d.role == Role::kTopology && i % 3 ? t.ready : d.desired;
    }
    state = Commit(state, slow, applied);
    engine.Commit(indexed, applied, e);
    ASSERT_EQ(engine.Export(e.state), state) << "evaluation " << i;
    std::swap(indexed, e.state);
  }
  EXPECT_TRUE(spec.mode == Mode::kDryRun || refused > 10) << refused << " writes refused";
}

TEST(Engine, DecidesAndCommitsAsEvaluate) { RunSideBySide(Storefront()); }

TEST(Engine, DecidesAndCommitsAsEvaluateInDryRunAndWithTightLimits) {
  Spec dry = Storefront();
  dry.mode = Mode::kDryRun;
  RunSideBySide(dry);
  Spec tight = Storefront();
  tight.components[0].up = Limits{1, 10, 10min, Duration{0}};
  tight.components[1].down = Limits{3, 10, 30s, 1min};
  tight.phases->hold = 1min;
  RunSideBySide(tight);
}

TEST(Engine, TimersKeepTheKeysStatusHolds) {
  const Engine engine(Storefront());
  for (const char* key : {"app/scaleUp/0/cpu", "app/scaleUp/1/p95", "app/scaleDown/0/cpu",
                          "worker/scaleUp/0/backlog", "app/lastScaleUp", "worker/lastScaleDown",
                          "phase/Large", "alert/QueueBacklog", "alertFiring/QueueBacklog"}) {
    const int slot = engine.TimerSlot(key);
    ASSERT_GE(slot, 0) << key;
    EXPECT_EQ(engine.TimerKey(slot), key);
  }
  State s;
  s.timers["app/scaleUp/0/cpu"] = T0();
  s.timers["alertFiring/ErrorRate"] = T0() + 1s;
  s.timers["gone/scaleUp/0/cpu"] = T0();  // a component the spec no longer has
  s.phase = "Large";
  s.workload_phase = "Medium";
  s.in_flight = InFlight{"redis", 1, 3, T0()};
  State back = engine.Export(engine.Index(s));
  s.timers.erase("gone/scaleUp/0/cpu");
  EXPECT_EQ(back, s);
}

TEST(Engine, CausesAndNumbersWithoutTheWords) {
  const Engine engine(Storefront());
  IndexedObserved in = engine.NewObserved();
  for (size_t m = 0; m < engine.metric_count(); ++m) in.metrics[m] = MetricReading{1, T0(), ""};
  const int worker = engine.ComponentSlot("worker");
  for (auto& t : in.targets) t = TargetReading{true, 1, 1, ""};
  in.targets[static_cast<size_t>(engine.ComponentSlot("app"))] = {true, 10, 10, ""};
  in.targets[static_cast<size_t>(worker)] = {true, 10, 10, ""};
  in.metrics[static_cast<size_t>(engine.MetricSlot("users"))].value = 50000;     // Large
  in.metrics[static_cast<size_t>(engine.MetricSlot("backlog"))].value = 100000;  // 10000/worker
  IndexedState state = engine.Index(State{});
  state.phase = state.workload_phase = 2;  // Large, the topology at its size
  for (const char* c : {"database", "redis"})
    in.targets[static_cast<size_t>(engine.ComponentSlot(c))] = {true, 3, 3, ""};
  Evaluation e;
  engine.Evaluate(in, state, T0(), e);
  const ComponentOutcome& d = e.components[static_cast<size_t>(worker)];
  EXPECT_EQ(d.cause, Cause::kScaleUpRulesFired);
  EXPECT_EQ(d.recommended, 100);  // ceil(100000 / 1000)
  EXPECT_EQ(d.desired, 10);
  EXPECT_EQ(d.limits, unsigned{kLimitedPerStep | kCappedAtMaximum});
  EXPECT_EQ(d.step_allowed, 10);  // max(maxPods 4, 100% of 10)
  EXPECT_EQ(d.bounds_from, BoundsFrom::kPhase);
  EXPECT_FALSE(d.change) << "already at the maximum";
  ASSERT_FALSE(e.events.empty());
  EXPECT_EQ(e.events[0].kind, EventKind::kAlertFiring);
  EXPECT_EQ(e.events[0].component, -1);
  EXPECT_EQ(engine.Reason(e, in, worker),
            "backlog per replica 10000 above 1000; already at the maximum of 5..10 (phase Large)")
      << "said once: no step limit or cap of a move that was not made";
  const ConditionStatus& limited = e.conditions[3];
  EXPECT_STREQ(limited.type, "ScalingLimited");
  EXPECT_STREQ(limited.reason, "TooManyReplicas");
}

TEST(Engine, AStateOfAnotherShapeIsFittedToTheSpec) {
  const Engine engine(Storefront());
  Observed o;
  Load(o, 0, T0());
  o.targets["app"] = {true, 3, 3, ""};
  const IndexedObserved in = engine.Index(o);
  Evaluation fitted, indexed;
  engine.Evaluate(in, IndexedState{}, T0(), fitted);
  engine.Evaluate(in, engine.Index(State{}), T0(), indexed);
  EXPECT_EQ(engine.Render(fitted, in), engine.Render(indexed, in));
  Evaluation again;
  engine.Evaluate(in, indexed.state, T0() + 15s, again);
  engine.Evaluate(in, fitted.state, T0() + 15s, fitted);  // its own state as `before`
  EXPECT_EQ(engine.Render(fitted, in), engine.Render(again, in));
}

}  // namespace
}  // namespace gearbox::policy::testing
