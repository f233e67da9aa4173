// The reconciler, one pass at a time, table-driven in the manner of the HPA's horizontal_test.go:
// each case is the policy, the objects the API server holds (and how it answers), the value or
// error each metric source gives, and the clock; it asserts the exact target writes, the Events,
// the conditions written to status and what the pass asks of the work queue. A case may run
// several passes (15 s apart); the assertions are about the last one.
#include <gtest/gtest.h>

#include <functional>

#include "../../lib/metric_samples.h"
#include "reconciler_world.h"

namespace gearbox::testing {
namespace {

using kube::Json;
using Outcome = kube::ReconcileResult::Outcome;

const std::string kScale = "PATCH /apis/apps/v1/namespaces/shop/deployments/web/scale ";
const std::string kWorkerScale = "PATCH /apis/apps/v1/namespaces/shop/deployments/worker/scale ";
const std::string kDbScale = "PATCH /apis/postgresql.cnpg.io/v1/namespaces/shop/clusters/db/scale ";
const std::string kRedisPatch =
    "PATCH /apis/redis.redis.opstreelabs.in/v1beta2/namespaces/shop/redisclusters/cache ";
const std::string kScalePath = "/apis/apps/v1/namespaces/shop/deployments/web/scale";
const std::string kWebPath = "/apis/apps/v1/namespaces/shop/deployments/web";
const std::string kPolicyPath =
    "/apis/gearbox.dev/v1alpha1/namespaces/shop/scalingpolicies/web-policy";

std::string Replicas(int n) { return R"({"spec":{"replicas":)" + std::to_string(n) + "}}"; }
const std::string kUp6 = kScale + Replicas(6);  // the write of most cases: app 4 -> 6

struct Case {
  std::string name;
  std::function<void(World&, int pass)> given;  // before each pass (0, 1, ...)
  int passes = 1;
  // About the last pass:
  std::vector<std::string> writes;                // exact target PATCHes, in order
  std::vector<std::string> events;                // each a prefix of the Event at its index
  std::map<std::string, std::string> conditions;  // type -> prefix of "Status/Reason: message"
  Outcome outcome = Outcome::kSuccess;
  std::optional<std::chrono::milliseconds> requeue = 15s;
  std::vector<std::string> calls;  // when given: exactly these "METHOD path", discovery aside
  std::function<void(World&)> also;
  std::chrono::milliseconds between = 15s;  // the clock moves this much between passes
};

// The app Deployment `web` at `replicas`, metrics cpu and p95 at the given values.
void App(World& w, int replicas, double cpu, double p95 = 0.1) {
  w.Deployment("web", replicas);
  w.metrics()["cpu"] = Value(cpu);
  w.metrics()["p95"] = Value(p95);
}

Json& Spec(World& w) { return w.policy()["spec"]; }

// The storefront's roadmap, small: app, a CloudNativePG Cluster `db` and a RedisCluster `cache`
// sized by the phase chosen by `users` (Small below 1000, then Large), held for `hold`.
void Roadmap(World& w, double users, const std::string& hold = "1m") {
  Json& spec = Spec(w);
  spec["metrics"][2] = Json::parse(R"({"name": "users", "prometheus": {"query": "users"}})");
  spec["components"][1] = World::Topology("database", "postgresql.cnpg.io/v1", "Cluster", "db");
  spec["components"][2] = World::Topology("redis", "redis.redis.opstreelabs.in/v1beta2",
                                          "RedisCluster", "cache", "spec.clusterSize");
  spec["phases"] = Json::parse(R"({"metric": "users", "hold": ")" + hold + R"(", "list": [
      {"name": "Small", "upTo": 1000,
       "components": {"app": {"min": 2, "max": 4}, "database": {"replicas": 1}, "redis": {"replicas": 1}}},
      {"name": "Large",
       "components": {"app": {"min": 2, "max": 10}, "database": {"replicas": 3}, "redis": {"replicas": 3}}}]})");
  w.metrics()["users"] = Value(users);
}

void Worker(World& w, int replicas, double backlog, bool per_replica = false) {
  Json& spec = Spec(w);
  spec["metrics"][spec["metrics"].size()] =
      Json::parse(R"({"name": "backlog", "prometheus": {"query": "backlog"}})");
  Json c = World::Workload("worker", "worker", 2, 10);
  c["scaleUp"]["anyOf"][0] = World::Rule("backlog", "above", 100);
  if (per_replica) c["scaleUp"]["anyOf"][0]["perReplica"] = Json::boolean(true);
  spec["components"][spec["components"].size()] = c;
  w.Deployment("worker", replicas);
  w.metrics()["backlog"] = Value(backlog);
}

void WriteFails(World& w, ScriptedResponse r, int times = -1) {
  w.api().On("PATCH", kScalePath, std::move(r), times);
}

// Deciding and writing
std::vector<Case> DecidingAndWritingCases() {
  return {
      {.name = "ScaleUpWhenCpuAboveThreshold",
       .given = [](World& w, int) { App(w, 4, 90); },
       .writes = {kUp6},
       .events = {"ScaledUp: app 4 -> 6: cpu 90 above 70"},
       .conditions = {{"AbleToScale", "True/ReadyForNewScale"}, {"Ready", "True"}}},
      {.name = "ScaleUpLimitedPerStep",
       .given = [](World& w, int) { App(w, 2, 280); },
       .writes = {kScale + Replicas(6)},
       .events = {"ScaledUp: app 2 -> 6: cpu 280 above 70 (limited to +4"}},
      {.name = "ScaleUpCappedAtMaximum",
       .given = [](World& w, int) { App(w, 9, 140); },
       .writes = {kScale + Replicas(10)},
       .events = {"ScaledUp: app 9 -> 10"},
       .conditions = {{"ScalingLimited", "True/TooManyReplicas"}}},
      {.name = "ScaleDownOnePodPerStep",
       .given = [](World& w, int) { App(w, 6, 10); },
       .writes = {kScale + Replicas(5)},
       .events = {"ScaledDown: app 6 -> 5: cpu 10 below 30 (limited to -1"}},
      {.name = "ScaleDownHeldAtMinimumWritesNothing",
       .given = [](World& w, int) { App(w, 2, 5); },
       .conditions = {{"ScalingLimited", "True/TooFewReplicas"}}},
      {.name = "NoRuleFiresNoWriteAtAll",
       .given = [](World& w, int) { App(w, 4, 50); },
       .conditions = {{"Ready", "True/Evaluated"}, {"MetricsAvailable", "True"}},
       .calls = {"LIST /apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
                 "GET /apis/apps/v1/namespaces/shop/deployments/web",
                 "PUT " + kPolicyPath + "/status"}},
      {.name = "SteadySecondPassWritesNeitherTargetNorStatus",
       .given = [](World& w, int) { App(w, 4, 50); },
       .passes = 2,
       .calls = {"LIST /apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
                 "GET /apis/apps/v1/namespaces/shop/deployments/web"}},
      // A Deployment's counts and an HPA come from the informer caches; a steady pass
      // asks the API server nothing at all (the first pass writes status, the second nothing).
      {.name = "SteadyPassFromTheCachesMakesNoRequest",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             w.UseCaches();
           },
       .passes = 2,
       .also = [](World& w) { EXPECT_EQ(w.Calls(), std::vector<std::string>{}); }},
      {.name = "BelowMinimumRaisedAtOnce",
       .given = [](World& w, int) { App(w, 1, 50); },
       .writes = {kScale + Replicas(2)},
       .events = {"ScaledUp: app 1 -> 2: below the minimum of 2..10"}},
      {.name = "AboveMaximumLoweredAtOnce",
       .given = [](World& w, int) { App(w, 15, 50); },
       .writes = {kScale + Replicas(10)},
       .events = {"ScaledDown: app 15 -> 10: above the maximum of 2..10"}},
      {.name = "PerReplicaRuleDividesByCurrent",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             Worker(w, 2, 500, true);
           },
       .writes = {kWorkerScale + Replicas(5)},
       .events = {"ScaledUp: worker 2 -> 5: backlog per replica 250 above 100"}},
      {.name = "ScaleDownHeldRightAfterScaleUp",
       .given = [](World& w, int pass) { App(w, pass == 0 ? 4 : 6, pass == 0 ? 90 : 10); },
       .passes = 2},
      {.name = "AnImmediateRequeueDoesNotSpendMoreThanTheBudget",
       // the demo's 50 -> 20 in 2 s
       .given = [](World& w, int pass) { App(w, pass == 0 ? 6 : 5, 10); },
       .passes = 2,
       .between = 200ms},
      {.name = "TheNextPeriodMayMoveAgain",
       .given = [](World& w, int pass) { App(w, pass == 0 ? 6 : 5, 10); },
       .passes = 2,
       .writes = {kScale + Replicas(4)},
       .events = {"ScaledDown: app 5 -> 4"}},
      {.name = "RequeueAtTheInterval",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             Spec(w)["interval"] = Json::string("1m");
           },
       .requeue = 60s},
      {.name = "RuleCountingRequeuesWhenItsForCompletes",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             Spec(w)["interval"] = Json::string("2m");
             Spec(w)["components"][0]["scaleUp"]["anyOf"][0] =
                 World::Rule("cpu", "above", 70, "30s");
           },
       .outcome = Outcome::kRequeue,
       .requeue = 30020ms},
  };
}

// DryRun
std::vector<Case> DryRunCases() {
  return {
      {.name = "DryRunReportsAndNeverWrites",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             Spec(w)["mode"] = Json::string("DryRun");
           },
       .events = {"WouldScaleUp: DryRun: app 4 -> 6: cpu 90 above 70"},
       .conditions = {{"AbleToScale", "True/DryRun"}}},
      {.name = "DryRunDoesNotRepeatItsEvent",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             Spec(w)["mode"] = Json::string("DryRun");
           },
       .passes = 2},
      {.name = "DryRunBelowMinimumNoWrite",
       .given =
           [](World& w, int) {
             App(w, 1, 50);
             Spec(w)["mode"] = Json::string("DryRun");
           },
       .events = {"WouldScaleUp: DryRun: app 1 -> 2"}},
  };
}

// Who else drives the target
std::vector<Case> OthersOnTheTargetCases() {
  return {
      {.name = "HpaOnTheTargetBlocksTheWrite",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.Hpa("web-hpa", "web");
           },
       .events =
           {"ConflictingAutoscaler: app is also driven by HorizontalPodAutoscaler web-hpa: Gearbox "
            "leaves it alone"},
       .conditions = {{"AbleToScale", "False/ConflictingAutoscaler"}}},
      {.name = "HpaInTheInformerCacheBlocksTheWrite",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.Hpa("web-hpa", "web");
             w.UseCaches();
           },
       .events = {"ConflictingAutoscaler: app is also driven by HorizontalPodAutoscaler web-hpa"},
       .conditions = {{"AbleToScale", "False/ConflictingAutoscaler"}},
       .calls = {"POST /apis/events.k8s.io/v1/namespaces/shop/events",
                 "PUT " + kPolicyPath + "/status"}},
      {.name = "HpaOnAnotherTargetIsNoConflict",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.Hpa("other-hpa", "other");
           },
       .writes = {kUp6},
       .events = {"ScaledUp: app 4 -> 6"}},
      // HPAs that cannot be listed may drive the target; Gearbox does not fight one.
      {.name = "HpasThatCannotBeListedHoldTheWrite",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.api().On("LIST", "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
                        ScriptedResponse::Status(403, "Forbidden"));
           },
       .events = {"ConflictingAutoscaler: app may be driven by a HorizontalPodAutoscaler (they "
                  "could not be "
                  "listed: "},
       .conditions = {{"AbleToScale", "False/ConflictingAutoscaler"}}},
      {.name = "OlderPolicyKeepsTheTarget",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.OtherPolicy("old", "web", "2025-12-01T00:00:00Z");
           },
       .events = {"ConflictingAutoscaler: app is also driven by ScalingPolicy old"},
       .conditions = {{"AbleToScale", "False/ConflictingAutoscaler"}}},
      {.name = "NewerPolicyDoesNotBlock",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.OtherPolicy("new", "web", "2026-02-01T00:00:00Z");
           },
       .writes = {kUp6},
       .events = {"ScaledUp: app 4 -> 6"}},
      // A conflict is a Warning when it starts, not one per pass while it lasts (the
      // recorder's series forgets after 10 minutes: without the check this pass posts again).
      {.name = "Issue14_AConflictIsReportedOnceWhileItLasts",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.Hpa("web-hpa", "web");
           },
       .passes = 2,
       .conditions = {{"AbleToScale", "False/ConflictingAutoscaler"}},
       .also =
           [](World& w) {
             const Json abstract = w.policy()["status"]["abstract"];
             const std::string last = abstract.as_array().at(abstract.size() - 1).as_string();
             EXPECT_EQ(last,
                       "AbleToScale False (ConflictingAutoscaler): app is also driven by "
                       "HorizontalPodAutoscaler web-hpa: Gearbox leaves it alone");
           },
       .between = 11min},
      {.name = "Issue14_AConflictThatReturnsIsReportedAgain",
       .given =
           [](World& w, int pass) {
             App(w, 4, pass == 1 ? 50 : 90);  // pass 1: no change due, so no conflict
             w.Hpa("web-hpa", "web");
           },
       .passes = 3,
       .events = {"ConflictingAutoscaler: app is also driven by HorizontalPodAutoscaler web-hpa"},
       .conditions = {{"AbleToScale", "False/ConflictingAutoscaler"}},
       .between = 11min},  // past the recorder's series window: a new Event, not a count
      {.name = "SameCreationTimeSmallerNameWins",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.OtherPolicy("a-tie", "web", "2026-01-01T00:00:00Z");
           },
       .events = {"ConflictingAutoscaler: app is also driven by ScalingPolicy a-tie"}},
  };
}

// Targets that cannot be read: no write
std::vector<Case> UnreadableTargetsCases() {
  return {
      {.name = "TargetMissing",
       .given =
           [](World& w, int) {
             w.metrics()["cpu"] = Value(90);
             w.metrics()["p95"] = Value(0.1);
           },
       .conditions = {{"Ready", "False/TargetNotFound: app: Deployment web not found in shop"}},
       .calls = {"LIST /apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
                 "GET /apis/apps/v1/namespaces/shop/deployments/web",
                 "PUT " + kPolicyPath + "/status"}},
      {.name = "TargetWithoutScaleAndNoReplicasField",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             Spec(w)["components"][1] = World::Topology(
                 "redis", "redis.redis.opstreelabs.in/v1beta2", "RedisCluster", "cache");
             w.RedisCluster("cache", 1, 1);
           },
       .conditions = {{"Ready", "False/TargetNotFound: redis: RedisCluster cache has no /scale"}}},
      {.name = "ScaleForbiddenMeansNoWrite",
       // the 6 -> 2 of a 403 read as 0 replicas
       .given =
           [](World& w, int) {
             App(w, 6, 50);
             w.api().On("GET", kWebPath, ScriptedResponse::Status(403));
           },
       .conditions = {{"Ready", "False/TargetNotFound: app: GET " + kWebPath + ": 403 Forbidden"}}},
      {.name = "ScaleServerErrorMeansNoWrite",
       .given =
           [](World& w, int) {
             App(w, 6, 90);
             w.api().On("GET", kWebPath, ScriptedResponse::Status(500));
           },
       .conditions = {{"Ready", "False/TargetNotFound"}}},
      {.name = "ScaleTimeoutMeansNoWrite",
       .given =
           [](World& w, int) {
             App(w, 6, 90);
             w.api().On("GET", kWebPath, ScriptedResponse::Fail(Error::Kind::kTimeout));
           },
       .conditions = {{"Ready", "False/TargetNotFound"}}},
      {.name = "ReplicasFieldMissingMeansNoWrite",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             Roadmap(w, 5000);
             w.PostgresCluster("db", 3, 3);
             w.RedisCluster("cache", -1, 1);  // no spec.clusterSize
           },
       .events = {"PhaseSelected: phase Large"},
       .conditions = {{"Ready",
                       "False/TargetNotFound: redis: RedisCluster cache has no integer at "
                       "spec.clusterSize"}}},
  };
}

// The topology, one step at a time
std::vector<Case> TopologyCases() {
  return {
      {.name = "TopologyGrowsTheDatabaseFirst",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             Roadmap(w, 5000);
             w.PostgresCluster("db", 1, 1);
             w.RedisCluster("cache", 1, 1);
           },
       .writes = {kDbScale + Replicas(3)},
       .events = {"PhaseSelected: phase Large: users 5000 >= 1000",
                  "TopologyResize: database 1 -> 3 for phase Large"},
       .conditions = {{"AbleToScale", "True/TopologyChangeInFlight"}},
       .outcome = Outcome::kRequeue,
       .requeue = 2s},
      {.name = "TopologyStepInFlightWaitsForReady",
       .given =
           [](World& w, int pass) {
             App(w, 4, 50);
             Roadmap(w, 5000);
             w.PostgresCluster("db", pass == 0 ? 1 : 3, 1);
             w.RedisCluster("cache", 1, 1);
           },
       .passes = 2,
       .conditions = {{"AbleToScale", "True/TopologyChangeInFlight"}},
       .outcome = Outcome::kRequeue,
       .requeue = 2s},
      {.name = "TopologyNextStepOnceTheFirstIsReady",
       .given =
           [](World& w, int pass) {
             App(w, 4, 50);
             Roadmap(w, 5000);
             w.PostgresCluster("db", pass == 0 ? 1 : 3, pass == 0 ? 1 : 3);
             w.RedisCluster("cache", 1, 1);
           },
       .passes = 2,
       .writes = {kRedisPatch + R"({"spec":{"clusterSize":3}})"},
       .events = {"TopologyReady: database ready at 3/3",
                  "TopologyResize: redis 1 -> 3 for phase Large"},
       .outcome = Outcome::kRequeue,
       .requeue = 2s},
      {.name = "TopologyShrinksInReverseOrder",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             Roadmap(w, 50);
             w.PostgresCluster("db", 3, 3);
             w.RedisCluster("cache", 3, 3);
           },
       .writes = {kRedisPatch + R"({"spec":{"clusterSize":1}})"},
       .events = {"PhaseSelected: phase Small: users 50 < 1000",
                  "TopologyResize: redis 3 -> 1 for phase Small"},
       .outcome = Outcome::kRequeue,
       .requeue = 2s},
      // One deadline per evaluation. The HPA list answers after 20 s (longer
      // than the 5 s Prometheus timeout + 1 s + 10 s for the API reads): nothing is written.
      {.name = "ATooSlowEvaluationWritesNothing",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.api().On("LIST", "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
                        ScriptedResponse::Ok(Json::parse(R"({"items": []})")).After(20s));
           },
       .events = {"EvaluationTooSlow: this evaluation took 20s, longer than its deadline of 16s"},
       .conditions = {{"AbleToScale", "False/EvaluationTooSlow"}},
       .outcome = Outcome::kError,
       .requeue = 5s},
      {.name = "TopologyWriteFailedIsNotInFlight",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             Roadmap(w, 5000);
             w.PostgresCluster("db", 1, 1);
             w.RedisCluster("cache", 1, 1);
             w.api().On("PATCH", "/apis/postgresql.cnpg.io/v1/namespaces/shop/clusters/db/scale",
                        ScriptedResponse::Status(500));
           },
       .writes = {kDbScale + Replicas(3)},
       .events = {"ScaleFailed: database 1 -> 3", "PhaseSelected"},
       .conditions = {{"AbleToScale", "False/FailedUpdateScale"}},
       .outcome = Outcome::kError,
       .requeue = 5s,
       .also =
           [](World& w) {
             EXPECT_FALSE(w.policy()["status"].has_field("topology") &&
                          w.policy()["status"]["topology"].has_field("inFlight"))
                 << w.policy()["status"].serialize();
           }},
      {.name = "TopologyStepRetriedAfterAFailedWrite",
       .given =
           [](World& w, int pass) {
             App(w, 4, 50);
             Roadmap(w, 5000);
             w.PostgresCluster("db", 1, 1);
             w.RedisCluster("cache", 1, 1);
             if (pass == 0)
               w.api().On("PATCH", "/apis/postgresql.cnpg.io/v1/namespaces/shop/clusters/db/scale",
                          ScriptedResponse::Status(500), 1);
           },
       .passes = 2,
       .writes = {kDbScale + Replicas(3)},
       .events = {"TopologyResize: database 1 -> 3 for phase Large"},
       .conditions = {{"AbleToScale", "True/TopologyChangeInFlight"}},
       .outcome = Outcome::kRequeue,
       .requeue = 2s},
      // Past topologyStepTimeout (10m by default) the step is reported and written again.
      {.name = "TopologyStepTimedOutIsWrittenAgain",
       .given =
           [](World& w, int pass) {
             App(w, 4, 50);
             Roadmap(w, 5000);
             w.PostgresCluster("db", pass == 0 ? 1 : 3, 1);
             w.RedisCluster("cache", 1, 1);
             if (pass == 1) w.clock().Advance(10min);
           },
       .passes = 2,
       .writes = {kDbScale + Replicas(3)},
       .events = {"TopologyStepTimedOut: database not ready at 3 after 10m"},
       .conditions = {{"AbleToScale",
                       "False/TopologyStepTimedOut: database did not reach 3 ready replicas"}},
       .outcome = Outcome::kRequeue,
       .requeue = 2s},
  };
}

// Metrics that are missing
std::vector<Case> MissingMetricsCases() {
  return {
      {.name = "MissingMetricBlocksScaleDown",
       .given =
           [](World& w, int) {
             App(w, 6, 10);
             w.metrics()["p95"] = Failing(Error::Kind::kTransport, "connection refused");
             Spec(w)["components"][0]["scaleDown"] = Json::parse(
                 R"({"anyOf": [{"metric": "cpu", "below": 30}, {"metric": "p95", "below": 0.2}]})");
           },
       .events = {"FailedGetMetric: p95 cannot be read: connection refused"},
       .conditions = {{"MetricsAvailable", "False/MetricUnavailable: p95: connection refused"}},
       .also = [](World& w) { EXPECT_NE(w.Component("app")["desiredReplicas"].as_integer(), 5); }},
      {.name = "MissingMetricDoesNotBlockScaleUp",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.metrics()["p95"] = Failing(Error::Kind::kTimeout, "p95 timed out");
           },
       .writes = {kUp6},
       .events = {"ScaledUp: app 4 -> 6", "FailedGetMetric: p95 cannot be read: p95 timed out"},
       .conditions = {{"MetricsAvailable", "False/MetricUnavailable"}}},
      {.name = "MetricLaterThanTheDeadlineIsMissing",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             w.metrics()["cpu"] = Slow(90, 7s);  // the Prometheus timeout is 5 s: 6 s for the pass
           },
       .events = {"FailedGetMetric: cpu cannot be read: no answer within 6s",
                  "FailedGetMetric: p95 cannot be read: no answer within 6s"},
       .conditions = {{"MetricsAvailable", "False/MetricUnavailable: cpu: no answer within 6s"}}},
      {.name = "SecretMissingMakesItsMetricsMissing",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             Spec(w)["sources"]["prometheus"]["bearerTokenSecretRef"] =
                 Json::parse(R"({"name": "prom-token", "key": "token"})");
           },
       .events = {"FailedGetMetric: cpu cannot be read: prometheus: secret prom-token",
                  "FailedGetMetric: p95 cannot be read: prometheus: secret prom-token"},
       .conditions = {{"MetricsAvailable",
                       "False/MetricUnavailable: cpu: prometheus: secret prom-token"}}},
      {.name = "SecretIsReadFromThePolicysNamespace",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             Spec(w)["sources"]["prometheus"]["bearerTokenSecretRef"] =
                 Json::parse(R"({"name": "prom-token", "key": "token"})");
             w.Secret("prom-token", "token", "s3cret\n");
           },
       .writes = {kUp6},
       .events = {"ScaledUp: app 4 -> 6"},
       .conditions = {{"MetricsAvailable", "True"}},
       .also = [](World& w) { EXPECT_EQ(w.sources().last_bearer_token, "s3cret"); }},
      {.name = "SecretCreatedAfterThePolicyIsPickedUp",
       .given =
           [](World& w, int pass) {
             App(w, 4, 90);
             Spec(w)["sources"]["prometheus"]["bearerTokenSecretRef"] =
                 Json::parse(R"({"name": "prom-token", "key": "token"})");
             if (pass == 1) w.Secret("prom-token", "token", "s3cret");
           },
       .passes = 2,
       .writes = {kUp6},
       .events = {"ScaledUp: app 4 -> 6"},
       .conditions = {{"MetricsAvailable", "True"}},
       .also = [](World& w) { EXPECT_EQ(w.sources().last_bearer_token, "s3cret"); }},
      // The Secret watch (reconcile/secret_watches.h) reports a rotated token; the next pass
      // builds the sources with the new one.
      {.name = "RotatedSecretIsPickedUp",
       .given =
           [](World& w, int pass) {
             App(w, 4, 90);
             Spec(w)["sources"]["prometheus"]["bearerTokenSecretRef"] =
                 Json::parse(R"({"name": "prom-token", "key": "token"})");
             w.Secret("prom-token", "token", pass == 0 ? "old" : "rotated");
             if (pass == 1) w.reconciler().SecretChanged("shop/web-policy");
           },
       .passes = 2,
       .writes = {kUp6},
       .conditions = {{"MetricsAvailable", "True"}},
       .also = [](World& w) { EXPECT_EQ(w.sources().last_bearer_token, "rotated"); }},
      // Without a change reported, a pass does not read the Secret again.
      {.name = "UnchangedSecretIsNotReadAgain",
       .given =
           [](World& w, int pass) {
             App(w, 4, 90);
             Spec(w)["sources"]["prometheus"]["bearerTokenSecretRef"] =
                 Json::parse(R"({"name": "prom-token", "key": "token"})");
             w.Secret("prom-token", "token", pass == 0 ? "old" : "rotated");
           },
       .passes = 2,
       .writes = {kUp6},
       .conditions = {{"MetricsAvailable", "True"}},
       .also = [](World& w) { EXPECT_EQ(w.sources().last_bearer_token, "old"); }},
  };
}

// A metric that cannot be read is a Warning Event when it becomes unreadable, not one
// per pass; it is reported again after it was read in between.
std::vector<Case> UnreadableMetricEventCases() {
  return {
      {.name = "Issue14_UnreadableMetricIsAWarning",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             w.metrics()["p95"] = Failing(Error::Kind::kTransport, "connection refused");
           },
       .events = {"FailedGetMetric: p95 cannot be read: connection refused"},
       .conditions = {{"MetricsAvailable", "False/MetricUnavailable: p95: connection refused"}}},
      {.name = "Issue14_UnreadableMetricIsReportedOnce",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             w.metrics()["p95"] = Failing(Error::Kind::kTransport, "connection refused");
           },
       .passes = 2,
       .conditions = {{"MetricsAvailable", "False/MetricUnavailable: p95: connection refused"}},
       .between = 11min},
      {.name = "Issue14_UnreadableAgainAfterARecoveryIsReportedAgain",
       .given =
           [](World& w, int pass) {
             App(w, 4, 50);
             if (pass != 1) w.metrics()["p95"] = Failing(Error::Kind::kTimeout, "no answer");
           },
       .passes = 3,
       .events = {"FailedGetMetric: p95 cannot be read: no answer"},
       .between = 11min},  // past the recorder's series window: a new Event, not a count
      {.name = "Issue14_TheAbstractAndColumnsAreWritten",
       .given = [](World& w, int) { App(w, 4, 90); },
       .writes = {kUp6},
       .events = {"ScaledUp: app 4 -> 6"},
       .also =
           [](World& w) {
             const Json st = w.policy()["status"];
             EXPECT_EQ(st.at("replicaCounts").as_string(), "app 4/6");
             EXPECT_EQ(st.at("metricValues").as_string(), "cpu 90");
             std::vector<std::string> lines;
             for (const auto& line : st.at("abstract").as_array())
               lines.push_back(line.as_string());
             EXPECT_EQ(lines, (std::vector<std::string>{
                                  "app 4 → 6 (2..10): cpu 90 above 70",
                                  "cpu 90: > 70 met (app up); not < 30 (app down)", "p95 0.1"}));
           }},
  };
}

// Writes that fail
std::vector<Case> FailingWritesCases() {
  return {
      {.name = "WriteConflict409",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             WriteFails(w, ScriptedResponse::Status(409));
           },
       .writes = {kUp6},
       .events = {"ScaleFailed: app 4 -> 6: PATCH " + kScalePath + ": 409 Conflict"},
       .conditions = {{"AbleToScale", "False/FailedUpdateScale"}},
       .outcome = Outcome::kError,
       .requeue = 5s},
      {.name = "WriteForbidden403",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             WriteFails(w, ScriptedResponse::Status(403));
           },
       .writes = {kUp6},
       .events = {"ScaleFailed: app 4 -> 6: PATCH " + kScalePath + ": 403 Forbidden"},
       .conditions = {{"AbleToScale", "False/FailedUpdateScale"}},
       .outcome = Outcome::kError,
       .requeue = 5s},
      {.name = "WriteServerError500",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             WriteFails(w, ScriptedResponse::Status(500));
           },
       .writes = {kUp6},
       .events = {"ScaleFailed: app 4 -> 6"},
       .conditions = {{"AbleToScale", "False/FailedUpdateScale"}},
       .outcome = Outcome::kError,
       .requeue = 5s},
      {.name = "WriteTimeout",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             WriteFails(w, ScriptedResponse::Fail(Error::Kind::kTimeout));
           },
       .writes = {kUp6},
       .events = {"ScaleFailed: app 4 -> 6: timeout"},
       .conditions = {{"AbleToScale", "False/FailedUpdateScale"}},
       .outcome = Outcome::kError,
       .requeue = 5s,
       .also =
           [](World& w) {
             for (const auto& t : w.policy()["status"]["timers"].as_array())
               EXPECT_NE(t.at("key").as_string(), "app/lastScaleUp")
                   << "a failed write set a timer";
           }},
      {.name = "FailedWriteIsDecidedAgainNextPass",
       .given =
           [](World& w, int pass) {
             App(w, 4, 90);
             if (pass == 0) WriteFails(w, ScriptedResponse::Status(500), 1);
           },
       .passes = 2,
       .writes = {kUp6},
       .events = {"ScaledUp: app 4 -> 6: cpu 90 above 70"},
       .conditions = {{"AbleToScale", "True"}}},
      {.name = "OneComponentFailsTheOtherIsWritten",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             Worker(w, 2, 300);
             WriteFails(w, ScriptedResponse::Status(500));
           },
       // The worker's backlog is a total (not perReplica, no target): a gate, +50% at most.
       .writes = {kUp6, kWorkerScale + Replicas(3)},
       .events = {"ScaleFailed: app 4 -> 6", "ScaledUp: worker 2 -> 3: backlog 300 above 100"},
       .outcome = Outcome::kError,
       .requeue = 5s},
  };
}

// The policy itself
std::vector<Case> ThePolicyItselfCases() {
  return {
      {.name = "PolicyDeletedBeforeThePass",
       .given =
           [](World& w, int pass) {
             App(w, 4, 90);
             if (pass == 1) w.Delete();
           },
       .passes = 2,
       .requeue = std::nullopt,
       .also =
           [](World& w) {
             EXPECT_TRUE(w.Calls().empty()) << ::testing::PrintToString(w.Calls());
             EXPECT_EQ(w.reconciler().policies_held(), 0u) << "everything it held is released";
             EXPECT_EQ(SeriesCount(w.registry(), "", {{"policy", "web-policy"}}), 0u)
                 << "its metric series are gone";
           }},
      {.name = "PolicyDeletedMidPass",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             w.api().On("PUT", kPolicyPath + "/status", ScriptedResponse::Status(404));
           },
       .requeue = std::nullopt},
      {.name = "InvalidSpecIsReportedAndNothingIsRead",
       .given =
           [](World& w, int) {
             App(w, 4, 90);
             Spec(w)["components"][0]["scaleUp"]["anyOf"][0]["for"] = Json::string("5parsecs");
           },
       .events = {"InvalidSpec: spec.components[0].scaleUp.anyOf[0].for"},
       .conditions = {{"Ready", "False/InvalidSpec"}},
       .requeue = std::nullopt,
       .calls = {"POST /apis/events.k8s.io/v1/namespaces/shop/events",
                 "PUT " + kPolicyPath + "/status"},
       .also =
           [](World& w) {  // The summary says why rather than what was evaluated before
             const Json abstract = w.policy()["status"]["abstract"];
             ASSERT_EQ(abstract.size(), 2u);
             EXPECT_EQ(abstract.at(0).as_string().rfind(
                           "Ready False (InvalidSpec): spec.components[0]", 0),
                       0u);
             EXPECT_EQ(abstract.at(1).as_string(),
                       "AbleToScale False (InvalidSpec): the policy is not evaluated");
           }},
      {.name = "FixedSpecIsEvaluatedAgain",
       .given =
           [](World& w, int pass) {
             App(w, 4, 90);
             Spec(w)["components"][0]["scaleUp"]["anyOf"][0]["for"] =
                 Json::string(pass == 0 ? "5parsecs" : "0s");
             w.policy()["metadata"]["generation"] = Json::number(pass + 1);
           },
       .passes = 2,
       .writes = {kUp6},
       .events = {"ScaledUp: app 4 -> 6"},
       .conditions = {{"Ready", "True"}}},
      {.name = "PhasePendingRequeuesWhenTheHoldEnds",
       .given =
           [](World& w, int pass) {
             App(w, 4, 50);
             Roadmap(w, pass == 0 ? 50 : 5000, "10s");
             w.PostgresCluster("db", 1, 1);
             w.RedisCluster("cache", 1, 1);
           },
       .passes = 2,
       .events = {"PhasePending: Large in 10s if it holds"},
       .outcome = Outcome::kRequeue,
       .requeue = 10020ms},
      {.name = "AlertFiresOnce",
       .given =
           [](World& w, int) {
             App(w, 4, 50, 2.0);
             Spec(w)["alerts"] =
                 Json::parse(R"([{"name": "SlowResponses", "metric": "p95", "above": 1}])");
           },
       .events = {"AlertFiring: SlowResponses: p95 2 above 1"},
       .conditions = {{"AlertFiring", "True"}}},
      {.name = "AlertDoesNotRepeatItsEvent",
       .given =
           [](World& w, int) {
             App(w, 4, 50, 2.0);
             Spec(w)["alerts"] =
                 Json::parse(R"([{"name": "SlowResponses", "metric": "p95", "above": 1}])");
           },
       .passes = 2,
       .conditions = {{"AlertFiring", "True"}}},
      {.name = "StatusConflictIsRetriedOnTheFreshObject",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             w.api().On("PUT", kPolicyPath + "/status", ScriptedResponse::Status(409), 1);
             w.api().On("GET", kPolicyPath, ScriptedResponse::Ok(w.policy()));
           },
       .calls = {"LIST /apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
                 "GET /apis/apps/v1/namespaces/shop/deployments/web",
                 "PUT " + kPolicyPath + "/status", "GET " + kPolicyPath,
                 "PUT " + kPolicyPath + "/status"}},
      {.name = "StatusWriteFailureIsAnError",
       .given =
           [](World& w, int) {
             App(w, 4, 50);
             w.api().On("PUT", kPolicyPath + "/status", ScriptedResponse::Status(500));
           },
       .outcome = Outcome::kError,
       .requeue = 5s},
  };
}

std::vector<Case> Cases() {
  std::vector<Case> all;
  for (auto group : {DecidingAndWritingCases, DryRunCases, OthersOnTheTargetCases,
                     UnreadableTargetsCases, TopologyCases, MissingMetricsCases,
                     UnreadableMetricEventCases, FailingWritesCases, ThePolicyItselfCases}) {
    auto cases = group();
    all.insert(all.end(), cases.begin(), cases.end());
  }
  return all;
}

// CTest and GoogleTest name a case by its name, not by its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ReconcilerTable : public ::testing::TestWithParam<Case> {};

void ExpectPrefixes(const std::vector<std::string>& actual, const std::vector<std::string>& want,
                    const char* what) {
  ASSERT_EQ(actual.size(), want.size()) << what << ":\n" << ::testing::PrintToString(actual);
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(actual[i].substr(0, want[i].size()), want[i]) << what << " " << i;
}

std::vector<std::string> MethodsAndPaths(const std::vector<std::string>& calls) {
  std::vector<std::string> out;
  for (const auto& c : calls) out.push_back(c.substr(0, c.find(' ', c.find(' ') + 1)));
  return out;
}

TEST_P(ReconcilerTable, Pass) {
  const Case& c = GetParam();
  World w;
  kube::ReconcileResult result;
  for (int pass = 0; pass < c.passes; ++pass) {
    if (pass > 0) w.clock().Advance(c.between);
    c.given(w, pass);
    result = w.Pass();
  }
  EXPECT_EQ(w.Writes(), c.writes);
  ExpectPrefixes(w.Events(), c.events, "events");
  for (const auto& [type, want] : c.conditions)
    EXPECT_EQ(w.Condition(type).substr(0, want.size()), want) << type << ": " << w.Condition(type);
  EXPECT_EQ(kube::ReconcileResult::OutcomeName(result.outcome),
            std::string(kube::ReconcileResult::OutcomeName(c.outcome)))
      << result.error;
  EXPECT_EQ(result.requeue_after, c.requeue);
  if (!c.calls.empty()) {
    EXPECT_EQ(MethodsAndPaths(w.Calls()), c.calls);
  }
  if (c.also) c.also(w);
}

INSTANTIATE_TEST_SUITE_P(Reconciler, ReconcilerTable, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

// 10,000 policies found at start must not all fall due in the same instant every
// interval: as the controller makes it, the reconciler sends a policy's first pass back after a
// share of 0.5..1.5 of the interval that its name chooses, and the passes after it at the interval.
TEST(ReconcilerSpread, OnlyTheFirstRequeueIsSpreadOverTheInterval) {
  World w;
  w.SpreadFirstRequeue();
  App(w, 4, 50);
  auto first = w.Pass().requeue_after;
  ASSERT_TRUE(first);
  EXPECT_GE(*first, 7500ms);
  EXPECT_LT(*first, 22500ms);
  w.clock().Advance(*first);
  EXPECT_EQ(w.Pass().requeue_after, 15s);
  World fresh;  // the same name: the same share
  fresh.SpreadFirstRequeue();
  App(fresh, 4, 50);
  EXPECT_EQ(fresh.Pass().requeue_after, first);
}

}  // namespace
}  // namespace gearbox::testing
