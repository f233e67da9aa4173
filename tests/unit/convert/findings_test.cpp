// Issue 31's findings 1 to 6 on convert, each on a ScaledObject or an HPA of the shape KEDA's and
// Kubernetes' documentation use: a cron-only ScaledObject returns to its minimum, an hourly cron
// converts, paused-scale-in/out are carried over, what is dropped is said on stderr and in the
// exit status, one refused document does not stop the others, and the comments say what is so.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>

#include "backtest/policy_file.h"
#include "policy/policy.h"
#include "reconcile/policy_spec.h"
#include "run_convert.h"

namespace gearbox::convert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

YAML::Node Yaml(const Outcome& run) { return YAML::Load(run.out); }

// A ScaledObject named web on Deployment web at minReplicaCount `min`, with `triggers` (a YAML
// list, indented as spec's fields) and `rest` of its spec.
std::string ScaledObjectOnWeb(const std::string& triggers, const std::string& rest = "",
                              int min = 1) {
  return "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: web}\nspec:\n"
         "  scaleTargetRef: {name: web}\n  minReplicaCount: " +
         std::to_string(min) + "\n  triggers:\n" + triggers + rest;
}

reconcile::ParsedPolicy Parsed(const Outcome& run) {
  auto json = backtest::YamlToJson(run.out);
  EXPECT_TRUE(json.ok());
  auto parsed = reconcile::ParsePolicy(*json);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return *parsed;
}

// The replicas of the policy's one workload, evaluated every 15 s from `from` for an hour, its
// writes applied: the highest count and the last.
struct Replayed {
  int highest = 0;
  int last = 0;
};

Replayed Replay(const policy::Spec& spec, policy::Time from) {
  using namespace std::chrono_literals;
  const std::string& name = spec.components.at(0).name;
  policy::Observed observed;
  policy::State state;
  Replayed seen;
  for (policy::Time now = from; now < from + 1h; now += 15s) {
    observed.targets[name] = {true, seen.last, seen.last, ""};
    const policy::Decision result = policy::Evaluate(spec, observed, state, now);
    if (result.components.at(0).change) seen.last = result.components.at(0).desired;
    seen.highest = std::max(seen.highest, seen.last);
    state = policy::Commit(state, result, policy::Applied{});
  }
  return seen;
}

// Finding 1. KEDA's cron page: 10 replicas from :30 to :45 of every hour, minReplicaCount 0.
TEST(ConvertFinding1, ACronOnlyScaledObjectReturnsToItsMinimumWhenTheWindowCloses) {
  const Outcome run = Convert({FixturePath("so-cron-hourly.yaml")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Yaml(run)["spec"]["components"][0]["replicas"]["min"].as<int>(), 0);
  EXPECT_THAT(run.out, HasSubstr("min: 0  # minReplicaCount 0, as KEDA: the schedules raise it"));
  EXPECT_THAT(run.out, Not(HasSubstr("cpu and memory cannot be read")));
  policy::Spec spec = Parsed(run).spec;
  spec.mode = policy::Mode::kEnforce;
  // Asia/Kolkata is UTC+5:30: :30 to :45 local is :00 to :15 UTC. From 00:50Z, over the window
  // of 01:00Z and 35 minutes past its close (KEDA's HPA and the converted behavior both wait
  // 5 minutes before a scale-down).
  const Replayed seen = Replay(spec, policy::ParseTime("2026-11-30T00:50:00Z").value());
  EXPECT_EQ(seen.highest, 10) << "the window raised it";
  EXPECT_EQ(seen.last, 0) << "and it returned to 0 once the window closed";
}

TEST(ConvertFinding1, MinZeroWithCpuAndCronRestsAtOneAndSaysWhy) {
  const Outcome run = Convert({}, ScaledObjectOnWeb(R"yaml(
  - {type: cpu, metricType: Utilization, metadata: {value: "50"}}
  - {type: cron, metadata: {timezone: UTC, start: 0 8 * * *, end: 0 18 * * *, desiredReplicas: "4"}}
)yaml",
                                                    "", 0));
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Yaml(run)["spec"]["components"][0]["replicas"]["min"].as<int>(), 1);
  EXPECT_THAT(run.out, HasSubstr("KEDA rested at 0 between the cron windows, but the cpu or "
                                 "memory rules never take it below 1"));
}

// Finding 2. The hourly cron of KEDA's page is a window of 15 minutes every hour.
TEST(ConvertFinding2, AnHourlyCronIsAScheduleWithADuration) {
  const Outcome run = Convert({FixturePath("so-cron-hourly.yaml")});
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node schedule = Yaml(run)["spec"]["schedules"][0];
  EXPECT_EQ(schedule["start"].as<std::string>(), "30 * * * *");
  EXPECT_EQ(schedule["duration"].as<std::string>(), "15m");
  EXPECT_EQ(schedule["timeZone"].as<std::string>(), "Asia/Kolkata");
  EXPECT_EQ(schedule["components"]["my-deployment"]["min"].as<int>(), 10);
  EXPECT_THAT(run.out, Not(HasSubstr("Not carried over")));
}

TEST(ConvertFinding2, ACronThatCannotBeAWindowNamesTheLimit) {
  const Outcome run = Convert({}, ScaledObjectOnWeb(R"yaml(  - type: cron
    metadata: {timezone: UTC, start: "0 * * * *", end: "0 17 * * *", desiredReplicas: "4"}
)yaml"));
  EXPECT_EQ(run.code, 3);
  EXPECT_THAT(run.err, HasSubstr("(cron 0 * * * * to 0 17 * * *): a schedule opens at a cron and "
                                 "stays open a fixed duration; the hours * and 17 differ"));
  EXPECT_THAT(run.err, Not(HasSubstr("same shape")));
}

// Finding 3. keda.sh, "Pause autoscaling": paused-scale-in and paused-scale-out, with `rest`
// appended to the spec.
std::string PausedConsumer(const std::string& scale_in, const std::string& scale_out,
                           const std::string& rest = "") {
  return R"yaml(
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: consumer
  annotations:
    autoscaling.keda.sh/paused-scale-in: ")yaml" +
         scale_in + "\"\n    autoscaling.keda.sh/paused-scale-out: \"" + scale_out + R"yaml("
spec:
  scaleTargetRef: {name: consumer}
  minReplicaCount: 1
  maxReplicaCount: 10
  triggers:
  - {type: cpu, metricType: Utilization, metadata: {value: "60"}}
)yaml" + rest;
}

TEST(ConvertFinding3, PausedScaleInDisablesScaleDownOnly) {
  const Outcome run = Convert({}, PausedConsumer("true", "false"));
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node behavior = Yaml(run)["spec"]["components"][0]["behavior"];
  EXPECT_EQ(behavior["scaleDown"]["selectPolicy"].as<std::string>(), "Disabled");
  EXPECT_EQ(behavior["scaleUp"]["selectPolicy"].as<std::string>(), "Max")
      << "\"false\": not paused";
  EXPECT_THAT(run.out, HasSubstr("selectPolicy: Disabled  # KEDA's "
                                 "autoscaling.keda.sh/paused-scale-in: no scale-down while "
                                 "Disabled"));
  EXPECT_FALSE(Yaml(run)["metadata"]["annotations"]) << "not a pause of the whole policy";
  Parsed(run);  // the reconciler's parser takes it
}

TEST(ConvertFinding3, PausedScaleOutDisablesAGivenScaleUpBlock) {
  const std::string so = PausedConsumer(
      "false", "true",
      "  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleUp:\n"
      "          policies: [{type: Pods, value: 2, periodSeconds: 60}]\n");
  const Outcome run = Convert({}, so);
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node behavior = Yaml(run)["spec"]["components"][0]["behavior"];
  EXPECT_EQ(behavior["scaleUp"]["selectPolicy"].as<std::string>(), "Disabled");
  EXPECT_EQ(behavior["scaleUp"]["policies"][0]["value"].as<int>(), 2) << "its policies kept";
  EXPECT_EQ(behavior["scaleDown"]["selectPolicy"].as<std::string>(), "Max");
}

// Finding 4. keda.sh's "Pause autoscaling" ScaledObject with a RabbitMQ trigger Gearbox cannot
// read (over AMQP, its host in a Secret): the policy is printed, the dropped trigger is a line on
// stderr, and the exit status is 3 unless --allow-partial.
TEST(ConvertFinding4, ADroppedTriggerIsALineOnStderrAndExitThree) {
  const Outcome run = Convert({FixturePath("so-paused.yaml")});
  EXPECT_EQ(run.code, 3);
  EXPECT_THAT(run.out, HasSubstr("kind: ScalingPolicy"));
  EXPECT_THAT(run.err, HasSubstr("so-paused.yaml: document 1 (ScaledObject consumer): not carried "
                                 "over: spec.triggers[1] (rabbitmq tasks): KEDA read the host "
                                 "from a Secret or the environment, protocol amqp"));
  const Outcome allowed = Convert({"--allow-partial", FixturePath("so-paused.yaml")});
  EXPECT_EQ(allowed.code, 0);
  EXPECT_EQ(allowed.out, run.out);
  EXPECT_THAT(allowed.err, HasSubstr("not carried over: spec.triggers[1] (rabbitmq tasks)"))
      << "still said";
}

TEST(ConvertFinding4, ADroppedFieldIsALineOnStderrToo) {
  const Outcome run = Convert(
      {},
      ScaledObjectOnWeb("  - {type: redis, metadata: {address: \"redis:6379\", listName: jobs}}\n",
                        "  advanced: {restoreToOriginalReplicaCount: true}\n"));
  EXPECT_EQ(run.code, 3);
  EXPECT_THAT(run.err, HasSubstr("stdin: document 1 (ScaledObject web): not carried over: "
                                 "spec.advanced.restoreToOriginalReplicaCount"));
}

TEST(ConvertFinding4, WhatIsCarriedOverExactlyExitsZeroWithNothingOnStderr) {
  const Outcome run = Convert({FixturePath("hpa-cpu.yaml")});
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.err, "");
}

// Finding 5. A file of three documents, the second refused: the first and third are printed, the
// second is named on stderr, and the exit status says a document was refused.
TEST(ConvertFinding5, ARefusedDocumentDoesNotStopTheOthers) {
  const Outcome run = Convert({}, R"yaml(
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: php-apache}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php-apache}
  minReplicas: 1
  maxReplicas: 10
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: broken}
spec: {scaleTargetRef: {kind: Deployment, name: broken}}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: redis-scaledobject}
spec:
  scaleTargetRef: {name: worker}
  triggers: [{type: redis, metadata: {address: "redis:6379", listName: mylist}}]
)yaml");
  EXPECT_EQ(run.code, 2);
  EXPECT_THAT(run.err, HasSubstr("stdin: document 2 (HorizontalPodAutoscaler broken): "
                                 "spec.maxReplicas is required"));
  EXPECT_THAT(run.out, HasSubstr("name: php-apache"));
  EXPECT_THAT(run.out, HasSubstr("name: redis-scaledobject"));
  EXPECT_EQ(YAML::LoadAll(run.out).size(), 2u);
}

TEST(ConvertFinding5, AnUnreadableFileDoesNotStopTheOthers) {
  const Outcome run = Convert({"/nonexistent/hpa.yaml", FixturePath("hpa-cpu.yaml")});
  EXPECT_EQ(run.code, 2);
  EXPECT_THAT(run.err, HasSubstr("/nonexistent/hpa.yaml: cannot be read"));
  EXPECT_THAT(run.out, HasSubstr("name: php-apache"));
}

// Finding 6. The HPA walkthrough's External metric (queue_messages_ready, kubernetes.io): one
// value from outside the cluster, not a sum over the pods.
TEST(ConvertFinding6, AnExternalMetricIsNotSaidToBeSummedOverThePods) {
  const Outcome run = Convert({FixturePath("hpa-v2-multi.yaml")});
  ASSERT_EQ(run.code, 3) << run.err;  // the adapter metrics' PromQL is to be written
  EXPECT_THAT(run.out, HasSubstr("the PromQL of the External metric queue_messages_ready, one "
                                 "value from outside the cluster, not per pod"));
  EXPECT_THAT(run.out, Not(HasSubstr("queue_messages_ready summed")));
  EXPECT_THAT(run.out, HasSubstr("Pods metric packets-per-second summed over the target's pods"));
}

// A prometheus trigger with `metadata` (its serverAddress, and how it authenticates) and a
// TriggerAuthentication (not given to convert).
std::string AuthenticatedPrometheus(const std::string& metadata) {
  return ScaledObjectOnWeb(
      "  - type: prometheus\n    metadata: {query: \"sum(rate(http_requests_total[2m]))\", "
      "threshold: \"100\", " +
      metadata + "}\n    authenticationRef: {name: keda-prometheus-creds}\n");
}

// The managed Prometheus services and a client certificate used to be told to use
// bearerTokenSecretRef / caSecretRef, which cannot express them: now each is carried over (the
// whole mapping is in prometheus_auth_test.cpp), and the policy parses with its auth mode.
TEST(ConvertFinding6, CloudAndCertificateAuthenticationIsCarriedOverNotMisdirected) {
  const std::pair<std::string, std::string> cases[] = {
      {"serverAddress: 'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1', "
       "awsRegion: us-east-1",
       "sigv4"},
      {"serverAddress: 'https://monitoring.googleapis.com/v1/projects/p/location/global/"
       "prometheus'",
       "google"},
      {"serverAddress: 'https://ws-1.eastus.prometheus.monitor.azure.com'", "azure"},
  };
  for (const auto& [metadata, mode] : cases) {
    const Outcome run = Convert({}, AuthenticatedPrometheus(metadata));
    EXPECT_EQ(run.code, 0) << metadata << run.err;
    EXPECT_TRUE(Yaml(run)["spec"]["sources"]["prometheus"]["auth"][mode]) << run.out;
    EXPECT_THAT(run.out, Not(HasSubstr("bearerTokenSecretRef")));
    EXPECT_TRUE(Parsed(run).prometheus->auth) << metadata;
  }
}

TEST(ConvertFinding6, ATriggerAuthenticationNotGivenToConvertIsNamedWithTheFieldsToSet) {
  const Outcome run = Convert(
      {}, AuthenticatedPrometheus("serverAddress: 'http://prometheus:9090', authModes: bearer"));
  EXPECT_EQ(run.code, 3) << run.err;  // the policy reads nothing until the token is set
  EXPECT_THAT(run.err, HasSubstr("not carried over: spec.sources.prometheus.url: KEDA "
                                 "authenticated through TriggerAuthentication"));
  EXPECT_THAT(run.out, HasSubstr("which convert was not given (give it in the same run to carry "
                                 "its Secrets over): set bearerTokenSecretRef to its Secrets"));
}

// keda.sh's Redis Streams page: a consumer group's pending entries (another number than
// Gearbox's lag + pending: refused, saying so), and the stream's length (Gearbox's measure
// length: converted).
TEST(ConvertFinding6, RedisStreamsSaysHowTheNumbersDiffer) {
  const Outcome run = Convert({}, ScaledObjectOnWeb(R"yaml(  - type: redis-streams
    metadata: {address: "redis:6379", stream: my-stream, consumerGroup: my-consumer-group, pendingEntriesCount: "10"}
  - type: redis-streams
    metadata: {address: "redis:6379", stream: my-stream, streamLength: "50"}
)yaml"));
  EXPECT_EQ(run.code, 3);
  EXPECT_THAT(run.err, HasSubstr("spec.triggers[0] (redis-streams): KEDA sized on consumer group "
                                 "my-consumer-group's pending entries (XPENDING); Gearbox "
                                 "measures a stream's length (measure: length) or a group's lag "
                                 "+ pending entries (queue {flavor: stream, group}), not either "
                                 "alone"));
  EXPECT_THAT(run.err, Not(HasSubstr("spec.triggers[1]")));
  EXPECT_THAT(run.out, HasSubstr("measure: length"));
  EXPECT_THAT(run.err, Not(HasSubstr("no such source")));
}

}  // namespace
}  // namespace gearbox::convert::testing
