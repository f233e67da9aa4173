// The edge cases of convert through the command: defaults, the tolerance thresholds, what is
// commented rather than carried over, bad input (exit 2 and its message), an unreachable cluster
// (exit 1).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>

#include "run_convert.h"

namespace gearbox::convert::testing {
namespace {

using ::testing::HasSubstr;

YAML::Node Policy(const Outcome& run) { return YAML::Load(run.out); }

// An autoscaling/v2 HPA named web on Deployment web, with `rest` appended to its spec.
std::string HpaOnWeb(const std::string& rest) {
  return "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
         "spec:\n  scaleTargetRef: {kind: Deployment, name: web}\n" +
         rest;
}

const char* kHpaCpu70 = R"(
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: Web.Front}
  maxReplicas: 8
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
)";

TEST(ConvertHpa, ToleranceBecomesTheThresholdsAndTheTargetSizesTheStep) {
  const Outcome run = Convert({}, kHpaCpu70);
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node component = Policy(run)["spec"]["components"][0];
  EXPECT_EQ(component["scaleUp"]["allOf"][0]["above"].as<double>(), 77);
  EXPECT_EQ(component["scaleUp"]["allOf"][1]["above"].as<double>(), 70);
  EXPECT_EQ(component["scaleDown"]["allOf"][0]["below"].as<double>(), 63);
  EXPECT_THAT(run.out, HasSubstr("above: 77  # the HPA's 10% tolerance"));
}

TEST(ConvertHpa, DefaultsMinOneDryRunHpaBehaviorAndADnsLabel) {
  const Outcome run = Convert({}, kHpaCpu70);
  const YAML::Node policy = Policy(run);
  EXPECT_EQ(policy["metadata"]["name"].as<std::string>(), "web");
  EXPECT_EQ(policy["metadata"]["namespace"].as<std::string>(), "shop");
  EXPECT_EQ(policy["spec"]["mode"].as<std::string>(), "DryRun");
  const YAML::Node component = policy["spec"]["components"][0];
  EXPECT_EQ(component["name"].as<std::string>(), "web-front");
  EXPECT_EQ(component["replicas"]["min"].as<int>(), 1);
  EXPECT_EQ(component["behavior"]["scaleDown"]["stabilizationWindowSeconds"].as<int>(), 300);
  EXPECT_EQ(component["behavior"]["scaleUp"]["policies"].size(), 2u);
  EXPECT_THAT(run.out, HasSubstr("mode: DryRun  # run it next to the HorizontalPodAutoscaler"));
}

// An HPA without a behavior is scaled by the controller's older limit (horizontal.go,
// normalizeDesiredReplicas): up to max(2 x current, 4) per sync, down with no limit past the
// downscale window. The v2 defaults (+4 pods) would let 1 go to 5 and 2 to 6 where it went to 4.
TEST(ConvertHpa, WithoutABehaviorTheHpasOlderLimit) {
  const Outcome run = Convert({}, kHpaCpu70);
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node up = Policy(run)["spec"]["components"][0]["behavior"]["scaleUp"];
  EXPECT_EQ(up["selectPolicy"].as<std::string>(), "Max");
  ASSERT_EQ(up["policies"].size(), 2u);
  EXPECT_EQ(up["policies"][0]["type"].as<std::string>(), "Percent");
  EXPECT_EQ(up["policies"][0]["value"].as<int>(), 100);
  EXPECT_EQ(up["policies"][1]["type"].as<std::string>(), "Pods");
  EXPECT_EQ(up["policies"][1]["value"].as<int>(), 3);
  EXPECT_THAT(run.out, HasSubstr("value: 3  # max(2 x current, 3 + current)"));
  const YAML::Node down = Policy(run)["spec"]["components"][0]["behavior"]["scaleDown"];
  EXPECT_EQ(down["stabilizationWindowSeconds"].as<int>(), 300);
  EXPECT_EQ(down["policies"][0]["value"].as<int>(), 100);
}

// `behavior: {}` is a behavior: the HPA fills it with the autoscaling/v2 defaults (+4 pods).
TEST(ConvertHpa, AnEmptyBehaviorIsTheV2Defaults) {
  const Outcome run = Convert({}, std::string(kHpaCpu70) + "  behavior: {}\n");
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node up = Policy(run)["spec"]["components"][0]["behavior"]["scaleUp"];
  EXPECT_EQ(up["policies"][1]["value"].as<int>(), 4);
  EXPECT_THAT(run.out, HasSubstr("scaleUp:  # the HPA's default"));
}

TEST(ConvertHpa, ModeAndNameFlags) {
  const Outcome run = Convert({"--mode", "Enforce", "--name", "storefront"}, kHpaCpu70);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Policy(run)["metadata"]["name"].as<std::string>(), "storefront");
  EXPECT_THAT(run.out,
              HasSubstr("mode: Enforce  # delete the HorizontalPodAutoscaler shop/web first"));
}

TEST(ConvertHpa, ATolerancePastedInBehaviorMovesTheThresholds) {
  const std::string hpa =
      std::string(kHpaCpu70) +
      "  behavior:\n    scaleUp: {tolerance: 0.05}\n    scaleDown: {tolerance: 0}\n";
  const Outcome run = Convert({}, hpa);
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node component = Policy(run)["spec"]["components"][0];
  EXPECT_EQ(component["scaleUp"]["allOf"][0]["above"].as<double>(), 73.5);
  EXPECT_EQ(component["scaleDown"]["allOf"][0]["below"].as<double>(), 70);
  // Only the tolerance was given: the HPA's default policies are written out.
  EXPECT_EQ(component["behavior"]["scaleUp"]["policies"].size(), 2u);
}

TEST(ConvertHpa, V1WithoutATargetIsCpuAt80) {
  const Outcome run = Convert({}, R"(
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 4}
)");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Policy(run)["spec"]["components"][0]["scaleUp"]["allOf"][1]["above"].as<double>(), 80);
  EXPECT_THAT(run.out, HasSubstr("the HPA's default without targetCPUUtilizationPercentage: 80"));
}

// The policy cannot read it until its PromQL and server are written: exit 3, each said on stderr.
TEST(ConvertHpa, AnAdapterMetricIsAPlaceholderThatCannotBeRead) {
  const Outcome run = Convert({}, HpaOnWeb(R"(  maxReplicas: 4
  metrics:
  - type: External
    external: {metric: {name: sqs-depth}, target: {type: Value, value: "100"}}
)"));
  ASSERT_EQ(run.code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("not carried over: spec.metrics[0] (sqs_depth): give the PromQL "
                                 "of the External metric sqs-depth"));
  EXPECT_THAT(run.err, HasSubstr("not carried over: spec.sources.prometheus.url: a placeholder"));
  const YAML::Node spec = Policy(run)["spec"];
  EXPECT_EQ(spec["metrics"][0]["name"].as<std::string>(), "sqs_depth");
  EXPECT_THAT(spec["metrics"][0]["prometheus"]["query"].as<std::string>(), HasSubstr("TODO"));
  EXPECT_EQ(spec["sources"]["prometheus"]["url"].as<std::string>(),
            "http://prometheus.example.invalid:9090");
  EXPECT_FALSE(spec["components"][0]["scaleUp"]["allOf"][0]["perReplica"]);  // a Value target
  EXPECT_THAT(run.out, HasSubstr("# give the PromQL of the External metric sqs-depth"));
}

const char* kMinimalScaledObject = R"(
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: jobs}
spec:
  scaleTargetRef: {name: jobs-worker}
  triggers:
  - type: redis
    metadata: {address: "redis:6379", listName: jobs}
)";

TEST(ConvertScaledObject, KedaDefaults) {
  const Outcome run = Convert({}, kMinimalScaledObject);
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node spec = Policy(run)["spec"];
  const YAML::Node component = spec["components"][0];
  EXPECT_EQ(spec["interval"].as<std::string>(), "30s");
  EXPECT_EQ(spec["sources"]["redis"]["url"].as<std::string>(), "redis://redis:6379");
  EXPECT_EQ(component["target"]["kind"].as<std::string>(), "Deployment");
  EXPECT_EQ(component["target"]["apiVersion"].as<std::string>(), "apps/v1");
  EXPECT_EQ(component["replicas"]["min"].as<int>(), 0);
  EXPECT_EQ(component["replicas"]["max"].as<int>(), 100);
  EXPECT_EQ(component["scaleToZero"]["cooldown"].as<std::string>(), "5m");
  EXPECT_EQ(component["scaleToZero"]["activation"][0]["above"].as<double>(), 0);
  EXPECT_EQ(component["scaleUp"]["allOf"][1]["above"].as<double>(), 5);  // listLength 5
  EXPECT_TRUE(component["scaleUp"]["allOf"][1]["perReplica"].as<bool>());
}

TEST(ConvertScaledObject, MinZeroWithoutAWakingTriggerStaysAtOne) {
  const Outcome run = Convert({}, R"(
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web}
spec:
  scaleTargetRef: {name: web}
  triggers: [{type: cpu, metricType: Utilization, metadata: {value: "50"}}]
)");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Policy(run)["spec"]["components"][0]["replicas"]["min"].as<int>(), 1);
  EXPECT_FALSE(Policy(run)["spec"]["components"][0]["scaleToZero"]);
  EXPECT_THAT(run.out, HasSubstr("min: 1  # minReplicaCount 0: no trigger read at 0 pods"));
}

TEST(ConvertScaledObject, UnsupportedTriggersAndFieldsAreCommented) {
  const Outcome run = Convert({}, R"(
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: web
  annotations: {autoscaling.keda.sh/paused-replicas: "3"}
spec:
  scaleTargetRef: {name: web}
  minReplicaCount: 1
  idleReplicaCount: 0
  triggers:
  - {type: kafka, metadata: {topic: orders, lagThreshold: "10"}}
  - type: cron
    metadata: {timezone: UTC, start: "0 9 * * 1-5", end: "30 17 * * *", desiredReplicas: "4"}
)");
  ASSERT_EQ(run.code, 3) << "something was dropped: " << run.err;
  EXPECT_THAT(run.out, HasSubstr("# Not carried over: spec.triggers[0] (kafka): no such source"));
  EXPECT_THAT(run.out,
              HasSubstr("# Not carried over: spec.triggers[1] (cron 0 9 * * 1-5 to 30 17"));
  EXPECT_THAT(run.out, HasSubstr("# Not carried over: spec.idleReplicaCount"));
  EXPECT_THAT(run.out, HasSubstr("# Not carried over: metadata.annotations.autoscaling.keda.sh/"
                                 "paused-replicas 3 (KEDA set that count, then paused"));
  EXPECT_EQ(Policy(run)["metadata"]["annotations"]["gearbox.dev/paused"].as<std::string>(), "true");
}

TEST(ConvertScaledObject, ATriggerOnASecondServerIsLeftOutAndSaid) {
  const Outcome run = Convert({}, R"yaml(
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web}
spec:
  scaleTargetRef: {name: web}
  minReplicaCount: 1
  triggers:
  - {type: memory, metricType: AverageValue, metadata: {value: 512Mi}}
  - {type: prometheus, metadata: {serverAddress: "http://a:9090", query: "sum(x)", threshold: "5"}}
  - {type: prometheus, metadata: {serverAddress: "http://b:9090", query: "sum(y)", threshold: "5"}}
  - {type: redis, metadata: {address: "r1:6379", listName: one}}
  - {type: redis, metadata: {address: "r2:6379", listName: two}}
)yaml");
  ASSERT_EQ(run.code, 3) << "two triggers were dropped: " << run.err;
  const YAML::Node spec = Policy(run)["spec"];
  ASSERT_EQ(spec["metrics"].size(), 3u);  // memory (a placeholder), prometheus on a, redis on r1
  EXPECT_EQ(spec["sources"]["prometheus"]["url"].as<std::string>(), "http://a:9090");
  EXPECT_EQ(spec["sources"]["redis"]["url"].as<std::string>(), "redis://r1:6379");
  EXPECT_THAT(run.out, HasSubstr("spec.triggers[2] (prometheus on http://b:9090): a policy reads "
                                 "one prometheus server (http://a:9090)"));
  EXPECT_THAT(run.out, HasSubstr("spec.triggers[4] (redis on redis://r2:6379)"));
  // The real server replaced the placeholder, and its comment went with it.
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr("a placeholder: the Prometheus")));
  EXPECT_EQ(spec["metrics"][0]["name"].as<std::string>(), "memory");
  EXPECT_THAT(spec["metrics"][0]["prometheus"]["query"].as<std::string>(), HasSubstr("TODO"));
}

TEST(ConvertHpa, MinZeroIsKeptAndCommented) {
  const Outcome run = Convert({}, HpaOnWeb(R"(  minReplicas: 0
  maxReplicas: 4
  metrics:
  - type: External
    external: {metric: {name: depth}, target: {type: AverageValue, averageValue: "10"}}
)"));
  ASSERT_EQ(run.code, 3) << run.err;  // the External metric's PromQL is to be written
  EXPECT_EQ(Policy(run)["spec"]["components"][0]["replicas"]["min"].as<int>(), 0);
  EXPECT_THAT(run.out, HasSubstr("min: 0  # the HPA's alpha scale to zero"));
}

struct BadInput {
  const char* name;
  std::string input;
  const char* message;
};

class Refused : public ::testing::TestWithParam<BadInput> {};

TEST_P(Refused, ExitsTwoWithAClearMessage) {
  const Outcome run = Convert({}, GetParam().input);
  EXPECT_EQ(run.code, 2);
  EXPECT_THAT(run.err, HasSubstr(GetParam().message));
  EXPECT_EQ(run.out, "");
}

const std::string kHpaHead =
    "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n";

INSTANTIATE_TEST_SUITE_P(
    Convert, Refused,
    ::testing::Values(
        BadInput{"NotYaml", "kind: [HorizontalPodAutoscaler", "stdin: not YAML: line"},
        BadInput{"Empty", "", "no HorizontalPodAutoscaler or ScaledObject in the input"},
        BadInput{"OnlyADeployment", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
                 "no HorizontalPodAutoscaler or ScaledObject in the input"},
        BadInput{"NoKind", "metadata: {name: x}\n", "stdin: document 1: kind is missing"},
        BadInput{"NoMax", kHpaHead + "spec: {scaleTargetRef: {kind: Deployment, name: web}}\n",
                 "document 1 (HorizontalPodAutoscaler web): spec.maxReplicas is required"},
        BadInput{"MinAboveMax",
                 kHpaHead + "spec: {scaleTargetRef: {kind: Deployment, name: web}, minReplicas: 5, "
                            "maxReplicas: 2}\n",
                 "spec.minReplicas 5 is above spec.maxReplicas 2"},
        BadInput{"BadQuantity",
                 kHpaHead +
                     "spec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 3\n"
                     "  metrics: [{type: Pods, pods: {metric: {name: rps}, target: {type: "
                     "AverageValue, averageValue: lots}}}]\n",
                 "spec.metrics[0].pods.target.averageValue: \"lots\" is not a number"},
        BadInput{"OldApi",
                 "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata: "
                 "{name: x}\n",
                 "autoscaling/v2beta1 is not supported"},
        BadInput{"NoTriggers",
                 "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\n"
                 "spec: {scaleTargetRef: {name: x}}\n",
                 "spec.triggers is required"},
        BadInput{"SpecNotAMap", kHpaHead + "spec: 5\n",
                 "document 1 (HorizontalPodAutoscaler web): spec must be a map"},
        BadInput{"TriggersNotAList",
                 "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\n"
                 "spec: {scaleTargetRef: {name: x}, triggers: {type: cpu}}\n",
                 "spec.triggers must be a list"},
        BadInput{"TriggerMetadataNotAMap",
                 "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\n"
                 "spec: {scaleTargetRef: {name: x}, triggers: [{type: redis, metadata: [a]}]}\n",
                 "spec.triggers[0].metadata must be a map"},
        BadInput{"NameNotAScalar",
                 "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
                 "metadata: {name: [web]}\n",
                 "metadata.name must be a single value"},
        BadInput{"ADocumentThatIsAList", "- a\n- b\n", "document 1: not a Kubernetes object"},
        BadInput{"PrometheusWithoutQuery",
                 "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\n"
                 "spec:\n  scaleTargetRef: {name: x}\n  triggers: [{type: prometheus, metadata: "
                 "{serverAddress: 'http://p:9090', threshold: '5'}}]\n",
                 "spec.triggers[0].metadata.query is required"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ConvertCommand, BadFlagsExitTwo) {
  EXPECT_EQ(Convert({"--mode", "Auto"}, kHpaCpu70).code, 2);
  EXPECT_EQ(Convert({"--bogus"}, kHpaCpu70).code, 2);
  EXPECT_EQ(Convert({"/nonexistent/hpa.yaml"}).code, 2);
  const Outcome two = Convert({"--name", "x", FixturePath("multi.yaml")});
  EXPECT_EQ(two.code, 2);
  EXPECT_THAT(two.err, HasSubstr("--name names one policy, but the input holds 2 autoscalers"));
  EXPECT_EQ(Convert({"--from-cluster", "deployment/web"}).code, 2);
}

TEST(ConvertCommand, SkippedDocumentsAreSaidOnStderr) {
  const Outcome run = Convert({FixturePath("multi.yaml")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.err,
              HasSubstr("document 1 (Deployment web): not an HPA or a ScaledObject, skipped"));
}

TEST(ConvertCommand, AnUnreachableClusterExitsOne) {
  const std::string path = ::testing::TempDir() + "/convert-kubeconfig";
  std::ofstream(path) << R"(apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
)";
  const Outcome run = Convert({"--from-cluster", "hpa/web", "--kubeconfig", path});
  std::remove(path.c_str());
  EXPECT_EQ(run.code, 1) << run.err;
  EXPECT_THAT(run.err, HasSubstr("gearbox-controller convert:"));
}

}  // namespace
}  // namespace gearbox::convert::testing
