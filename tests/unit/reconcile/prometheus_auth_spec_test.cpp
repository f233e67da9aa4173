// spec.sources.prometheus's authentication as the reconciler reads it: each mode parsed, each
// contradiction refused with its field path, the Secrets it names watched and resolved into the
// client's options (values in the options' key, so a rotated password makes a new client), and
// every credential-carrying mode refused over plain http:// by the source-access check.
#include <gtest/gtest.h>

#include <cpprest/asyncrt_utils.h>

#include "reconcile/policy_spec.h"
#include "reconcile/secret_watches.h"
#include "reconcile/sources.h"
#include "scripted_client.h"

namespace gearbox::reconcile {
namespace {

using Json = web::json::value;

Json Policy(const std::string& prometheus) {
  return Json::parse(R"({"metadata": {"name": "p", "namespace": "shop", "generation": 1},
    "spec": {"sources": {"prometheus": )" +
                     prometheus + R"j(},
    "metrics": [{"name": "rps", "prometheus": {"query": "sum(up)"}}],
    "components": [{"name": "web", "target": {"apiVersion": "apps/v1", "kind": "Deployment",
      "name": "web"}, "replicas": {"min": 1, "max": 5}}]}})j");
}

std::string Refusal(const std::string& prometheus) {
  auto p = ParsePolicy(Policy(prometheus));
  return p ? "" : p.error().message;
}

TEST(PrometheusAuthSpec, EachModeIsReadWithItsFields) {
  auto basic = ParsePolicy(Policy(R"({"url": "https://p.example", "auth": {"basic":
      {"username": "reader", "passwordSecretRef": {"name": "prom", "key": "password"}}}})"));
  ASSERT_TRUE(basic) << basic.error().message;
  EXPECT_EQ(basic->prometheus->auth->mode, PrometheusAuthDef::Mode::kBasic);
  EXPECT_EQ(basic->prometheus->auth->username, "reader");
  EXPECT_EQ(basic->prometheus->auth->password->key, "password");
  auto sigv4 = ParsePolicy(Policy(
      R"({"url": "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1",
          "auth": {"sigv4": {"region": "us-east-1"}}})"));
  ASSERT_TRUE(sigv4) << sigv4.error().message;
  EXPECT_EQ(sigv4->prometheus->auth->region, "us-east-1");
  EXPECT_EQ(sigv4->prometheus->auth->service, "aps");
  EXPECT_FALSE(sigv4->prometheus->auth->access_key_id);
  auto google = ParsePolicy(Policy(
      R"({"url": "https://monitoring.googleapis.com/v1/projects/p/location/global/prometheus",
      "auth": {"google": {"serviceAccountKeySecretRef": {"name": "gcp", "key": "key.json"}}}})"));
  ASSERT_TRUE(google);
  EXPECT_EQ(google->prometheus->auth->mode, PrometheusAuthDef::Mode::kGoogle);
  EXPECT_EQ(google->prometheus->auth->google_key->name, "gcp");
  auto azure = ParsePolicy(Policy(R"({"url": "https://w.eastus.prometheus.monitor.azure.com",
      "auth": {"azure": {}}, "headers": [{"name": "X-Scope-OrgID", "value": "t1"}],
      "tls": {"certSecretRef": {"name": "c", "key": "tls.crt"},
              "keySecretRef": {"name": "c", "key": "tls.key"}}})"));
  ASSERT_TRUE(azure) << azure.error().message;
  EXPECT_EQ(azure->prometheus->auth->mode, PrometheusAuthDef::Mode::kAzure);
  ASSERT_EQ(azure->prometheus->headers.size(), 1u);
  EXPECT_EQ(azure->prometheus->headers[0].value, "t1");
  EXPECT_EQ(azure->prometheus->cert->key, "tls.crt");
}

TEST(PrometheusAuthSpec, ContradictionsAreRefusedWithTheFieldPath) {
  const std::string ref = R"({"name": "s", "key": "k"})";
  EXPECT_EQ(Refusal(R"({"url": "https://p", "auth": {"azure": {}, "sigv4": {"region": "r"}}})"),
            "spec.sources.prometheus.auth: choose exactly one of basic, sigv4, google, azure");
  EXPECT_EQ(Refusal(R"({"url": "https://p", "auth": {}})"),
            "spec.sources.prometheus.auth: choose exactly one of basic, sigv4, google, azure");
  EXPECT_EQ(Refusal(R"({"url": "https://p", "bearerTokenSecretRef": )" + ref +
                    R"(, "auth": {"azure": {}}})"),
            "spec.sources.prometheus.auth: bearerTokenSecretRef already says how to authenticate");
  EXPECT_EQ(Refusal(R"({"url": "https://p", "auth": {"sigv4": {}}})"),
            "spec.sources.prometheus.auth.sigv4.region is required (e.g. us-east-1)");
  EXPECT_EQ(Refusal(R"({"url": "https://p", "auth": {"sigv4": {"region": "r",
                    "accessKeyIdSecretRef": )" +
                    ref + "}}}"),
            "spec.sources.prometheus.auth.sigv4: accessKeyIdSecretRef and "
            "secretAccessKeySecretRef go together");
  EXPECT_EQ(Refusal(R"({"url": "https://p", "auth": {"basic": {"username": "u"}}})"),
            "spec.sources.prometheus.auth.basic.passwordSecretRef is required");
  EXPECT_EQ(Refusal(R"({"url": "https://p", "headers": [{"name": "X-A", "value": "v",
                    "valueSecretRef": )" +
                    ref + "}]}"),
            "spec.sources.prometheus.headers[0]: give either value or valueSecretRef");
  EXPECT_EQ(Refusal(R"({"url": "https://p", "headers": [{"name": "host", "value": "v"}]})"),
            "spec.sources.prometheus.headers[0].name: host is set by Gearbox, not by a policy");
  EXPECT_EQ(Refusal(R"({"url": "https://p", "headers": [{"name": "X", "value": "a\r\nB: c"}]})"),
            "spec.sources.prometheus.headers[0].value has a control character (CR, LF, ...)");
  EXPECT_EQ(Refusal(R"({"url": "https://p", "auth": {"azure": {}},
                    "headers": [{"name": "authorization", "value": "v"}]})"),
            "spec.sources.prometheus.headers: Authorization is already set by auth");
  EXPECT_EQ(Refusal(R"({"url": "http://p", "tls": {"certSecretRef": )" + ref +
                    R"(, "keySecretRef": )" + ref + "}}"),
            "spec.sources.prometheus.tls: a client certificate is for an https:// URL");
}

TEST(PrometheusAuthSpec, EverySecretTheSourceNamesIsWatched) {
  const Json policy = Policy(R"({"url": "https://p", "headers": [
      {"name": "X-Api-Key", "valueSecretRef": {"name": "header-secret", "key": "k"}},
      {"name": "X-Scope-OrgID", "value": "t1"}],
      "tls": {"certSecretRef": {"name": "cert-secret", "key": "c"},
              "keySecretRef": {"name": "key-secret", "key": "k"}},
      "auth": {"sigv4": {"region": "r", "accessKeyIdSecretRef": {"name": "aws-id", "key": "k"},
               "secretAccessKeySecretRef": {"name": "aws-secret", "key": "k"},
               "sessionTokenSecretRef": {"name": "aws-session", "key": "k"}}}})");
  auto names = SecretsNamedBy(policy);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"aws-id", "aws-secret", "aws-session", "cert-secret",
                                             "header-secret", "key-secret"}));
  const Json basic = Policy(R"({"url": "https://p", "auth": {"basic": {
      "usernameSecretRef": {"name": "user", "key": "u"},
      "passwordSecretRef": {"name": "pass", "key": "p"}}}})");
  EXPECT_EQ(SecretsNamedBy(basic), (std::vector<std::string>{"pass", "user"}));
  const Json google = Policy(R"({"url": "https://p", "auth": {"google":
      {"serviceAccountKeySecretRef": {"name": "gcp", "key": "k"}}}})");
  EXPECT_EQ(SecretsNamedBy(google), (std::vector<std::string>{"gcp"}));
}

// Captures the Prometheus options BuildSources resolved.
struct CapturingFactory final : SourceFactory {
  std::optional<Result<metrics::PrometheusOptions>> seen;
  BuiltSource Make(const ParsedPolicy&, const MetricDef&, const Connections& c) override {
    seen = c.prometheus;
    return {std::make_shared<BrokenSource>(Error::Invalid("unused")), {}};
  }
};

Json SecretData(std::map<std::string, std::string> data) {
  Json out = Json::object();
  for (const auto& [key, value] : data)
    out["data"][key] = Json::string(
        utility::conversions::to_base64(std::vector<unsigned char>(value.begin(), value.end())));
  return out;
}

TEST(PrometheusAuthSpec, SecretsResolveIntoTheClientsOptionsAndTheirValuesIntoItsKey) {
  testing::ScriptedClient api;
  api.On("GET", "/api/v1/namespaces/shop/secrets/prom",
         testing::ScriptedResponse::Ok(
             SecretData({{"user", "reader"}, {"password", "pw-1\n"}, {"org", "tenant-7"}})));
  auto p = ParsePolicy(Policy(R"({"url": "https://p.example", "headers": [
      {"name": "X-Scope-OrgID", "valueSecretRef": {"name": "prom", "key": "org"}}],
      "auth": {"basic": {"usernameSecretRef": {"name": "prom", "key": "user"},
               "passwordSecretRef": {"name": "prom", "key": "password"}}}})"));
  ASSERT_TRUE(p) << p.error().message;
  CapturingFactory factory;
  BuildSources(api, factory, *p);
  ASSERT_TRUE(factory.seen && *factory.seen) << factory.seen->error().message;
  const metrics::PrometheusOptions& o = **factory.seen;
  EXPECT_EQ(o.basic_username, "reader");
  EXPECT_EQ(o.basic_password, "pw-1");
  ASSERT_EQ(o.headers.size(), 1u);
  EXPECT_EQ(o.headers[0], (std::pair<std::string, std::string>{"X-Scope-OrgID", "tenant-7"}));
  metrics::PrometheusOptions rotated = o;
  rotated.basic_password = "pw-2";
  EXPECT_NE(o.Key(), rotated.Key());
}

TEST(PrometheusAuthSpec, AMissingSecretLeavesTheSourceUnbuiltWithItsName) {
  testing::ScriptedClient api;
  api.On("GET", "/api/v1/namespaces/shop/secrets/aws",
         testing::ScriptedResponse::Ok(SecretData({{"id", "AKID"}})));
  auto p = ParsePolicy(Policy(R"({"url": "https://aps.example", "auth": {"sigv4": {
      "region": "us-east-1", "accessKeyIdSecretRef": {"name": "aws", "key": "id"},
      "secretAccessKeySecretRef": {"name": "aws", "key": "secret"}}}})"));
  ASSERT_TRUE(p);
  CapturingFactory factory;
  PolicySources sources = BuildSources(api, factory, *p);
  EXPECT_TRUE(sources.incomplete);
  ASSERT_TRUE(factory.seen && !*factory.seen);
  EXPECT_EQ(factory.seen->error().message, "prometheus: secret aws has no key secret");
}

TEST(PrometheusAuthSpec, EveryCredentialModeIsRefusedOverPlainHttp) {
  SourceAccessOptions options;
  auto access = SourceAccess::Make(options, [](const std::string&) -> Result<Addresses> {
    return Addresses{boost::asio::ip::make_address("10.96.12.7")};
  });
  ASSERT_TRUE(access);
  for (const std::string auth :
       {R"("auth": {"azure": {}})", R"("auth": {"sigv4": {"region": "r"}})",
        R"("auth": {"basic": {"username": "u", "passwordSecretRef": {"name": "s", "key": "k"}}})",
        R"("headers": [{"name": "X-Key", "valueSecretRef": {"name": "s", "key": "k"}}])"}) {
    auto p =
        ParsePolicy(Policy(R"({"url": "http://prometheus.monitoring.svc:9090", )" + auth + "}"));
    ASSERT_TRUE(p) << p.error().message;
    Status s = CheckSourceAccess(*access, *p);
    ASSERT_FALSE(s) << auth;
    EXPECT_NE(s.error().message.find("not sent over plain http://"), std::string::npos);
  }
  auto fixed_header = ParsePolicy(Policy(
      R"({"url": "http://prometheus.monitoring.svc:9090", "headers": [{"name": "X-Scope-OrgID", "value": "t"}]})"));
  ASSERT_TRUE(fixed_header);
  EXPECT_TRUE(CheckSourceAccess(*access, *fixed_header));  // a fixed value is no secret
}

}  // namespace
}  // namespace gearbox::reconcile
