// The policy object read into the engine's spec, and the status that carries the engine's state
// across a restart.
#include <gtest/gtest.h>

#include <cmath>

#include "reconcile/policy_spec.h"
#include "reconcile/status.h"

namespace gearbox::reconcile {
namespace {

using Json = web::json::value;
using namespace std::chrono_literals;

const char* kPolicy = R"json({
  "apiVersion": "gearbox.dev/v1alpha1", "kind": "ScalingPolicy",
  "metadata": {"name": "shop", "namespace": "prod", "uid": "u1", "generation": 3},
  "spec": {
    "interval": "10s", "mode": "DryRun",
    "sources": {"prometheus": {"url": "http://127.0.0.1:9090", "bearerTokenSecretRef": {"name": "p", "key": "t"}},
                "redis": {"url": "redis://127.0.0.1:6379/2", "timeout": "1s"}},
    "metrics": [{"name": "cpu", "resource": {"name": "cpu", "component": "app"}},
                {"name": "users", "prometheus": {"query": "sum(users)"}},
                {"name": "backlog", "queue": {"flavor": "bullmq", "name": "mail", "measure": "backlog", "prefix": "bull"}}],
    "components": [
      {"name": "app", "role": "workload", "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
       "replicas": {"min": 2, "max": 9},
       "scaleUp": {"anyOf": [{"metric": "cpu", "above": 70, "for": "5m", "perReplica": false}]},
       "scaleDown": {"allOf": [{"metric": "backlog", "below": 100, "perReplica": true}]},
       "behavior": {"scaleDown": {"maxPods": 2, "maxPercent": 10, "stabilizationWindow": "1m", "period": "30s"}}},
      {"name": "cache", "role": "topology",
       "target": {"apiVersion": "redis.redis.opstreelabs.in/v1beta2", "kind": "RedisCluster", "name": "c", "replicasField": "spec.clusterSize"}}],
    "phases": {"metric": "users", "hold": "2m", "list": [
      {"name": "Small", "upTo": 1000, "components": {"app": {"min": 2, "max": 3}, "cache": {"replicas": 1}}},
      {"name": "Big", "components": {"app": {"min": 4, "max": 9}, "cache": {"replicas": 3}}}]},
    "alerts": [{"name": "Backlog", "metric": "backlog", "above": 5000, "for": "1m", "severity": "Warning"}]
  }})json";

TEST(PolicySpec, ReadsEveryPart) {
  auto p = ParsePolicy(Json::parse(kPolicy));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->ns, "prod");
  EXPECT_EQ(p->generation, 3);
  EXPECT_EQ(p->spec.interval, 10s);
  EXPECT_EQ(p->spec.mode, policy::Mode::kDryRun);
  EXPECT_EQ(p->spec.metrics, (std::vector<std::string>{"cpu", "users", "backlog"}));
  ASSERT_TRUE(p->prometheus);
  EXPECT_EQ(p->prometheus->bearer_token->name, "p");
  EXPECT_EQ(p->redis->timeout, 1s);
  EXPECT_EQ(p->metrics[2].queue.flavor, "bullmq");
  const auto& app = p->spec.components[0];
  EXPECT_EQ(app.replicas->max, 9);
  EXPECT_EQ(app.scale_up->rules[0].for_, 5min);
  EXPECT_TRUE(app.scale_down->all_of);
  EXPECT_TRUE(app.scale_down->rules[0].per_replica);
  EXPECT_FALSE(app.scale_down->rules[0].above);
  EXPECT_EQ(app.down.max_pods, 2);
  EXPECT_EQ(app.down.stabilization_window, 1min);
  EXPECT_EQ(app.down.period, 30s);
  EXPECT_EQ(app.up.max_pods, 4) << "defaults where behavior says nothing";
  EXPECT_EQ(app.up.period, 0s) << "no period: the interval";
  EXPECT_EQ(p->spec.components[1].role, policy::Role::kTopology);
  EXPECT_EQ(p->targets.at("cache").replicas_field, "spec.clusterSize");
  EXPECT_EQ(p->spec.phases->hold, 2min);
  EXPECT_FALSE(p->spec.phases->list[1].up_to);
  EXPECT_EQ(*p->spec.phases->list[1].components.at("cache").replicas, 3);
  EXPECT_EQ(p->spec.alerts[0].for_, 1min);
}

TEST(PolicySpec, WhatTheSchemaCannotCatchIsAnError) {
  Json bad = Json::parse(kPolicy);
  bad["spec"]["components"][0]["scaleUp"]["anyOf"][0]["for"] = Json::string("5 minutes");
  auto wrong = ParsePolicy(bad);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("spec.components[0].scaleUp.anyOf[0].for"),
            std::string::npos)
      << wrong.error().message;
  auto none = ParsePolicy(Json::parse(R"({"metadata": {"name": "x"}})"));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("spec is missing"), std::string::npos)
      << none.error().message;
}

// The API's decode reads the object first: a field of the wrong JSON type, a required one missing
// or a value outside its enumeration is refused with its path, where it used to be read as its
// default or fail as "the spec cannot be read".
TEST(PolicySpec, AFieldOfTheWrongShapeIsRefusedWithItsPath) {
  Json bad = Json::parse(kPolicy);
  bad["spec"]["mode"] = Json::string("Sometimes");
  auto mode = ParsePolicy(bad);
  ASSERT_FALSE(mode);
  EXPECT_EQ(mode.error().message, "spec.mode must be Enforce or DryRun, not \"Sometimes\"");
  bad = Json::parse(kPolicy);
  bad["spec"]["components"][1].erase("target");
  auto target = ParsePolicy(bad);
  ASSERT_FALSE(target);
  EXPECT_EQ(target.error().message, "spec.components[1].target is required");
  bad = Json::parse(kPolicy);
  bad["spec"]["alerts"][0]["above"] = Json::string("5000");
  auto above = ParsePolicy(bad);
  ASSERT_FALSE(above);
  EXPECT_EQ(above.error().message, "spec.alerts[0].above must be a number");
}

// Found by the policy_spec fuzz target (tests/fuzz/corpus/policy_spec/generation_1e300.json):
// numbers JSON can hold but an int cannot are never converted (that overflow is undefined).
TEST(PolicySpec, NumbersOutOfRangeAreNeverConverted) {
  EXPECT_FALSE(ParsePolicy(Json::parse(R"({"metadata": {"generation": 1e300}, "spec": {}})")));
  Json odd = Json::parse(kPolicy);
  odd["metadata"]["generation"] = Json::number(1e300);
  auto huge = ParsePolicy(odd);
  ASSERT_TRUE(huge) << huge.error().message;
  EXPECT_EQ(huge->generation, 0) << "not an int64: unknown";
  Json bad = Json::parse(kPolicy);
  bad["spec"]["components"][0]["replicas"]["max"] = Json::number(1e300);
  auto wrong = ParsePolicy(bad);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("replicas.max must be an integer"), std::string::npos)
      << wrong.error().message;
}

TEST(Status, CarriesTheEngineStateAcrossARestart) {
  auto p = ParsePolicy(Json::parse(kPolicy));
  ASSERT_TRUE(p) << p.error().message;
  p->spec.mode = policy::Mode::kEnforce;
  policy::Observed obs;
  obs.metrics["cpu"] = {80, {}, ""};
  obs.metrics["users"] = {5000, {}, ""};
  obs.metrics["backlog"] = {500, {}, ""};  // 167 per replica: no scale-down
  obs.targets["app"] = {true, 3, 3, ""};
  obs.targets["cache"] = {true, 1, 1, ""};
  policy::Time t0 = policy::Time{} + std::chrono::hours(24 * 20000);
  policy::State state;
  state.phase = "Small";
  state.workload_phase = "Small";
  auto r = policy::Evaluate(p->spec, obs, state, t0);
  ASSERT_TRUE(r.pending_phase);
  std::map<std::string, MetricObservation> readings;
  readings.emplace("cpu", MetricObservation{metrics::Reading{80, ""}, t0});
  readings.emplace("users", MetricObservation{Error::Of(Error::Kind::kNoData, "no series"), t0});
  Json st = BuildStatus(Json::object(), r, readings, p->spec.metrics, 3, {}, t0);
  EXPECT_EQ(st.at("phase").as_string(), "Small");
  EXPECT_EQ(st.at("pendingPhase").at("name").as_string(), "Big");
  EXPECT_EQ(st.at("metrics").at(1).at("error").as_string(), "no series");
  EXPECT_EQ(st.at("metrics").at(2).at("error").as_string(), "not read");

  // Through JSON text, as the API server keeps it, and back.
  policy::State back = StateFromStatus(Json::parse(st.serialize()));
  EXPECT_EQ(back.timers, r.state.timers);
  EXPECT_EQ(back.phase, "Small");
  EXPECT_EQ(back.workload_phase, r.state.workload_phase);
  auto later = policy::Evaluate(p->spec, obs, back, t0 + 2min);
  EXPECT_EQ(later.phase, "Big") << "the hold ran on through the restart";

  // Unchanged but for the reading times: not a new status. A condition keeps its transition time.
  readings.at("cpu").time = t0 + 5s;
  Json again = BuildStatus(st, r, readings, p->spec.metrics, 3, {}, t0 + 5s);
  EXPECT_TRUE(SameStatus(st, again)) << st.serialize() << "\n" << again.serialize();
  readings.insert_or_assign("cpu", MetricObservation{metrics::Reading{81, ""}, t0 + 10s});
  Json changed = BuildStatus(st, r, readings, p->spec.metrics, 3, {}, t0 + 10s);
  EXPECT_FALSE(SameStatus(st, changed));
  Json overridden =
      BuildStatus(st, r, readings, p->spec.metrics, 3,
                  {{"AbleToScale", false, "ConflictingAutoscaler", "hpa web"}}, t0 + 10s);
  for (const auto& c : overridden.at("conditions").as_array()) {
    if (c.at("type").as_string() == "AbleToScale") {
      EXPECT_EQ(c.at("reason").as_string(), "ConflictingAutoscaler");
      EXPECT_EQ(c.at("lastTransitionTime").as_string(), policy::FormatTime(t0 + 10s));
    }
    if (c.at("type").as_string() == "Ready") {
      EXPECT_EQ(c.at("lastTransitionTime").as_string(), policy::FormatTime(t0));
    }
  }
}

// The ScalingPolicy cache keeps a status compacted: what a pass reads of it and a fingerprint of
// the whole. A pass must come out of it as it would of the whole status: the same next status
// (conditions' transition times, last decisions carried on), the same state after a restart, the
// same verdict on whether a new status differs.
TEST(Status, ACompactStatusServesAPassAsTheWholeOneWould) {
  auto p = ParsePolicy(Json::parse(kPolicy));
  ASSERT_TRUE(p) << p.error().message;
  policy::Observed obs;
  obs.metrics["cpu"] = {80, {}, ""};
  obs.metrics["users"] = {5000, {}, ""};
  obs.metrics["backlog"] = {500, {}, ""};
  obs.targets["app"] = {true, 3, 3, ""};
  obs.targets["cache"] = {true, 1, 1, ""};
  const policy::Time t0 = policy::Time{} + std::chrono::hours(24 * 20000);
  policy::State state;
  state.phase = "Small";
  auto r = policy::Evaluate(p->spec, obs, state, t0);
  std::map<std::string, MetricObservation> readings;
  readings.emplace("cpu", MetricObservation{metrics::Reading{80, ""}, t0});
  Json stored =
      Json::parse(BuildStatus(Json::object(), r, readings, p->spec.metrics, 3, {}, t0).serialize());
  stored["components"][0]["lastDecision"] = Json::parse(
      R"({"time":"2026-01-01T00:00:00Z","from":1,"to":2,"reason":"DryRun, not applied: cpu"})");
  const Json compact = CompactStatus(stored);
  ASSERT_TRUE(IsCompactStatus(compact));
  EXPECT_FALSE(compact.has_field("abstract")) << compact.serialize();
  EXPECT_LT(compact.serialize().size(), stored.serialize().size() / 2) << compact.serialize();

  const policy::State whole = StateFromStatus(stored), kept = StateFromStatus(compact);
  EXPECT_EQ(kept.timers, whole.timers);
  EXPECT_EQ(kept.phase, whole.phase);
  EXPECT_EQ(kept.workload_phase, whole.workload_phase);

  readings.at("cpu").time = t0 + 5s;
  const Json next = BuildStatus(compact, r, readings, p->spec.metrics, 3, {}, t0 + 5s);
  EXPECT_EQ(next.serialize(),
            BuildStatus(stored, r, readings, p->spec.metrics, 3, {}, t0 + 5s).serialize());
  EXPECT_TRUE(SameStatus(compact, next)) << "only the reading's time moved";
  readings.insert_or_assign("cpu", MetricObservation{metrics::Reading{81, ""}, t0 + 10s});
  EXPECT_FALSE(
      SameStatus(compact, BuildStatus(compact, r, readings, p->spec.metrics, 3, {}, t0 + 10s)));
  EXPECT_FALSE(IsCompactStatus(InvalidStatus(compact, 4, "InvalidSpec", "bad", t0)))
      << "the fingerprint is the cache's, never written";
}

// Readings alone do not rewrite the status on every pass (a CPU utilization moves by a few
// percent from one sample to the next: at 10,000 policies, hundreds of writes a second); any other
// change does at once, and readings 5 minutes old are written again.
TEST(Status, ReadingsAloneRewriteStatusOnlyOnceTheyAreOld) {
  policy::Decision r;
  const policy::Time t0 = policy::Time{} + std::chrono::hours(24 * 20000);
  auto status = [&](double cpu, policy::Time at, std::vector<ConditionOverride> overrides = {}) {
    std::map<std::string, MetricObservation> readings;
    readings.emplace("cpu", MetricObservation{metrics::Reading{cpu, ""}, at});
    return BuildStatus(Json::object(), r, readings, {"cpu"}, 1, overrides, at);
  };
  const Json written = Json::parse(status(50.0, t0).serialize());
  for (const Json& old : {written, CompactStatus(written)}) {
    EXPECT_FALSE(StatusNeedsWrite(old, status(50.0, t0 + 15s), t0 + 15s)) << "the same";
    EXPECT_FALSE(StatusNeedsWrite(old, status(56.0, t0 + 15s), t0 + 15s)) << "a reading alone";
    EXPECT_FALSE(StatusNeedsWrite(old, status(20.0, t0 + 4min), t0 + 4min)) << "a reading alone";
    EXPECT_TRUE(StatusNeedsWrite(old, status(50.6, t0 + 5min), t0 + 5min))
        << "the readings written are 5 minutes old";
    EXPECT_TRUE(StatusNeedsWrite(
        old, status(50.6, t0 + 15s, {{"AbleToScale", false, "ConflictingAutoscaler", "hpa web"}}),
        t0 + 15s))
        << "a condition changed: written at once, with the reading";
  }
  std::map<std::string, MetricObservation> unreadable;
  unreadable.emplace("cpu", MetricObservation{Error::Of(Error::Kind::kNoData, "no pods"), t0});
  EXPECT_TRUE(StatusNeedsWrite(
      written, BuildStatus(Json::object(), r, unreadable, {"cpu"}, 1, {}, t0 + 15s), t0 + 15s))
      << "a reading that fails is a change";
}

// A value JSON cannot carry never reaches status (it would make every status
// write fail); the metric reads as an error instead.
TEST(Status, NonFiniteValuesNeverReachJson) {
  policy::Decision r;
  std::map<std::string, MetricObservation> readings;
  readings.emplace("cpu", MetricObservation{metrics::Reading{std::nan(""), ""}, {}});
  readings.emplace("p95", MetricObservation{metrics::Reading{HUGE_VAL, ""}, {}});
  Json st = BuildStatus(Json::object(), r, readings, {"cpu", "p95"}, 1, {}, {});
  std::string text = st.serialize();
  EXPECT_EQ(text.find("nan"), std::string::npos) << text;
  EXPECT_EQ(text.find("inf"), std::string::npos) << text;
  EXPECT_EQ(st.at("metrics").at(0).at("error").as_string(), "not a finite number");
  EXPECT_NO_THROW(Json::parse(text));
}

}  // namespace
}  // namespace gearbox::reconcile
