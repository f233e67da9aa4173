// Kubeconfig parsing: contexts, *-data versus files, tokens, and what is refused.
#include "kube/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/time_format.h"
#include "kube/client.h"
#include "kube/discovery.h"

namespace gearbox::kube {
namespace {

// base64("CA PEM") = "Q0EgUEVN", base64("CERT") = "Q0VSVA==", base64("KEY") = "S0VZ"
const char* kKubeconfig = R"(
apiVersion: v1
kind: Config
current-context: main
clusters:
- name: c1
  cluster: {server: "https://127.0.0.1:6443/", certificate-authority-data: Q0EgUEVN}
- name: c2
  cluster: {server: "https://10.0.0.9:443", certificate-authority: ca.pem}
- name: insecure
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}
- name: bot
  user: {token: s3cret}
- name: filebot
  user: {tokenFile: token}
- name: halfcert
  user: {client-certificate-data: Q0VSVA==}
contexts:
- name: main
  context: {cluster: c1, user: admin, namespace: shop}
- name: other
  context: {cluster: c2, user: filebot}
- name: bot
  context: {cluster: c1, user: bot}
- name: insecure
  context: {cluster: insecure, user: bot}
- name: broken
  context: {cluster: nope, user: bot}
- name: half
  context: {cluster: c1, user: halfcert}
)";

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gearbox-config-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "ca.pem") << "CA FROM FILE";
    std::ofstream(dir_ / "token") << "file-token\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ConfigTest, CurrentContextWithEmbeddedData) {
  auto c = ParseKubeconfig(kKubeconfig, dir_.string());
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->server, "https://127.0.0.1:6443");
  EXPECT_EQ(c->ca_pem, "CA PEM");
  EXPECT_EQ(c->client_cert_pem, "CERT");
  EXPECT_EQ(c->client_key_pem, "KEY");
  EXPECT_EQ(c->default_namespace, "shop");
}

TEST_F(ConfigTest, NamedContextWithFilesRelativeToTheKubeconfig) {
  auto c = ParseKubeconfig(kKubeconfig, dir_.string(), {"other", false});
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->ca_pem, "CA FROM FILE");
  EXPECT_EQ(c->token_file, (dir_ / "token").string());
  EXPECT_EQ(c->default_namespace, "default");
  auto t = ParseKubeconfig(kKubeconfig, dir_.string(), {"bot", false});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->bearer_token, "s3cret");
}

TEST_F(ConfigTest, Refusals) {
  struct Case {
    std::string context;
    std::string want;
  };
  for (const auto& c : std::vector<Case>{
           {"insecure", "insecure-skip-tls-verify"},
           {"broken", "names cluster \"nope\""},
           {"missing", "no context \"missing\""},
           {"half", "without a key"},
       }) {
    auto r = ParseKubeconfig(kKubeconfig, dir_.string(), {c.context, false});
    ASSERT_FALSE(r) << c.context;
    EXPECT_EQ(r.error().kind, Error::Kind::kConfig);
    EXPECT_NE(r.error().message.find(c.want), std::string::npos) << r.error().message;
  }
  auto allowed = ParseKubeconfig(kKubeconfig, dir_.string(), {"insecure", true});
  ASSERT_TRUE(allowed);
  EXPECT_TRUE(allowed->insecure_skip_tls_verify);
  auto bad = ParseKubeconfig("clusters: [", dir_.string());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("not valid YAML"), std::string::npos);
  auto missing_file = LoadKubeconfig((dir_ / "nope").string());
  ASSERT_FALSE(missing_file);
  EXPECT_NE(missing_file.error().message.find("cannot read kubeconfig file"), std::string::npos);
}

TEST_F(ConfigTest, InClusterReadsTheServiceAccountFiles) {
  std::ofstream(dir_ / "ca.crt") << "SA CA";
  std::ofstream(dir_ / "namespace") << "gearbox-system";
  setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto c = LoadInCluster(dir_.string());
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->server, "https://10.0.0.1:443");
  EXPECT_EQ(c->ca_pem, "SA CA");
  EXPECT_EQ(c->token_file, (dir_ / "token").string());
  EXPECT_EQ(c->default_namespace, "gearbox-system");
  EXPECT_EQ(c->source, "in-cluster");
  auto outside = LoadInCluster(dir_.string());
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message.find("not running in a cluster"), std::string::npos);
}

TEST(ClientTest, PathsForEveryShapeOfResource) {
  ResourceRef deploy{"apps", "v1", "deployments", true};
  EXPECT_EQ(Client::Path(deploy, "shop", "web", "scale"),
            "/apis/apps/v1/namespaces/shop/deployments/web/scale");
  EXPECT_EQ(Client::Path(deploy, "", ""), "/apis/apps/v1/deployments");
  ResourceRef ns{"", "v1", "namespaces", false};
  EXPECT_EQ(Client::Path(ns, "ignored", "shop"), "/api/v1/namespaces/shop");
  EXPECT_EQ(deploy.Name(), "deployments.apps");
  EXPECT_EQ(ns.Name(), "namespaces");
}

TEST(ClientTest, ErrorsFromStatusObjects) {
  Error e = HttpClient::ErrorFromResponse(
      403,
      R"({"kind":"Status","status":"Failure","message":"deployments.apps \"web\" is forbidden: User \"u\" cannot patch resource \"deployments/scale\"","reason":"Forbidden","code":403})",
      "", "patch deployments.apps/web/scale in shop");
  EXPECT_TRUE(e.IsForbidden());
  EXPECT_EQ(e.reason, "Forbidden");
  EXPECT_EQ(e.ToString(),
            "patch deployments.apps/web/scale in shop: 403 Forbidden: deployments.apps \"web\" is "
            "forbidden: User \"u\" cannot patch resource \"deployments/scale\"");
  Error busy = HttpClient::ErrorFromResponse(
      429,
      R"({"kind":"Status","reason":"TooManyRequests","message":"slow down","details":{"retryAfterSeconds":2}})",
      "", "list pods");
  EXPECT_TRUE(busy.IsTooManyRequests());
  EXPECT_EQ(busy.retry_after.count(), 2);
  EXPECT_TRUE(busy.IsTransient());
  Error header = HttpClient::ErrorFromResponse(429, "not json", "7", "get x");
  EXPECT_EQ(header.retry_after.count(), 7);
  EXPECT_NE(header.message.find("not json"), std::string::npos);
  EXPECT_FALSE(HttpClient::ErrorFromResponse(409, "{}", "", "update").IsTransient());
}

TEST(DiscoveryTest, FindsKindAndSubresources) {
  auto doc = Json::parse(R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
    {"name":"deployments","kind":"Deployment","namespaced":true},
    {"name":"deployments/scale","kind":"Scale","namespaced":true},
    {"name":"deployments/status","kind":"Deployment","namespaced":true},
    {"name":"controllerrevisions","kind":"ControllerRevision","namespaced":true}]})");
  auto d = Discovery::FindKind(doc, "apps/v1", "Deployment");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ref.resource, "deployments");
  EXPECT_EQ(d->ref.group, "apps");
  EXPECT_TRUE(d->ref.namespaced);
  EXPECT_TRUE(d->has_scale);
  EXPECT_TRUE(d->has_status);
  auto cr = Discovery::FindKind(doc, "apps/v1", "ControllerRevision");
  ASSERT_TRUE(cr);
  EXPECT_FALSE(cr->has_scale);
  auto none = Discovery::FindKind(doc, "apps/v1", "Scale");  // only a subresource has it
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().IsNotFound());
}

TEST(TimeFormatTest, RoundTrips) {
  auto t = std::chrono::system_clock::from_time_t(1795000000) + std::chrono::microseconds(123456);
  EXPECT_EQ(FormatRfc3339(t, TimePrecision::kSeconds), "2026-11-18T11:06:40Z");
  EXPECT_EQ(FormatRfc3339(t, TimePrecision::kMicros), "2026-11-18T11:06:40.123456Z");
  EXPECT_EQ(FormatRfc3339(t, TimePrecision::kMillisWhenNonZero), "2026-11-18T11:06:40.123Z");
  auto parsed = ParseRfc3339("2026-11-18T11:06:40.123456Z");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::microseconds>(*parsed - t).count(), 0);
  EXPECT_EQ(ParseRfc3339("2026-11-18T13:06:40+02:00"),
            std::chrono::system_clock::from_time_t(1795000000));
  EXPECT_FALSE(ParseRfc3339("yesterday"));
  EXPECT_FALSE(ParseRfc3339("2026-11-18T11:06:40"));
}

}  // namespace
}  // namespace gearbox::kube
