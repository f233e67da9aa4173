// The topology stage's waits: a step in flight longer than topologyStepTimeout
// is reported and written again, never skipped; a shrink step is in flight until the removed
// instances are gone and the rest ready, so the next step never overlaps it.
#include <gtest/gtest.h>

#include <algorithm>

#include "policy/policy.h"
#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

Observed Quiet(double users) {
  Observed o;
  for (const auto& [name, v] : std::map<std::string, double>{{"cpu", 50},
                                                             {"p95", 0.3},
                                                             {"backlog", 500},
                                                             {"jobWait", 10},
                                                             {"users", users},
                                                             {"dbCpu", 50},
                                                             {"redisMemory", 50},
                                                             {"errorRate", 1}})
    o.metrics[name] = MetricReading{v, T0(), ""};
  o.targets["app"] = {true, 5, 5, ""};
  o.targets["worker"] = {true, 5, 5, ""};
  return o;
}

const Condition* Find(const Decision& r, const std::string& type) {
  auto it = std::find_if(r.conditions.begin(), r.conditions.end(),
                         [&](const Condition& c) { return c.type == type; });
  return it == r.conditions.end() ? nullptr : &*it;
}

bool Has(const Decision& r, const std::string& reason) {
  return std::any_of(r.events.begin(), r.events.end(),
                     [&](const Event& e) { return e.reason == reason; });
}

// Large, the database growing 1 -> 3 since T0 and only 1 of 3 ready.
State GrowingDatabase() {
  State s;
  s.phase = "Large";
  s.workload_phase = "Medium";
  s.in_flight = InFlight{"database", 1, 3, T0()};
  return s;
}

TEST(Topology, AStepNotReadyWithinItsTimeoutIsReportedAndWrittenAgain) {
  const Spec spec = Storefront();  // topologyStepTimeout: the default 10m
  Observed o = Quiet(50000);
  o.targets["database"] = {true, 3, 1, ""};
  o.targets["redis"] = {true, 1, 1, ""};

  Decision before = Evaluate(spec, o, GrowingDatabase(), T0() + 9min + 59s);
  EXPECT_FALSE(before.topology_step);
  EXPECT_FALSE(Has(before, "TopologyStepTimedOut"));
  EXPECT_EQ(Find(before, "AbleToScale")->reason, "TopologyChangeInFlight");

  const Time now = T0() + 10min;
  Decision r = Evaluate(spec, o, GrowingDatabase(), now);
  ASSERT_TRUE(r.topology_step);
  EXPECT_EQ(r.topology_step->component, "database");
  EXPECT_EQ(r.topology_step->to, 3) << "the same step, written again; never the next one";
  ASSERT_TRUE(Has(r, "TopologyStepTimedOut"));
  for (const Event& e : r.events) {
    if (e.reason != "TopologyStepTimedOut") continue;
    EXPECT_EQ(e.type, "Warning");
    EXPECT_EQ(e.note,
              "database not ready at 3 after 10m (1 ready; topologyStepTimeout 10m): writing 3 "
              "again");
  }
  const Condition* able = Find(r, "AbleToScale");
  EXPECT_FALSE(able->status);
  EXPECT_EQ(able->reason, "TopologyStepTimedOut");
  ASSERT_TRUE(r.state.in_flight);
  EXPECT_EQ(r.state.in_flight->retries, 1);
  EXPECT_EQ(r.state.in_flight->since, now) << "the timeout counts again from the new write";
  EXPECT_FALSE(Has(r, "TopologyResize")) << "redis waits its turn";

  // Ready at last: the step completes and the redis step is next.
  State next = Commit(GrowingDatabase(), r, Applied{});
  o.targets["database"] = {true, 3, 3, ""};
  Decision done = Evaluate(spec, o, next, now + 1min);
  EXPECT_TRUE(Has(done, "TopologyReady"));
  ASSERT_TRUE(done.topology_step);
  EXPECT_EQ(done.topology_step->component, "redis");
  EXPECT_TRUE(Find(done, "AbleToScale")->status);
}

// The Warning is deduplicated like every Event: once per timeout, not each evaluation
// while the step is still not ready.
TEST(Topology, Issue14_TheTimeoutWarningIsNotRepeatedEachEvaluation) {
  const Spec spec = Storefront();
  Observed o = Quiet(50000);
  o.targets["database"] = {true, 3, 1, ""};
  o.targets["redis"] = {true, 1, 1, ""};
  State s = GrowingDatabase();
  int warnings = 0;
  for (Time now = T0() + 10min; now < T0() + 19min + 59s; now += 15s) {
    const Decision r = Evaluate(spec, o, s, now);
    warnings += Has(r, "TopologyStepTimedOut");
    s = Commit(s, r, Applied{});
  }
  EXPECT_EQ(warnings, 1);
  const Decision again = Evaluate(spec, o, s, T0() + 20min);
  EXPECT_TRUE(Has(again, "TopologyStepTimedOut")) << "the next timeout is reported";
}

TEST(Topology, TheTimeoutComesFromTheSpec) {
  Spec spec = Storefront();
  spec.topology_step_timeout = 30s;
  Observed o = Quiet(50000);
  o.targets["database"] = {true, 3, 1, ""};
  o.targets["redis"] = {true, 1, 1, ""};
  EXPECT_TRUE(Has(Evaluate(spec, o, GrowingDatabase(), T0() + 30s), "TopologyStepTimedOut"));
}

// A step is never retried without its target read in this pass.
TEST(Topology, AnUnreadableTargetIsNotWrittenAgain) {
  Observed o = Quiet(50000);
  o.targets["database"] = {false, 0, 0, "403"};
  o.targets["redis"] = {true, 1, 1, ""};
  Decision r = Evaluate(Storefront(), o, GrowingDatabase(), T0() + 1h);
  EXPECT_FALSE(r.topology_step);
  EXPECT_FALSE(Has(r, "TopologyStepTimedOut"));
}

// Medium again: redis shrinks 3 -> 1 first (reverse order), then the database 3 -> 1.
TEST(Topology, AShrinkStepWaitsUntilTheRemovedInstancesAreGone) {
  State s;
  s.phase = "Medium";
  s.workload_phase = "Medium";
  s.in_flight = InFlight{"redis", 3, 1, T0()};
  Observed o = Quiet(5000);
  o.targets["app"] = {true, 4, 4, ""};
  o.targets["worker"] = {true, 4, 4, ""};
  o.targets["database"] = {true, 3, 3, ""};
  o.targets["redis"] = {true, 1, 3, ""};  // the spec says 1; the two removed are still up

  Decision settling = Evaluate(Storefront(), o, s, T0() + 1min);
  EXPECT_FALSE(settling.topology_step) << "the database must not shrink while redis settles";
  EXPECT_FALSE(Has(settling, "TopologyReady"));
  ASSERT_TRUE(settling.state.in_flight);
  EXPECT_EQ(settling.state.in_flight->component, "redis");

  o.targets["redis"] = {true, 1, 1, ""};
  Decision settled = Evaluate(Storefront(), o, s, T0() + 2min);
  EXPECT_TRUE(Has(settled, "TopologyReady"));
  ASSERT_TRUE(settled.topology_step);
  EXPECT_EQ(settled.topology_step->component, "database");
  EXPECT_EQ(settled.topology_step->to, 1);
}

}  // namespace
}  // namespace gearbox::policy::testing
