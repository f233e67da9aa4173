// The metricsApi, rabbitmq and podCount metrics as the reconciler reads them from the
// ScalingPolicy: the fields and their defaults, the shapes refused with the field's path, the
// Secrets they name (watched, read from the policy's namespace only), and the source-access check
// of the URLs they point the controller at.
#include <gtest/gtest.h>

#include <cpprest/asyncrt_utils.h>

#include "reconcile/policy_spec.h"
#include "reconcile/secret_watches.h"
#include "reconcile/sources.h"
#include "scripted_client.h"

namespace gearbox::reconcile::http_sources_spec_test {
namespace {

using Json = web::json::value;
using testing::ScriptedClient;
using testing::ScriptedResponse;
using namespace std::chrono_literals;

constexpr char kRabbit[] =
    R"("rabbitmq": {"url": "http://rabbitmq.messaging.svc:15672",
       "usernameSecretRef": {"name": "rabbit", "key": "user"},
       "passwordSecretRef": {"name": "rabbit", "key": "password"}})";

constexpr char kMetrics[] = R"(
    {"name": "tasks", "metricsApi": {"url": "https://stats.shop.svc/api/stats",
       "valueLocation": "components.worker.tasks",
       "bearerTokenSecretRef": {"name": "stats-token", "key": "token"}}},
    {"name": "orders", "rabbitmq": {"queue": "orders"}},
    {"name": "rate", "rabbitmq": {"queue": "orders", "vhost": "shop", "measure": "publishRate"}},
    {"name": "workers", "podCount": {"selector": "app=worker"}})";

Json Policy(const std::string& sources, const std::string& metrics) {
  return Json::parse(R"({"metadata": {"name": "q", "namespace": "shop", "generation": 1},
    "spec": {"sources": {)" +
                     sources + R"(}, "metrics": [)" + metrics + R"(],
    "components": [{"name": "worker", "target": {"apiVersion": "apps/v1", "kind": "Deployment",
      "name": "worker"}, "replicas": {"min": 1, "max": 5}}]}})");
}

std::string Refusal(const std::string& sources, const std::string& metrics) {
  auto p = ParsePolicy(Policy(sources, metrics));
  return p ? "" : p.error().message;
}

TEST(HttpSourcesSpec, ReadsEachKindWithItsDefaults) {
  auto p = ParsePolicy(Policy(kRabbit, kMetrics));
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->metrics.size(), 4u);
  const MetricDef& api = p->metrics[0];
  EXPECT_EQ(api.type, MetricDef::Type::kMetricsApi);
  EXPECT_EQ(api.metrics_api.value_location, "components.worker.tasks");
  EXPECT_EQ(api.metrics_api.bearer_token->name, "stats-token");
  EXPECT_EQ(api.metrics_api.timeout, 5s);
  EXPECT_EQ(p->metrics[1].type, MetricDef::Type::kRabbitmq);
  EXPECT_EQ(p->metrics[1].rabbit.vhost, "/");
  EXPECT_EQ(p->metrics[1].rabbit.measure, "messages");
  EXPECT_EQ(p->metrics[2].rabbit.vhost, "shop");
  EXPECT_EQ(p->metrics[2].rabbit.measure, "publishRate");
  EXPECT_EQ(p->metrics[3].type, MetricDef::Type::kPodCount);
  EXPECT_EQ(p->metrics[3].pod_selector, "app=worker");
  ASSERT_TRUE(p->rabbitmq);
  EXPECT_EQ(p->rabbitmq->password->key, "password");
  EXPECT_STREQ(SourceKind(p->metrics[0]), "metrics_api");
  EXPECT_STREQ(SourceKind(p->metrics[3]), "pods");
}

TEST(HttpSourcesSpec, RefusesBadShapesNamingTheField) {
  EXPECT_NE(Refusal("", R"({"name": "o", "rabbitmq": {"queue": "orders"}})")
                .find("metric o needs spec.sources.rabbitmq"),
            std::string::npos);
  EXPECT_NE(Refusal("", R"({"name": "t", "metricsApi": {"url": "http://s/x", "valueLocation": "v",
               "bearerTokenSecretRef": {"name": "a", "key": "b"},
               "usernameSecretRef": {"name": "a", "key": "u"},
               "passwordSecretRef": {"name": "a", "key": "p"}}})")
                .find("spec.metrics[t].metricsApi: a bearer token or basic authentication"),
            std::string::npos);
  EXPECT_NE(Refusal("", R"({"name": "t", "metricsApi": {"url": "http://s/x", "valueLocation": "v",
               "usernameSecretRef": {"name": "a", "key": "u"}}})")
                .find("passwordSecretRef together"),
            std::string::npos);
  EXPECT_NE(Refusal("", R"({"name": "t", "metricsApi": {"url": "file:///etc/passwd",
               "valueLocation": "v"}})")
                .find("spec.metrics[t].metricsApi.url must start with http"),
            std::string::npos);
  EXPECT_NE(Refusal("", R"({"name": "w", "podCount": {"selector": "app=a\r\nx"}})")
                .find("spec.metrics[w].podCount.selector"),
            std::string::npos);
}

TEST(HttpSourcesSpec, TheirSecretsAreWatched) {
  auto names = SecretsNamedBy(Policy(kRabbit, kMetrics));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"rabbit", "stats-token"}));
}

// A factory that keeps the connections BuildSources read.
struct KeptConnections final : SourceFactory {
  Connections kept;
  BuiltSource Make(const ParsedPolicy&, const MetricDef&, const Connections& c) override {
    kept = c;
    return {std::make_shared<BrokenSource>(Error::Invalid("unused")), {}};
  }
};

void Secret(ScriptedClient& api, const std::string& name,
            const std::map<std::string, std::string>& data) {
  Json s = Json::object();
  for (const auto& [key, value] : data)
    s["data"][key] = Json::string(
        utility::conversions::to_base64(std::vector<unsigned char>(value.begin(), value.end())));
  api.On("GET", "/api/v1/namespaces/shop/secrets/" + name, ScriptedResponse::Ok(s));
}

TEST(HttpSourcesSpec, CredentialsComeFromSecretsInThePolicysNamespace) {
  auto p = ParsePolicy(Policy(kRabbit, kMetrics));
  ASSERT_TRUE(p);
  ScriptedClient api;
  Secret(api, "rabbit", {{"user", "monitor"}, {"password", "pw\n"}});
  Secret(api, "stats-token", {{"token", "tok"}});
  KeptConnections factory;
  PolicySources built = BuildSources(api, factory, *p);
  EXPECT_FALSE(built.incomplete);
  ASSERT_TRUE(factory.kept.rabbitmq && *factory.kept.rabbitmq);
  EXPECT_EQ((*factory.kept.rabbitmq)->username, "monitor");
  EXPECT_EQ((*factory.kept.rabbitmq)->password, "pw");  // without the trailing newline
  ASSERT_TRUE(factory.kept.metrics_api.at("tasks"));
  EXPECT_EQ(factory.kept.metrics_api.at("tasks")->bearer_token, "tok");
}

TEST(HttpSourcesSpec, AMissingSecretLeavesThePolicyIncompleteWithTheSecretNamed) {
  auto p = ParsePolicy(Policy(kRabbit, kMetrics));
  ASSERT_TRUE(p);
  ScriptedClient api;  // no Secret at all: 404
  KeptConnections factory;
  PolicySources built = BuildSources(api, factory, *p);
  EXPECT_TRUE(built.incomplete);
  ASSERT_TRUE(factory.kept.rabbitmq && !*factory.kept.rabbitmq);
  EXPECT_NE(factory.kept.rabbitmq->error().message.find("rabbitmq: secret rabbit"),
            std::string::npos);
  EXPECT_NE(factory.kept.metrics_api.at("tasks").error().message.find("secret stats-token"),
            std::string::npos);
}

TEST(HttpSourcesSpec, TheirUrlsGoThroughTheSourceAccessCheck) {
  const SourceAccess defaults;  // loopback and link-local (cloud metadata) refused
  auto metadata = ParsePolicy(
      Policy("", R"({"name": "t", "metricsApi": {"url": "http://169.254.169.254/latest/meta-data",
             "valueLocation": "v"}})"));
  ASSERT_TRUE(metadata);
  Status s = CheckSourceAccess(defaults, *metadata);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("metrics-api"), std::string::npos) << s.error().message;
  auto loopback = ParsePolicy(Policy(R"("rabbitmq": {"url": "http://127.0.0.1:15672",
                 "usernameSecretRef": {"name": "r", "key": "u"},
                 "passwordSecretRef": {"name": "r", "key": "p"}})",
                                     R"({"name": "o", "rabbitmq": {"queue": "orders"}})"));
  ASSERT_TRUE(loopback);
  s = CheckSourceAccess(defaults, *loopback);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("rabbitmq"), std::string::npos) << s.error().message;
  // A password over plain http:// is refused unless the admin allows it.
  auto allowed = SourceAccess::Make({{"127.0.0.1"}, false, false, {}, 100ms});
  ASSERT_TRUE(allowed);
  s = CheckSourceAccess(*allowed, *loopback);
  ASSERT_FALSE(s);
  auto plain_ok = SourceAccess::Make({{"127.0.0.1"}, false, true, {}, 100ms});
  ASSERT_TRUE(plain_ok);
  EXPECT_TRUE(CheckSourceAccess(*plain_ok, *loopback));
}

}  // namespace
}  // namespace gearbox::reconcile::http_sources_spec_test
