// KEDA's metrics-api, rabbitmq and kubernetes-workload triggers in convert, on ScaledObjects of
// the shape KEDA's scaler pages use, with their TriggerAuthentications' Secrets carried over as
// Secret references; what cannot be carried over (AMQP, an API key, a regex of queues) is said on
// stderr and in the exit status. Every output is parsed as the controller parses a policy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>

#include "parsed_policy.h"

namespace gearbox::convert::testing::keda_sources {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ScaledObject(const std::string& triggers, int min = 1) {
  return "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: worker}\nspec:\n"
         "  scaleTargetRef: {name: worker}\n  minReplicaCount: " +
         std::to_string(min) + "\n  triggers:\n" + triggers;
}

std::string TriggerAuth(const std::string& name, const std::string& refs,
                        const std::string& kind = "TriggerAuthentication") {
  return "apiVersion: keda.sh/v1alpha1\nkind: " + kind + "\nmetadata: {name: " + name +
         "}\nspec:\n  secretTargetRef:\n" + refs + "---\n";
}

reconcile::ParsedPolicy Parsed(const Outcome& run) { return ParsedPolicyOf(run); }

// The policy of a run that must convert everything (exit 0).
reconcile::ParsedPolicy ParsedOk(const Outcome& run) {
  EXPECT_EQ(run.code, 0) << run.err;
  return Parsed(run);
}

constexpr char kRabbitAuth[] =
    "  - {parameter: username, name: rabbit-user, key: user}\n"
    "  - {parameter: password, name: rabbit-user, key: pass}\n";

TEST(KedaRabbitmq, AnHttpHostMapsToTheManagementApiItsVhostAndSecrets) {
  const Outcome run = Convert(
      {}, TriggerAuth("rabbit-auth", kRabbitAuth) +
              ScaledObject("  - type: rabbitmq\n    metadata: {protocol: http, host: "
                           "'http://rabbitmq.shop.svc:15672/orders-vhost', queueName: orders, "
                           "mode: QueueLength, value: '20', activationValue: '2'}\n"
                           "    authenticationRef: {name: rabbit-auth}\n",
                           0));
  const auto p = ParsedOk(run);
  ASSERT_TRUE(p.rabbitmq);
  EXPECT_EQ(p.rabbitmq->url, "http://rabbitmq.shop.svc:15672");
  EXPECT_EQ(p.rabbitmq->username->name, "rabbit-user");
  EXPECT_EQ(p.rabbitmq->password->key, "pass");
  ASSERT_EQ(p.metrics.size(), 1u);
  EXPECT_EQ(p.metrics[0].rabbit.queue, "orders");
  EXPECT_EQ(p.metrics[0].rabbit.vhost, "orders-vhost");
  EXPECT_EQ(p.metrics[0].rabbit.measure, "messages");
  const auto& rules = p.spec.components[0].scale_up->rules;
  EXPECT_EQ(rules.back().threshold, 20);
  EXPECT_TRUE(rules.back().per_replica);
  ASSERT_TRUE(p.spec.components[0].scale_to_zero);  // activationValue wakes it from 0
  EXPECT_EQ(p.spec.components[0].scale_to_zero->activation[0].above, 2);
}

TEST(KedaRabbitmq, MessageRateAndExcludeUnacknowledgedPickTheirMeasures) {
  const Outcome run = Convert(
      {},
      TriggerAuth("mq-user", kRabbitAuth) +
          ScaledObject("  - type: rabbitmq\n    metadata: {host: 'http://mq:15672/', queueName: "
                       "a, mode: MessageRate, value: '100'}\n"
                       "    authenticationRef: {name: mq-user}\n"
                       "  - type: rabbitmq\n    metadata: {host: 'http://mq:15672/', queueName: "
                       "b, excludeUnacknowledged: 'true'}\n"
                       "    authenticationRef: {name: mq-user}\n"));
  const auto p = ParsedOk(run);
  ASSERT_EQ(p.metrics.size(), 2u);
  EXPECT_EQ(p.metrics[0].rabbit.measure, "publishRate");
  EXPECT_EQ(p.metrics[0].rabbit.vhost, "/");
  EXPECT_EQ(p.metrics[1].rabbit.measure, "messagesReady");
  // KEDA's default queue length, 20, is the target.
  EXPECT_THAT(run.out, HasSubstr("lands at ceil(replicas x value / 20)"));
}

TEST(KedaRabbitmq, AnAmqpTriggerIsNotCarriedOverAndSaysWhatIsMissing) {
  const Outcome run = Convert(
      {}, ScaledObject("  - type: cpu\n    metricType: Utilization\n    metadata: {value: '50'}\n"
                       "  - type: rabbitmq\n    metadata: {host: 'amqp://guest:secretpw@mq:5672/"
                       "vhost', queueName: jobs, value: '5'}\n"));
  EXPECT_EQ(run.code, 3);
  EXPECT_THAT(run.err, HasSubstr("rabbitmq jobs): KEDA read the queue over AMQP"));
  EXPECT_THAT(run.err, HasSubstr("management plugin's URL"));
  EXPECT_EQ(run.err.find("secretpw"), std::string::npos) << run.err;  // the URL's password
  EXPECT_EQ(run.out.find("secretpw"), std::string::npos);
}

TEST(KedaRabbitmq, AHostInASecretIsAPlaceholderNamingTheSecret) {
  const Outcome run = Convert(
      {}, TriggerAuth("conn", "  - {parameter: host, name: keda-rabbitmq-secret, key: host}\n") +
              ScaledObject("  - type: rabbitmq\n    metadata: {protocol: http, queueName: q, "
                           "value: '20'}\n    authenticationRef: {name: conn}\n"));
  ASSERT_EQ(run.code, 3) << run.err;  // the URL and the user are to be set
  EXPECT_THAT(run.err, HasSubstr("not carried over: spec.sources.rabbitmq.url: a placeholder"));
  EXPECT_THAT(run.out, HasSubstr("url: http://rabbitmq.example.invalid:15672  # a placeholder: "
                                 "KEDA read the management URL from Secret keda-rabbitmq-secret "
                                 "key host"));
  EXPECT_THAT(run.out, HasSubstr("a placeholder Secret"));
  Parsed(run);
}

TEST(KedaMetricsApi, TheBearerTokenOfTheTriggerAuthenticationIsASecretReference) {
  const Outcome run = Convert(
      {}, TriggerAuth("api-creds", "  - {parameter: token, name: api-secret, key: token}\n") +
              ScaledObject("  - type: metrics-api\n    metadata: {targetValue: '8.8', url: "
                           "'http://api:3232/api/v1/stats', valueLocation: "
                           "'components.worker.tasks', authMode: bearer}\n"
                           "    authenticationRef: {name: api-creds}\n"));
  const auto p = ParsedOk(run);
  ASSERT_EQ(p.metrics.size(), 1u);
  const auto& api = p.metrics[0].metrics_api;
  EXPECT_EQ(api.url, "http://api:3232/api/v1/stats");
  EXPECT_EQ(api.value_location, "components.worker.tasks");
  ASSERT_TRUE(api.bearer_token);
  EXPECT_EQ(api.bearer_token->name, "api-secret");
  EXPECT_TRUE(p.spec.components[0].scale_up->rules.back().per_replica);
}

TEST(KedaMetricsApi, BasicAuthFromAClusterTriggerAuthenticationSaysWhereItsSecretsAre) {
  const Outcome run = Convert(
      {}, TriggerAuth("shared",
                      "  - {parameter: username, name: api-basic, key: user}\n"
                      "  - {parameter: password, name: api-basic, key: pass}\n",
                      "ClusterTriggerAuthentication") +
              ScaledObject("  - type: metrics-api\n    metricType: Value\n    metadata: "
                           "{targetValue: '10', url: 'https://api/stats', valueLocation: 'v', "
                           "authMode: basic}\n    authenticationRef: {name: shared, kind: "
                           "ClusterTriggerAuthentication}\n"));
  const auto p = ParsedOk(run);
  EXPECT_EQ(p.metrics[0].metrics_api.username->key, "user");
  EXPECT_EQ(p.metrics[0].metrics_api.password->key, "pass");
  EXPECT_FALSE(p.spec.components[0].scale_up->rules.back().per_replica);  // metricType: Value
  EXPECT_THAT(run.out, HasSubstr("are in KEDA's namespace: copy them to the policy's"));
}

TEST(KedaMetricsApi, ATriggerAuthenticationInAnotherFileOfTheRunIsRead) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/keda-auth.yaml")
      << TriggerAuth("api-creds", "  - {parameter: token, name: api-secret, key: token}\n");
  std::ofstream(dir + "/so.yaml") << ScaledObject(
      "  - type: metrics-api\n    metadata: {targetValue: '8', url: "
      "'http://api/stats', valueLocation: v, authMode: bearer}\n"
      "    authenticationRef: {name: api-creds}\n");
  const Outcome run = Convert({dir + "/keda-auth.yaml", dir + "/so.yaml"});
  const auto p = ParsedOk(run);
  ASSERT_TRUE(p.metrics.at(0).metrics_api.bearer_token);
  EXPECT_EQ(p.metrics[0].metrics_api.bearer_token->name, "api-secret");
}

TEST(KedaMetricsApi, ATriggerAuthenticationNotInTheInputIsAComment) {
  const Outcome run =
      Convert({}, ScaledObject("  - type: metrics-api\n    metadata: {targetValue: '5', url: "
                               "'http://api/stats', valueLocation: 'v', authMode: bearer}\n"
                               "    authenticationRef: {name: elsewhere}\n"));
  ASSERT_EQ(run.code, 3) << run.err;  // the token is to be set
  EXPECT_THAT(run.err, HasSubstr("not carried over: spec.metrics[0] (api): KEDA took the "
                                 "credentials from TriggerAuthentication elsewhere"));
  EXPECT_THAT(run.out, HasSubstr("TriggerAuthentication elsewhere (not in the input): set "
                                 "bearerTokenSecretRef"));
  EXPECT_FALSE(Parsed(run).metrics[0].metrics_api.bearer_token);
}

TEST(KedaMetricsApi, AnApiKeyOrAnotherFormatIsNotCarriedOver) {
  for (const std::string metadata : {"authMode: apiKey", "format: xml", "authMode: tls",
                                     "authMode: 'apiKey,tls'", "authMode: 'basic,tls'"}) {
    const Outcome run = Convert(
        {}, ScaledObject("  - type: cpu\n    metricType: Utilization\n    metadata: {value: '50'}\n"
                         "  - type: metrics-api\n    metadata: {targetValue: '5', url: "
                         "'http://api/stats', valueLocation: 'v', " +
                         metadata + "}\n"));
    EXPECT_EQ(run.code, 3) << metadata;
    EXPECT_THAT(run.err, HasSubstr("(metrics-api): ")) << metadata;
    EXPECT_EQ(run.out.find("metricsApi:"), std::string::npos) << metadata;
  }
}

// KEDA's method and keyParamName say where an API key goes (a header, the query): without
// authMode apiKey KEDA ignores them, and so does convert.
TEST(KedaMetricsApi, MethodIsTheApiKeysPlaceNotAnHttpMethod) {
  const Outcome run =
      Convert({}, ScaledObject("  - type: metrics-api\n    metadata: {targetValue: '5', url: "
                               "'http://api/stats', valueLocation: 'v', method: query, "
                               "keyParamName: key}\n"));
  EXPECT_EQ(run.code, 0) << run.err;
  const Outcome keyed =
      Convert({}, ScaledObject("  - type: metrics-api\n    metadata: {targetValue: '5', url: "
                               "'http://api/stats', valueLocation: 'v', authMode: apiKey, "
                               "method: query}\n"));
  EXPECT_EQ(keyed.code, 3);
  EXPECT_THAT(keyed.err, HasSubstr("an API key (authMode: apiKey)"));
  EXPECT_THAT(keyed.err, Not(HasSubstr("GET")));
}

// KEDA's e2e test keeps authMode in the TriggerAuthentication's Secret: the credentials it gives
// say which (a username and a password: basic), and the comment says where it was read.
TEST(KedaMetricsApi, AnAuthModeInASecretIsTheOneItsCredentialsMake) {
  const Outcome run =
      Convert({}, TriggerAuth("api-auth",
                              "  - {parameter: username, name: api, key: AUTH_USERNAME}\n"
                              "  - {parameter: password, name: api, key: AUTH_PASSWORD}\n"
                              "  - {parameter: authMode, name: api, key: AUTH_MODE}\n") +
                      ScaledObject("  - type: metrics-api\n    metadata: {targetValue: '5', url: "
                                   "'http://api/stats', valueLocation: 'v'}\n"
                                   "    authenticationRef: {name: api-auth}\n"));
  const auto p = ParsedOk(run);
  ASSERT_TRUE(p.metrics.at(0).metrics_api.username && p.metrics[0].metrics_api.password);
  EXPECT_EQ(p.metrics[0].metrics_api.username->key, "AUTH_USERNAME");
  EXPECT_THAT(run.out, HasSubstr("KEDA read authMode from Secret api key AUTH_MODE: basic"));
  const Outcome unknown = Convert(
      {}, TriggerAuth("api-auth", "  - {parameter: authMode, name: api, key: AUTH_MODE}\n") +
              ScaledObject("  - type: metrics-api\n    metadata: {targetValue: '5', url: "
                           "'http://api/stats', valueLocation: 'v'}\n"
                           "    authenticationRef: {name: api-auth}\n"));
  EXPECT_EQ(unknown.code, 3);
  EXPECT_THAT(unknown.err, HasSubstr("KEDA read authMode from Secret api key AUTH_MODE"));
}

// KEDA's metrics-api and prometheus pages put the TriggerAuthentication in namespace default and
// the ScaledObject in keda: KEDA would not find it, and convert says where it was instead of "not
// in the input". One without a namespace is taken to go where the ScaledObject is.
TEST(KedaMetricsApi, ATriggerAuthenticationInAnotherNamespaceIsNamedWhereItIs) {
  const std::string trigger =
      "  - type: metrics-api\n    metadata: {targetValue: '5', url: 'http://api/stats', "
      "valueLocation: 'v', authMode: bearer}\n    authenticationRef: {name: creds}\n";
  std::string so = ScaledObject(trigger);
  so.replace(so.find("{name: worker}"), 14, "{name: worker, namespace: keda}");
  std::string auth = TriggerAuth("creds", "  - {parameter: token, name: api, key: token}\n");
  std::string in_default = auth;
  in_default.replace(in_default.find("{name: creds}"), 13, "{name: creds, namespace: default}");
  const Outcome elsewhere = Convert({}, in_default + so);
  EXPECT_EQ(elsewhere.code, 3);
  EXPECT_THAT(elsewhere.err, HasSubstr("TriggerAuthentication creds (given in namespace default, "
                                       "not the ScaledObject's: KEDA would not find it either)"));
  const Outcome unnamespaced = Convert({}, auth + so);
  const auto p = ParsedOk(unnamespaced);
  ASSERT_TRUE(p.metrics.at(0).metrics_api.bearer_token);
  EXPECT_EQ(p.metrics[0].metrics_api.bearer_token->name, "api");
}

TEST(KedaKubernetesWorkload, PodsMatchingTheSelectorPerReplica) {
  const Outcome run = Convert(
      {}, ScaledObject("  - type: kubernetes-workload\n    metadata: {podSelector: 'app=backend',"
                       " value: '0.5', activationValue: '3.1'}\n",
                       0));
  const auto p = ParsedOk(run);
  ASSERT_EQ(p.metrics.size(), 1u);
  EXPECT_EQ(p.metrics[0].type, reconcile::MetricDef::Type::kPodCount);
  EXPECT_EQ(p.metrics[0].pod_selector, "app=backend");
  const auto& rule = p.spec.components[0].scale_up->rules.back();
  EXPECT_EQ(rule.threshold, 0.5);
  EXPECT_TRUE(rule.per_replica);
  ASSERT_TRUE(p.spec.components[0].scale_to_zero);
  EXPECT_DOUBLE_EQ(p.spec.components[0].scale_to_zero->activation[0].above, 3.1);
}

TEST(KedaKubernetesWorkload, AMissingSelectorIsRefusedNamingTheField) {
  const Outcome run =
      Convert({}, ScaledObject("  - type: kubernetes-workload\n    metadata: {value: '1'}\n"));
  EXPECT_EQ(run.code, 2);
  EXPECT_THAT(run.err, HasSubstr("spec.triggers[0].metadata.podSelector"));
}

}  // namespace
}  // namespace gearbox::convert::testing::keda_sources
