// KEDA's prometheus trigger authentication carried over to spec.sources.prometheus, on the
// TriggerAuthentication / ClusterTriggerAuthentication shapes of KEDA's prometheus scaler page
// (keda.sh/docs/2.16/scalers/prometheus): bearer with a CA, basic, tls, tls and basic, custom,
// Azure workload identity, Amazon Managed Service for Prometheus (pod identity and keys), Google
// Managed Prometheus (a ClusterTriggerAuthentication); and what is refused, with its reason.
// Every output must parse as a policy whose source has the auth the test names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>

#include "backtest/policy_file.h"
#include "reconcile/policy_spec.h"
#include "run_convert.h"

namespace gearbox::convert::testing {
namespace {

using reconcile::PrometheusAuthDef;
using ::testing::HasSubstr;

// KEDA's example: a TriggerAuthentication `keda-prom-creds` in default with `secret_refs`
// (parameter: key of Secret keda-prom-secret), and a ScaledObject whose prometheus trigger has
// `metadata` and names it.
std::string KedaExample(const std::string& auth_spec, const std::string& metadata,
                        const std::string& auth_kind = "TriggerAuthentication") {
  return "apiVersion: keda.sh/v1alpha1\nkind: " + auth_kind +
         "\nmetadata: {name: keda-prom-creds, namespace: default}\nspec:\n" + auth_spec +
         "---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\n"
         "metadata: {name: prometheus-scaledobject, namespace: default}\n"
         "spec:\n  maxReplicaCount: 12\n  scaleTargetRef: {name: dummy}\n  triggers:\n"
         "    - type: prometheus\n      metadata:\n        threshold: '100'\n"
         "        query: sum(rate(http_requests_total{deployment=\"my-deployment\"}[2m]))\n" +
         metadata + "      authenticationRef: {name: keda-prom-creds, kind: " + auth_kind + "}\n";
}

std::string SecretTargets(std::initializer_list<const char*> parameters) {
  std::string out = "  secretTargetRef:\n";
  for (const char* p : parameters)
    out += std::string("    - {parameter: ") + p + ", name: keda-prom-secret, key: " + p + "}\n";
  return out;
}

reconcile::PrometheusSourceDef Source(const Outcome& run) {
  auto json = backtest::YamlToJson(run.out);
  EXPECT_TRUE(json.ok()) << run.out;
  auto parsed = reconcile::ParsePolicy(*json);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message << "\n" << run.out;
  return parsed.ok() && parsed->prometheus ? *parsed->prometheus : reconcile::PrometheusSourceDef{};
}

TEST(ConvertPrometheusAuth, BearerWithACaBecomesBearerTokenAndCaSecretRefs) {
  const Outcome run = Convert({}, KedaExample(SecretTargets({"bearerToken", "ca"}),
                                              "        serverAddress: https://prometheus:9090\n"
                                              "        authModes: bearer\n"));
  EXPECT_EQ(run.code, 0) << run.err;
  const auto source = Source(run);
  ASSERT_TRUE(source.bearer_token);
  EXPECT_EQ(source.bearer_token->name, "keda-prom-secret");
  EXPECT_EQ(source.bearer_token->key, "bearerToken");
  ASSERT_TRUE(source.ca);
  EXPECT_EQ(source.ca->key, "ca");
}

TEST(ConvertPrometheusAuth, BasicBecomesAuthBasicWithTheUsernameAndPasswordSecrets) {
  const Outcome run = Convert({}, KedaExample(SecretTargets({"username", "password"}),
                                              "        serverAddress: http://prometheus:9090\n"
                                              "        authModes: basic\n"));
  EXPECT_EQ(run.code, 0) << run.err;
  const auto source = Source(run);
  ASSERT_TRUE(source.auth);
  EXPECT_EQ(source.auth->mode, PrometheusAuthDef::Mode::kBasic);
  EXPECT_EQ(source.auth->username_secret->key, "username");
  EXPECT_EQ(source.auth->password->key, "password");
}

TEST(ConvertPrometheusAuth, TlsAndBasicBecomeAClientCertificateBesideBasic) {
  const Outcome run =
      Convert({}, KedaExample(SecretTargets({"cert", "key", "ca", "username", "password"}),
                              "        serverAddress: https://prometheus:9090\n"
                              "        authModes: \"tls,basic\"\n"));
  EXPECT_EQ(run.code, 0) << run.err;
  const auto source = Source(run);
  ASSERT_TRUE(source.cert && source.key && source.ca && source.auth);
  EXPECT_EQ(source.cert->key, "cert");
  EXPECT_EQ(source.key->key, "key");
  EXPECT_EQ(source.auth->mode, PrometheusAuthDef::Mode::kBasic);
}

TEST(ConvertPrometheusAuth, CustomBecomesAHeaderFromTheSecretWithItsNameToWrite) {
  const Outcome run =
      Convert({}, KedaExample(SecretTargets({"customAuthHeader", "customAuthValue"}),
                              "        serverAddress: https://prometheus:9090\n"
                              "        authModes: custom\n"
                              "        customHeaders: X-Tenant-Id=tid\n"));
  EXPECT_EQ(run.code, 3) << run.err;  // the header's name is in a Secret: to be written
  EXPECT_THAT(run.err, HasSubstr("KEDA read the custom header's name from Secret"));
  const auto source = Source(run);
  ASSERT_EQ(source.headers.size(), 2u);
  EXPECT_EQ(source.headers[0].name, "X-Tenant-Id");
  EXPECT_EQ(source.headers[0].value, "tid");
  ASSERT_TRUE(source.headers[1].value_secret);
  EXPECT_EQ(source.headers[1].value_secret->key, "customAuthValue");
  EXPECT_THAT(run.out, HasSubstr("KEDA read the custom header's name from Secret "
                                 "keda-prom-secret key customAuthHeader"));
}

TEST(ConvertPrometheusAuth, AzureWorkloadIdentityBecomesAuthAzure) {
  const Outcome run = Convert(
      {}, KedaExample("  podIdentity: {provider: azure-workload}\n",
                      "        serverAddress: https://test-azure-monitor-workspace-name-9ksc."
                      "eastus.prometheus.monitor.azure.com\n"));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Source(run).auth->mode, PrometheusAuthDef::Mode::kAzure);
  EXPECT_THAT(run.out, HasSubstr("azure.workload.identity/use"));
}

TEST(ConvertPrometheusAuth, AmpWithAwsPodIdentityBecomesSigV4WithTheControllersIdentity) {
  const Outcome run = Convert(
      {}, KedaExample("  podIdentity: {provider: aws}\n",
                      "        awsRegion: us-west-2\n"
                      "        serverAddress: https://aps-workspaces.us-west-2.amazonaws.com/"
                      "workspaces/ws-1\n        identityOwner: operator\n"));
  EXPECT_EQ(run.code, 0) << run.err;
  const auto source = Source(run);
  ASSERT_TRUE(source.auth);
  EXPECT_EQ(source.auth->mode, PrometheusAuthDef::Mode::kSigV4);
  EXPECT_EQ(source.auth->region, "us-west-2");
  EXPECT_FALSE(source.auth->access_key_id);
  EXPECT_THAT(run.out, HasSubstr("eks.amazonaws.com/role-arn"));
}

TEST(ConvertPrometheusAuth, AmpWithKeysInASecretBecomesSigV4WithTheirRefs) {
  const Outcome run = Convert(
      {}, KedaExample(SecretTargets({"awsAccessKeyID", "awsSecretAccessKey"}),
                      "        serverAddress: https://aps-workspaces.eu-west-1.amazonaws.com/"
                      "workspaces/ws-1\n"));
  EXPECT_EQ(run.code, 0) << run.err;
  const auto source = Source(run);
  ASSERT_TRUE(source.auth);
  EXPECT_EQ(source.auth->region, "eu-west-1");  // from the workspace's host
  EXPECT_EQ(source.auth->access_key_id->key, "awsAccessKeyID");
  EXPECT_EQ(source.auth->secret_access_key->key, "awsSecretAccessKey");
}

TEST(ConvertPrometheusAuth, GoogleManagedPrometheusWithAClusterTriggerAuthenticationBecomesGoogle) {
  const Outcome run = Convert(
      {}, KedaExample("  podIdentity: {provider: gcp}\n",
                      "        serverAddress: https://monitoring.googleapis.com/v1/projects/"
                      "my-google-project/location/global/prometheus\n",
                      "ClusterTriggerAuthentication"));
  EXPECT_EQ(run.code, 0) << run.err;
  const auto source = Source(run);
  ASSERT_TRUE(source.auth);
  EXPECT_EQ(source.auth->mode, PrometheusAuthDef::Mode::kGoogle);
  EXPECT_FALSE(source.auth->google_key);
}

TEST(ConvertPrometheusAuth, ATriggerAuthenticationInAnotherFileOfTheRunIsFollowed) {
  const std::string both = KedaExample(SecretTargets({"bearerToken"}),
                                       "        serverAddress: https://prometheus:9090\n"
                                       "        authModes: bearer\n");
  const size_t split = both.find("---\n");
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/auth.yaml") << both.substr(0, split);
  std::ofstream(dir + "/so.yaml") << both.substr(split + 4);
  const Outcome run = Convert({dir + "/so.yaml", dir + "/auth.yaml"});
  EXPECT_EQ(run.code, 0) << run.err;
  ASSERT_TRUE(Source(run).bearer_token);
}

TEST(ConvertPrometheusAuth, WhatCannotBeCarriedLeavesTheTriggerOutWithTheReason) {
  const std::pair<Outcome, std::string> cases[] = {
      {Convert({}, KedaExample(SecretTargets({"username"}),
                               "        serverAddress: http://prometheus:9090\n"
                               "        authModes: basic\n")),
       "basic authentication with an empty password (Gearbox needs passwordSecretRef)"},
      {Convert({}, KedaExample("  env:\n    - {parameter: bearerToken, name: TOKEN}\n",
                               "        serverAddress: https://prometheus:9090\n"
                               "        authModes: bearer\n")),
       "credentials from bearerToken (from env) in TriggerAuthentication default/keda-prom-creds, "
       "which Gearbox cannot read: put them in a Secret"},
      {Convert({}, KedaExample(SecretTargets({"cert", "key"}),
                               "        serverAddress: http://prometheus:9090\n"
                               "        authModes: tls\n")),
       "a client certificate (authModes: tls) on a plain http:// server"},
      {Convert({}, KedaExample(
                       "  podIdentity: {provider: azure}\n",
                       "        serverAddress: https://w.eastus.prometheus.monitor.azure.com\n")),
       "AAD Pod Identity"},
  };
  for (const auto& [run, reason] : cases) {
    EXPECT_EQ(run.code, 3) << run.err;
    EXPECT_THAT(run.err, HasSubstr(reason));
    EXPECT_FALSE(YAML::Load(run.out)["spec"]["metrics"]) << run.out;
  }
}

}  // namespace
}  // namespace gearbox::convert::testing
