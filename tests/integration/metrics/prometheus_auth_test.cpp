// Prometheus authentication end to end: a policy's sources.prometheus (its Secrets served by a
// scripted API) read through the controller's own source building (reconcile/sources.h) from a
// real Prometheus that requires the credential: basic auth and client certificates by Prometheus's
// own web config, custom headers, AWS SigV4 and cloud bearer tokens by a checking proxy in front
// of it (SigV4 recomputed as Amazon Managed Service for Prometheus does), the controller's
// identities from its environment and fake STS / metadata / Entra endpoints. Each case starts its
// own Prometheus on 127.0.0.1:18100-18102.
#include <gtest/gtest.h>

#include <cpprest/asyncrt_utils.h>

#include <fstream>
#include <regex>

#include "base/time_format.h"
#include "metrics/aws_sigv4.h"
#include "metrics/bounded_http.h"
#include "reconcile/sources.h"
#include "request_checking_server.h"
#include "scripted_client.h"
#include "servers.h"

namespace gearbox::metrics::testing {
namespace {

using gearbox::testing::FakeAnswer;
using gearbox::testing::FakeRequest;
using gearbox::testing::RequestCheckingServer;
using Json = web::json::value;
using namespace std::chrono_literals;

constexpr int kBasicPort = 18100, kMutualTlsPort = 18101, kPlainPort = 18102;
const char* kQuery = "sum(gearbox_test_users)";  // 30 (servers.cpp's exposition)

std::string AuthDir() { return Servers::Dir() + "/auth"; }

// A Prometheus of the case's own, scraping the test target, served with `web_config` (Prometheus's
// --web.config.file: basic_auth_users, tls_server_config). Stopped with the fixture.
class OwnPrometheus {
 public:
  OwnPrometheus(int port, const std::string& web_config, const std::string& ready_curl_args)
      : port_(port) {
    const std::string dir = AuthDir() + "/prom-" + std::to_string(port);
    Sh("rm -rf " + dir + " && mkdir -p " + dir);
    std::ofstream(dir + "/prometheus.yml")
        << "global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: target\n"
           "    static_configs: [{targets: ['127.0.0.1:"
        << Servers::target_port() << "']}]\n";
    std::ofstream(dir + "/web.yml") << web_config;
    Sh("prometheus --config.file=" + dir + "/prometheus.yml --web.config.file=" + dir +
       "/web.yml --storage.tsdb.path=" + dir + "/data --web.listen-address=127.0.0.1:" +
       std::to_string(port) + " >" + dir + "/log 2>&1 & echo $! >" + dir + "/pid");
    pid_ = Sh("cat " + dir + "/pid");
    for (int i = 0; i < 80 && !ready_; ++i) {  // up to 20 s, usually 2-3
      int rc = 0;
      Sh("curl -fsG " + ready_curl_args + " --data-urlencode 'query=" + kQuery +
             "' | grep -q '\"30\"'",
         &rc);
      ready_ = rc == 0;
      if (!ready_) std::this_thread::sleep_for(250ms);
    }
    EXPECT_TRUE(ready_) << Sh("tail -5 " + dir + "/log");
  }
  ~OwnPrometheus() { Sh("kill -9 " + pid_ + " 2>/dev/null; true"); }
  std::string plain_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  std::string pid_;
  bool ready_ = false;
};

std::string Bcrypt(const std::string& password) {
  std::string hash = Sh("python3 -W ignore -c \"import crypt; print(crypt.crypt('" + password +
                        "', crypt.mksalt(crypt.METHOD_BLOWFISH)))\"");
  while (!hash.empty() && hash.back() == '\n') hash.pop_back();
  return hash;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Json SecretOf(const std::map<std::string, std::string>& data) {
  Json out = Json::object();
  for (const auto& [key, value] : data)
    out["data"][key] = Json::string(
        utility::conversions::to_base64(std::vector<unsigned char>(value.begin(), value.end())));
  return out;
}

// Reads kQuery as a policy with this sources.prometheus would, its Secrets (name -> data) served
// from the policy's namespace.
Result<Reading> ReadAsAPolicy(
    const std::string& prometheus,
    const std::map<std::string, std::map<std::string, std::string>>& secrets = {}) {
  auto api = std::make_shared<gearbox::testing::ScriptedClient>();
  for (const auto& [name, data] : secrets)
    api->On("GET", "/api/v1/namespaces/shop/secrets/" + name,
            gearbox::testing::ScriptedResponse::Ok(SecretOf(data)));
  auto policy = reconcile::ParsePolicy(Json::parse(
      R"({"metadata": {"name": "p", "namespace": "shop", "generation": 1},
          "spec": {"sources": {"prometheus": )" +
      prometheus + R"j(},
          "metrics": [{"name": "users", "prometheus": {"query": "sum(gearbox_test_users)"}}],
          "components": [{"name": "web", "target": {"apiVersion": "apps/v1",
            "kind": "Deployment", "name": "web"}, "replicas": {"min": 1, "max": 5}}]}})j"));
  if (!policy) return policy.error();
  reconcile::LiveSourceFactory factory(api);
  auto sources = reconcile::BuildSources(*api, factory, *policy);
  return sources.by_metric.at("users").source->Read();
}

void ExpectRefusedWithoutEcho(const Result<Reading>& r, Error::Kind kind,
                              const std::string& secret) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, kind) << r.error().message;
  EXPECT_EQ(r.error().message.find(secret), std::string::npos) << r.error().message;
}

TEST(PrometheusAuth, BasicAuthReadsAPrometheusThatRequiresIt) {
  OwnPrometheus prometheus(kBasicPort, "basic_auth_users:\n  reader: " + Bcrypt("pw-ok") + "\n",
                           "-u reader:pw-ok http://127.0.0.1:18100/api/v1/query");
  const std::string source = R"({"url": "http://127.0.0.1:18100", "auth": {"basic": {
      "usernameSecretRef": {"name": "prom", "key": "username"},
      "passwordSecretRef": {"name": "prom", "key": "password"}}}})";
  auto ok = ReadAsAPolicy(source, {{"prom", {{"username", "reader"}, {"password", "pw-ok\n"}}}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->value, 30);
  auto wrong = ReadAsAPolicy(source, {{"prom", {{"username", "reader"}, {"password", "pw-bad"}}}});
  ExpectRefusedWithoutEcho(wrong, Error::Kind::kAuth, "pw-bad");
  auto none = ReadAsAPolicy(R"({"url": "http://127.0.0.1:18100"})");
  ExpectRefusedWithoutEcho(none, Error::Kind::kAuth, "Unauthorized");
}

TEST(PrometheusAuth, AClientCertificateReadsAPrometheusThatRequiresOne) {
  const std::string tls = AuthDir() + "/tls";
  Sh("rm -rf " + AuthDir() + "/tls " + AuthDir() + "/foreign");
  MakeCertificates(AuthDir());
  MakeCertificates(AuthDir() + "/foreign");  // another CA and its client certificate
  OwnPrometheus prometheus(
      kMutualTlsPort,
      "tls_server_config:\n  cert_file: " + tls + "/server.crt\n  key_file: " + tls +
          "/server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " + tls +
          "/ca.crt\n",
      "--cacert " + tls + "/ca.crt --cert " + tls + "/client.crt --key " + tls +
          "/client.key https://localhost:18101/api/v1/query");
  const std::string source = R"({"url": "https://localhost:18101",
      "caSecretRef": {"name": "prom-tls", "key": "ca.crt"},
      "tls": {"certSecretRef": {"name": "prom-tls", "key": "tls.crt"},
              "keySecretRef": {"name": "prom-tls", "key": "tls.key"}}})";
  auto secret = [&](const std::string& dir) {
    return std::map<std::string, std::map<std::string, std::string>>{
        {"prom-tls",
         {{"ca.crt", ReadText(tls + "/ca.crt")},
          {"tls.crt", ReadText(dir + "/client.crt")},
          {"tls.key", ReadText(dir + "/client.key")}}}};
  };
  auto ok = ReadAsAPolicy(source, secret(tls));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->value, 30);
  auto foreign = ReadAsAPolicy(source, secret(AuthDir() + "/foreign/tls"));
  ASSERT_FALSE(foreign);  // Prometheus refuses a certificate its CA did not sign
  auto without = ReadAsAPolicy(
      R"({"url": "https://localhost:18101", "caSecretRef": {"name": "prom-tls", "key": "ca.crt"}})",
      secret(tls));
  ASSERT_FALSE(without);
  EXPECT_TRUE(without.error().kind == Error::Kind::kTls ||
              without.error().kind == Error::Kind::kTransport)
      << without.error().message;
}

// Forwards an accepted request to the plain Prometheus (without `prefix`, the path under which
// the proxy serves it) and answers with what it said.
FakeAnswer Forward(const FakeRequest& r, int port, const std::string& prefix = "") {
  HttpTarget target;
  target.host = "127.0.0.1";
  target.port = std::to_string(port);
  target.target = std::string(r.target()).substr(prefix.size());
  auto answer = BoundedGet(target, HttpLimits{3s, 1 << 20});
  if (!answer) return {502, "{}"};
  return {answer->status, answer->body};
}

std::string HeaderOf(const FakeRequest& r, const std::string& name) {
  auto it = r.find(name);
  return it == r.end() ? "" : std::string(it->value());
}

TEST(PrometheusAuth, CustomHeadersFromTheSpecAndASecretReachTheServer) {
  OwnPrometheus prometheus(kPlainPort, "", "http://127.0.0.1:18102/api/v1/query");
  RequestCheckingServer proxy([](const FakeRequest& r) {
    if (HeaderOf(r, "X-Scope-OrgID") != "tenant-1" || HeaderOf(r, "X-Api-Key") != "key-123")
      return FakeAnswer{401, "no tenant"};
    return Forward(r, kPlainPort);
  });
  const std::string source = R"({"url": ")" + proxy.url() + R"(", "headers": [
      {"name": "X-Scope-OrgID", "value": "tenant-1"},
      {"name": "X-Api-Key", "valueSecretRef": {"name": "api", "key": "key"}}]})";
  auto ok = ReadAsAPolicy(source, {{"api", {{"key", "key-123"}}}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->value, 30);
  auto wrong = ReadAsAPolicy(source, {{"api", {{"key", "key-999"}}}});
  ExpectRefusedWithoutEcho(wrong, Error::Kind::kAuth, "key-999");
}

// The parts of "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=a;b, Signature=hex".
std::map<std::string, std::string> AuthorizationFields(const std::string& header) {
  std::map<std::string, std::string> out;
  std::regex field(R"re((Credential|SignedHeaders|Signature)=([^, ]+))re");
  for (std::sregex_iterator it(header.begin(), header.end(), field), end; it != end; ++it)
    out[(*it)[1]] = (*it)[2];
  return out;
}

// Amazon Managed Service for Prometheus's check: the key is known, the scope is the workspace's
// region and aps, the time is within 5 minutes, Host and X-Amz-Date are signed, and the signature
// recomputed over the request as received matches.
bool SignedAsAmpWants(const FakeRequest& r, const AwsCredentials& known) {
  const std::string authorization = HeaderOf(r, "Authorization");
  if (authorization.rfind("AWS4-HMAC-SHA256 ", 0) != 0) return false;
  auto f = AuthorizationFields(authorization);
  const std::string amz_date = HeaderOf(r, "X-Amz-Date");
  if (f["Credential"] !=
      known.access_key_id + "/" + amz_date.substr(0, 8) + "/us-east-1/aps/aws4_request")
    return false;
  auto sent = ParseRfc3339(amz_date.substr(0, 4) + "-" + amz_date.substr(4, 2) + "-" +
                           amz_date.substr(6, 5) + ":" + amz_date.substr(11, 2) + ":" +
                           amz_date.substr(13));
  if (!sent || std::chrono::abs(std::chrono::system_clock::now() - *sent) > 5min) return false;
  if (HeaderOf(r, "X-Amz-Security-Token") != known.session_token) return false;
  SigV4Request received{std::string(r.method_string()), "", "", {}, r.body()};
  const std::string target(r.target());
  received.path = target.substr(0, target.find('?'));
  if (target.find('?') != std::string::npos) received.query = target.substr(target.find('?') + 1);
  std::stringstream names(f["SignedHeaders"]);
  for (std::string name; std::getline(names, name, ';');)
    received.headers.emplace_back(name, HeaderOf(r, name));
  if (f["SignedHeaders"].find("host") == std::string::npos) return false;
  return SignatureV4(received, known, {"us-east-1", "aps", false}, amz_date) == f["Signature"];
}

TEST(PrometheusAuth, SigV4WithKeysFromASecretIsAcceptedByAnAmpLikeCheck) {
  OwnPrometheus prometheus(kPlainPort, "", "http://127.0.0.1:18102/api/v1/query");
  const AwsCredentials known{"AKIDSECRET", "secret-key-from-secret", ""};
  RequestCheckingServer amp([&](const FakeRequest& r) {
    if (!SignedAsAmpWants(r, known)) return FakeAnswer{403, R"({"message":"signature mismatch"})"};
    return Forward(r, kPlainPort, "/workspaces/ws-1");
  });
  // As AMP's: the workspace's path in the URL, and signed with it.
  const std::string source = R"({"url": ")" + amp.url() + R"(/workspaces/ws-1", "auth": {"sigv4": {
      "region": "us-east-1", "accessKeyIdSecretRef": {"name": "aws", "key": "id"},
      "secretAccessKeySecretRef": {"name": "aws", "key": "secret"}}}})";
  auto ok = ReadAsAPolicy(
      source, {{"aws", {{"id", known.access_key_id}, {"secret", known.secret_access_key}}}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->value, 30);
  auto wrong = ReadAsAPolicy(source, {{"aws", {{"id", known.access_key_id}, {"secret", "other"}}}});
  ExpectRefusedWithoutEcho(wrong, Error::Kind::kAuth, "mismatch");
}

// The controller's own identity (its environment, read once per process: ctest runs each case in
// a process of its own) through a fake STS that answers AssumeRoleWithWebIdentity.
TEST(PrometheusAuth, SigV4WithTheControllersIrsaIdentitySignsWithTheKeysStsGave) {
  OwnPrometheus prometheus(kPlainPort, "", "http://127.0.0.1:18102/api/v1/query");
  const AwsCredentials temporary{"ASIATEMPORARY", "temporary-secret", "session-token-xyz"};
  const std::string token_file = AuthDir() + "/irsa-token";
  std::ofstream(token_file) << "projected.service-account.token\n";
  RequestCheckingServer sts([&](const FakeRequest& r) {
    if (r.body().find("WebIdentityToken=projected.service-account.token") == std::string::npos ||
        r.body().find("Action=AssumeRoleWithWebIdentity") == std::string::npos)
      return FakeAnswer{400, "<ErrorResponse/>", "text/xml"};
    const std::string expires =
        FormatRfc3339(std::chrono::system_clock::now() + 1h, TimePrecision::kSeconds);
    return FakeAnswer{200,
                      "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"
                      "<Credentials><AccessKeyId>ASIATEMPORARY</AccessKeyId>"
                      "<SecretAccessKey>temporary-secret</SecretAccessKey>"
                      "<SessionToken>session-token-xyz</SessionToken><Expiration>" +
                          expires +
                          "</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
                          "</AssumeRoleWithWebIdentityResponse>",
                      "text/xml"};
  });
  RequestCheckingServer amp([&](const FakeRequest& r) {
    if (!SignedAsAmpWants(r, temporary)) return FakeAnswer{403, "{}"};
    return Forward(r, kPlainPort);
  });
  for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"})
    unsetenv(name);
  setenv("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/gearbox", 1);
  setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.c_str(), 1);
  setenv("AWS_ENDPOINT_URL_STS", sts.url().c_str(), 1);
  auto ok = ReadAsAPolicy(R"({"url": ")" + amp.url() +
                          R"(", "auth": {"sigv4": {"region": "us-east-1"}}})");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->value, 30);
  EXPECT_EQ(sts.requests(), 1);
}

// A proxy that wants `Authorization: Bearer <token>` as Google's or Azure's managed Prometheus.
FakeAnswer WantsBearer(const FakeRequest& r, const std::string& token) {
  if (HeaderOf(r, "Authorization") != "Bearer " + token) return FakeAnswer{401, "{}"};
  return Forward(r, kPlainPort);
}

TEST(PrometheusAuth, GoogleWorkloadIdentitySendsTheMetadataServersToken) {
  OwnPrometheus prometheus(kPlainPort, "", "http://127.0.0.1:18102/api/v1/query");
  RequestCheckingServer metadata([](const FakeRequest& r) {
    if (HeaderOf(r, "Metadata-Flavor") != "Google") return FakeAnswer{403, "{}"};
    return FakeAnswer{
        200, R"({"access_token":"ya29.workload","expires_in":3599,"token_type":"Bearer"})"};
  });
  RequestCheckingServer gmp([](const FakeRequest& r) { return WantsBearer(r, "ya29.workload"); });
  setenv("GCE_METADATA_HOST", metadata.url().substr(7).c_str(), 1);
  auto ok = ReadAsAPolicy(R"({"url": ")" + gmp.url() + R"(", "auth": {"google": {}}})");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->value, 30);
}

TEST(PrometheusAuth, AzureWorkloadIdentitySendsEntrasToken) {
  OwnPrometheus prometheus(kPlainPort, "", "http://127.0.0.1:18102/api/v1/query");
  const std::string token_file = AuthDir() + "/azure-token";
  std::ofstream(token_file) << "federated.token";
  RequestCheckingServer entra([](const FakeRequest& r) {
    if (r.target() != "/tenant-1/oauth2/v2.0/token" ||
        r.body().find("client_assertion=federated.token") == std::string::npos)
      return FakeAnswer{400, "{}"};
    return FakeAnswer{200,
                      R"({"token_type":"Bearer","expires_in":3599,"access_token":"entra.token"})"};
  });
  RequestCheckingServer azure([](const FakeRequest& r) { return WantsBearer(r, "entra.token"); });
  setenv("AZURE_FEDERATED_TOKEN_FILE", token_file.c_str(), 1);
  setenv("AZURE_CLIENT_ID", "client-1", 1);
  setenv("AZURE_TENANT_ID", "tenant-1", 1);
  setenv("AZURE_AUTHORITY_HOST", entra.url().c_str(), 1);
  auto ok = ReadAsAPolicy(R"({"url": ")" + azure.url() + R"(", "auth": {"azure": {}}})");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->value, 30);
  // Entra refusing: the metric is unread, and the error names Entra and the status only.
  unsetenv("AZURE_AUTHORITY_HOST");
}

}  // namespace
}  // namespace gearbox::metrics::testing
