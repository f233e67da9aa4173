// Each cloud token exchange against a fake endpoint on 127.0.0.1 that checks the request as the
// provider does (method, path, headers, form fields, the JWT's signature) and answers in the
// provider's format; and the failures (refused, malformed, expired, nothing listening), whose
// errors name the endpoint and the status but never the endpoint's text or a credential.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cpprest/json.h>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "base/time_format.h"
#include "metrics/aws_container_credentials.h"
#include "metrics/aws_credentials.h"
#include "metrics/azure_token.h"
#include "metrics/digest.h"
#include "metrics/google_token.h"
#include "request_checking_server.h"

namespace gearbox::metrics {
namespace {

using gearbox::testing::FakeAnswer;
using gearbox::testing::FakeRequest;
using gearbox::testing::FormFields;
using gearbox::testing::RequestCheckingServer;

constexpr const char* kEcho = "ECHO-OF-THE-SERVER";  // text no error may show

// A file of this test's own: ctest runs the cases in parallel processes.
// The token files the tests wrote, removed when the test program exits (they were left in /tmp,
// a hundred per run).
struct TempFiles {
  std::vector<std::string> paths;
  ~TempFiles() {
    for (const auto& path : paths) std::remove(path.c_str());
  }
};

std::string WriteTempFile(const std::string& name, const std::string& text) {
  static TempFiles written;
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string path = ::testing::TempDir() + "/" + test->test_suite_name() + "." + test->name() +
                     "." + std::to_string(getpid()) + "." + name;
  std::ofstream(path) << text;
  written.paths.push_back(path);
  return path;
}

std::string Header(const FakeRequest& r, const std::string& name) {
  auto it = r.find(name);
  return it == r.end() ? "" : std::string(it->value());
}

// A port where nothing listens: bound (so no other test gets it) but not listening, so a
// connection is refused for as long as `holder` lives.
std::string RefusingUrl(boost::asio::ip::tcp::acceptor& holder) {
  holder.open(boost::asio::ip::tcp::v4());
  holder.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
  return "http://127.0.0.1:" + std::to_string(holder.local_endpoint().port());
}

void ExpectNoEcho(const Error& e, const std::string& credential) {
  EXPECT_EQ(e.message.find(kEcho), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find(credential), std::string::npos) << e.message;
}

// ---- AWS STS (IRSA) ----

std::string StsAnswer(std::chrono::system_clock::time_point expiration) {
  return "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
         "<AssumeRoleWithWebIdentityResult><Credentials>"
         "<SessionToken>session-token-1</SessionToken>"
         "<SecretAccessKey>secret-key-1</SecretAccessKey>"
         "<Expiration>" +
         FormatRfc3339(expiration, TimePrecision::kSeconds) +
         "</Expiration><AccessKeyId>ASIAEXAMPLE</AccessKeyId></Credentials>"
         "<SubjectFromWebIdentityToken>system:serviceaccount:gearbox:gearbox</"
         "SubjectFromWebIdentityToken></AssumeRoleWithWebIdentityResult>"
         "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
         "</AssumeRoleWithWebIdentityResponse>";
}

// STS as it answers AssumeRoleWithWebIdentity: a POST of the form fields, no signature.
FakeAnswer CheckLikeSts(const FakeRequest& r, const std::string& token, kube::FakeClock& clock) {
  auto form = FormFields(r.body());
  const bool ok =
      r.method() == boost::beast::http::verb::post && r.target() == "/" &&
      Header(r, "Content-Type") == "application/x-www-form-urlencoded" &&
      Header(r, "Authorization").empty() && form["Action"] == "AssumeRoleWithWebIdentity" &&
      form["Version"] == "2011-06-15" &&
      form["RoleArn"] == "arn:aws:iam::111122223333:role/gearbox" &&
      form["RoleSessionName"] == "gearbox-controller" && form["WebIdentityToken"] == token;
  if (!ok) return {400, std::string("<ErrorResponse>") + kEcho + "</ErrorResponse>", "text/xml"};
  return {200, StsAnswer(clock.WallNow() + std::chrono::hours(1)), "text/xml"};
}

AwsEnvironment IrsaEnvironment(const std::string& sts_url, const std::string& token) {
  AwsEnvironment env;
  env.role_arn = "arn:aws:iam::111122223333:role/gearbox";
  env.token_file = WriteTempFile("irsa-token", token + "\n");
  env.role_session_name = "gearbox-controller";
  env.sts_endpoint = sts_url;
  return env;
}

// `source`'s keys are `expected`, asked of `endpoint` once while more than 5 minutes of their
// `lifetime` are left, and again after.
void ExpectKeysKeptUntilNearExpiry(AwsCredentialSource& source,
                                   const RequestCheckingServer& endpoint, kube::FakeClock& clock,
                                   std::chrono::minutes lifetime, const AwsCredentials& expected) {
  auto keys = source.Get();
  ASSERT_TRUE(keys) << keys.error().message;
  EXPECT_EQ(keys->access_key_id, expected.access_key_id);
  EXPECT_EQ(keys->secret_access_key, expected.secret_access_key);
  EXPECT_EQ(keys->session_token, expected.session_token);
  clock.Advance(lifetime - std::chrono::minutes(10));
  ASSERT_TRUE(source.Get());
  EXPECT_EQ(endpoint.requests(), 1);       // cached
  clock.Advance(std::chrono::minutes(6));  // 4 minutes left: fetched again
  ASSERT_TRUE(source.Get());
  EXPECT_EQ(endpoint.requests(), 2);
}

TEST(AwsIrsa, TheWebIdentityTokenIsExchangedAtStsAndTheKeysAreKeptUntilNearExpiry) {
  kube::FakeClock clock;
  const std::string token = "eyJhbGciOiJSUzI1NiJ9.irsa.token";
  RequestCheckingServer sts([&](const FakeRequest& r) { return CheckLikeSts(r, token, clock); });
  auto source = AwsEnvironmentCredentials(IrsaEnvironment(sts.url() + "/", token), clock);
  ExpectKeysKeptUntilNearExpiry(*source, sts, clock, std::chrono::hours(1),
                                {"ASIAEXAMPLE", "secret-key-1", "session-token-1"});
}

TEST(AwsIrsa, KeysInTheEnvironmentAreUsedWithoutAskingSts) {
  kube::FakeClock clock;
  RequestCheckingServer sts([&](const FakeRequest& r) { return CheckLikeSts(r, "t", clock); });
  AwsEnvironment env = IrsaEnvironment(sts.url(), "t");
  env.keys = {"AKIDENV", "env-secret", ""};
  auto keys = AwsEnvironmentCredentials(env, clock)->Get();
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->access_key_id, "AKIDENV");
  EXPECT_EQ(sts.requests(), 0);
}

// A fake AWS credentials endpoint that answers each of `answers` in turn to a new chain made by
// `environment(url)`: each must be a failure of its kind that names `what` and quotes neither the
// answer nor `secret` (the clock moves past the failure's retry pause between them).
void ExpectAwsRefusals(const std::function<AwsEnvironment(const std::string&)>& environment,
                       const std::string& secret, const std::string& what, kube::FakeClock& clock,
                       const std::vector<std::pair<FakeAnswer, Error::Kind>>& answers) {
  FakeAnswer answer;
  RequestCheckingServer endpoint([&](const FakeRequest&) { return answer; });
  for (const auto& [given, kind] : answers) {
    answer = given;
    clock.Advance(std::chrono::minutes(1));
    auto keys = AwsEnvironmentCredentials(environment(endpoint.url()), clock)->Get();
    ASSERT_FALSE(keys);
    EXPECT_EQ(keys.error().kind, kind) << keys.error().message;
    EXPECT_NE(keys.error().message.find(what), std::string::npos) << keys.error().message;
    ExpectNoEcho(keys.error(), secret);
  }
}

TEST(AwsIrsa, RefusedMalformedAndExpiredAnswersAreErrorsThatQuoteNothing) {
  kube::FakeClock clock;
  const std::string token = "irsa-token-secret";
  ExpectAwsRefusals(
      [&](const std::string& url) { return IrsaEnvironment(url, token); }, token, "AWS STS", clock,
      {{{403, std::string("<ErrorResponse><Message>") + kEcho + "</Message></ErrorResponse>"},
        Error::Kind::kAuth},
       {{200, std::string("<html>") + kEcho + "</html>"}, Error::Kind::kDecode},
       {{200, StsAnswer(clock.WallNow() - std::chrono::minutes(1))}, Error::Kind::kAuth},
       {{500, kEcho}, Error::Kind::kApi}});
}

TEST(AwsIrsa, AnStsThatRefusesConnectionsIsATransportErrorAndIsNotAskedAgainAtOnce) {
  kube::FakeClock clock;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor holder(ioc);
  auto source = AwsEnvironmentCredentials(IrsaEnvironment(RefusingUrl(holder), "t"), clock);
  auto first = source->Get();
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().kind, Error::Kind::kTransport) << first.error().message;
  EXPECT_NE(first.error().message.find("AWS STS"), std::string::npos);
}

TEST(AwsIrsa, WithoutKeysOrIrsaTheErrorSaysWhatTheEnvironmentLacks) {
  kube::FakeClock clock;
  auto keys = AwsEnvironmentCredentials(AwsEnvironment{}, clock)->Get();
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().kind, Error::Kind::kConfig);
  EXPECT_NE(keys.error().message.find("AWS_ROLE_ARN"), std::string::npos);
  EXPECT_NE(keys.error().message.find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos);
}

TEST(AwsIrsa, TheStsEndpointIsRegionalAndOverridable) {
  AwsEnvironment env;
  EXPECT_EQ(env.StsUrl(), "https://sts.amazonaws.com/");
  env.region = "eu-west-1";
  EXPECT_EQ(env.StsUrl(), "https://sts.eu-west-1.amazonaws.com/");
  setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1/", 1);
  EXPECT_EQ(AwsEnvironment::FromProcess().StsUrl(), "http://127.0.0.1:1/");
  unsetenv("AWS_ENDPOINT_URL_STS");
}

// ---- AWS: EKS Pod Identity (the container credentials endpoint) ----

std::string PodIdentityAnswer(std::chrono::system_clock::time_point expiration) {
  return R"({"AccessKeyId":"ASIAPODIDENTITY","SecretAccessKey":"pod-secret-1","Token":"pod-token-1",)"
         R"("AccountId":"111122223333","Expiration":")" +
         FormatRfc3339(expiration, TimePrecision::kSeconds) + "\"}";
}

// The EKS Pod Identity agent as it answers: a GET of /v1/credentials whose Authorization header
// is the pod's projected token itself (no scheme), refused with 400 otherwise.
FakeAnswer CheckLikePodIdentityAgent(const FakeRequest& r, const std::string& token,
                                     kube::FakeClock& clock) {
  const bool ok = r.method() == boost::beast::http::verb::get && r.target() == "/v1/credentials" &&
                  Header(r, "Authorization") == token && r.body().empty();
  if (!ok) return {400, std::string(R"({"message":")") + kEcho + "\"}"};
  return {200, PodIdentityAnswer(clock.WallNow() + std::chrono::hours(6))};
}

AwsEnvironment PodIdentityEnvironment(const std::string& agent_url, const std::string& token) {
  AwsEnvironment env;
  env.container.full_uri = agent_url + "/v1/credentials";
  env.container.token_file = WriteTempFile("eks-pod-identity-token", token + "\n");
  return env;
}

TEST(AwsPodIdentity, TheAgentIsAskedWithTheTokenFileAndTheKeysAreKeptUntilNearExpiry) {
  kube::FakeClock clock;
  const std::string token = "eyJhbGciOiJSUzI1NiJ9.pod-identity.token";
  RequestCheckingServer agent(
      [&](const FakeRequest& r) { return CheckLikePodIdentityAgent(r, token, clock); });
  auto source = AwsEnvironmentCredentials(PodIdentityEnvironment(agent.url(), token), clock);
  ExpectKeysKeptUntilNearExpiry(*source, agent, clock, std::chrono::hours(6),
                                {"ASIAPODIDENTITY", "pod-secret-1", "pod-token-1"});
}

TEST(AwsPodIdentity, TheTokenFileIsReadAgainOnEveryFetchAndTheTokenVariableIsTheFallback) {
  kube::FakeClock clock;
  std::string token = "first-token";
  RequestCheckingServer agent(
      [&](const FakeRequest& r) { return CheckLikePodIdentityAgent(r, token, clock); });
  AwsEnvironment env = PodIdentityEnvironment(agent.url(), token);
  env.container.token = "ignored-when-the-file-is-set";
  ASSERT_TRUE(FetchContainerCredentials(env.container, clock.WallNow()));
  token = "rotated-token";  // the kubelet rewrote the file
  std::ofstream(env.container.token_file) << token << "\n";
  ASSERT_TRUE(FetchContainerCredentials(env.container, clock.WallNow()));
  env.container.token_file.clear();
  token = env.container.token;
  ASSERT_TRUE(FetchContainerCredentials(env.container, clock.WallNow()));
  EXPECT_EQ(agent.requests(), 3);
}

TEST(AwsPodIdentity, KeysAndIrsaComeBeforeTheContainerEndpointAsInTheSdks) {
  kube::FakeClock clock;
  RequestCheckingServer agent(
      [&](const FakeRequest& r) { return CheckLikePodIdentityAgent(r, "t", clock); });
  RequestCheckingServer sts([&](const FakeRequest& r) { return CheckLikeSts(r, "irsa", clock); });
  AwsEnvironment env = IrsaEnvironment(sts.url() + "/", "irsa");
  env.container = PodIdentityEnvironment(agent.url(), "t").container;
  auto irsa = AwsEnvironmentCredentials(env, clock)->Get();
  ASSERT_TRUE(irsa) << irsa.error().message;
  EXPECT_EQ(irsa->access_key_id, "ASIAEXAMPLE");
  env.keys = {"AKIDENV", "env-secret", ""};
  EXPECT_EQ(AwsEnvironmentCredentials(env, clock)->Get()->access_key_id, "AKIDENV");
  EXPECT_EQ(agent.requests(), 0);
  env.keys = {};
  env.role_arn.clear();
  EXPECT_EQ(AwsEnvironmentCredentials(env, clock)->Get()->access_key_id, "ASIAPODIDENTITY");
  EXPECT_EQ(agent.requests(), 1);
}

TEST(AwsPodIdentity, RefusedMalformedAndExpiredAnswersAreErrorsThatQuoteNothing) {
  kube::FakeClock clock;
  const std::string token = "pod-identity-token-secret";
  const std::string json_echo = std::string(R"({"AccessKeyId":")") + kEcho + "\"}";
  ExpectAwsRefusals(
      [&](const std::string& url) { return PodIdentityEnvironment(url, token); }, token,
      "AWS container credentials", clock,
      {{{400, std::string(R"({"message":")") + kEcho + "\"}"}, Error::Kind::kAuth},
       {{200, std::string("<html>") + kEcho + "</html>"}, Error::Kind::kDecode},
       {{200, json_echo}, Error::Kind::kDecode},
       {{200, PodIdentityAnswer(clock.WallNow() - std::chrono::minutes(1))}, Error::Kind::kAuth},
       {{500, kEcho}, Error::Kind::kApi},
       // An answer past the size cap is cut, not read whole.
       {{200, std::string(R"({"AccessKeyId":")") + std::string(kMaxTokenAnswerBytes, 'A') + "\"}"},
        Error::Kind::kDecode}});
}

TEST(AwsPodIdentity, KeysAreFetchedInClearOnlyFromLoopbackOrTheAgentsLinkLocalAddresses) {
  auto url = [](const std::string& full) {
    AwsContainerEndpoint e;
    e.full_uri = full;
    return ContainerCredentialsUrl(e);
  };
  for (const char* allowed :
       {"http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
        "http://169.254.170.2/v2/credentials/abc", "http://127.0.0.1:8080/creds",
        "http://127.1.2.3/creds", "http://localhost/creds", "http://[::1]:9/creds",
        "https://credentials.example.com/v1"})
    EXPECT_TRUE(url(allowed)) << allowed;
  for (const char* refused : {"http://10.0.0.5/v1/credentials", "http://169.254.169.254/latest",
                              "http://example.com/creds", "ftp://127.0.0.1/creds", "not a url"}) {
    auto r = url(refused);
    ASSERT_FALSE(r) << refused;
    EXPECT_EQ(r.error().kind, Error::Kind::kConfig);
  }
  AwsContainerEndpoint ecs;
  ecs.relative_uri = "/v2/credentials/task-1";
  ecs.full_uri = "http://10.0.0.5/ignored";
  EXPECT_EQ(*ContainerCredentialsUrl(ecs), "http://169.254.170.2/v2/credentials/task-1");
}

TEST(AwsPodIdentity, ATokenWithALineBreakIsNeverSentAndTheEnvironmentIsRead) {
  kube::FakeClock clock;
  AwsContainerEndpoint e;
  e.full_uri = "http://127.0.0.1:1/v1/credentials";
  e.token = "abc\r\nX-Injected: 1";
  auto keys = FetchContainerCredentials(e, clock.WallNow());
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().kind, Error::Kind::kConfig);
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials", 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/secrets/pods.eks.amazonaws.com/t", 1);
  const AwsEnvironment env = AwsEnvironment::FromProcess();
  unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  EXPECT_EQ(env.container.full_uri, "http://169.254.170.23/v1/credentials");
  EXPECT_EQ(env.container.token_file, "/var/run/secrets/pods.eks.amazonaws.com/t");
  EXPECT_TRUE(env.container.configured());
}

// ---- Google: the metadata server ----

FakeAnswer CheckLikeMetadataServer(const FakeRequest& r) {
  // The metadata server refuses a request without the header (it guards against SSRF).
  if (Header(r, "Metadata-Flavor") != "Google") return {403, kEcho, "text/html"};
  if (r.method() != boost::beast::http::verb::get ||
      r.target() != "/computeMetadata/v1/instance/service-accounts/default/token")
    return {404, kEcho, "text/html"};
  return {200, R"({"access_token":"ya29.metadata-token","expires_in":3599,"token_type":"Bearer"})"};
}

TEST(GoogleMetadata, TheTokenComesFromTheMetadataServerWithMetadataFlavorAndIsCached) {
  kube::FakeClock clock;
  RequestCheckingServer metadata(CheckLikeMetadataServer);
  GoogleEnvironment env;
  env.metadata_host = metadata.host();
  auto tokens = GoogleMetadataTokens(env, clock);
  auto token = tokens->Token();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(*token, "ya29.metadata-token");
  clock.Advance(std::chrono::minutes(30));
  ASSERT_TRUE(tokens->Token());
  EXPECT_EQ(metadata.requests(), 1);
  clock.Advance(std::chrono::minutes(26));  // under 5 minutes left
  ASSERT_TRUE(tokens->Token());
  EXPECT_EQ(metadata.requests(), 2);
}

TEST(GoogleMetadata, AMalformedOrExpiredAnswerIsAnErrorThatQuotesNothing) {
  kube::FakeClock clock;
  FakeAnswer answer{200, std::string("{\"token\":\"") + kEcho + "\"}"};
  RequestCheckingServer metadata([&](const FakeRequest&) { return answer; });
  GoogleEnvironment env;
  env.metadata_host = metadata.host();
  auto malformed = GoogleMetadataTokens(env, clock)->Token();
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().kind, Error::Kind::kDecode);
  ExpectNoEcho(malformed.error(), kEcho);
  answer = {200, R"({"access_token":"ya29.x","expires_in":0})"};
  auto expired = GoogleMetadataTokens(env, clock)->Token();
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().kind, Error::Kind::kAuth);
  EXPECT_EQ(expired.error().message.find("ya29.x"), std::string::npos);
}

TEST(GoogleMetadata, TheHostComesFromGceMetadataHost) {
  setenv("GCE_METADATA_HOST", "127.0.0.1:9", 1);
  EXPECT_EQ(GoogleEnvironment::FromProcess().metadata_host, "127.0.0.1:9");
  unsetenv("GCE_METADATA_HOST");
  EXPECT_EQ(GoogleEnvironment::FromProcess().metadata_host, "metadata.google.internal");
}

// ---- Google: a service-account key (JWT bearer grant) ----

struct RsaKey {
  std::string private_pem, public_pem;
};

RsaKey MakeRsaKey() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  auto pem = [&](bool is_private) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (is_private)
      PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    else
      PEM_write_bio_PUBKEY(bio, key);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, n);
    BIO_free(bio);
    return out;
  };
  RsaKey out{pem(true), pem(false)};
  EVP_PKEY_free(key);
  return out;
}

std::string Base64UrlDecode(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4) text += '=';
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  out.resize(n - std::count(text.end() - 2, text.end(), '='));
  return out;
}

bool VerifyRs256(const std::string& public_pem, const std::string& data, const std::string& sig) {
  BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = key && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  BIO_free(bio);
  return ok;
}

// Google's token endpoint for the JWT bearer grant: the assertion's RS256 signature verifies with
// the service account's public key, and its claims are the grant's.
FakeAnswer CheckLikeGoogleOAuth(const FakeRequest& r, const RsaKey& key, const std::string& aud) {
  auto form = FormFields(r.body());
  const std::string jwt = form["assertion"];
  const size_t dot1 = jwt.find('.'), dot2 = jwt.rfind('.');
  if (r.method() != boost::beast::http::verb::post || r.target() != "/token" ||
      form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || dot1 == dot2)
    return {400, std::string(R"({"error":"invalid_grant","error_description":")") + kEcho + "\"}"};
  auto header = web::json::value::parse(Base64UrlDecode(jwt.substr(0, dot1)));
  auto claims = web::json::value::parse(Base64UrlDecode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)));
  const bool ok =
      VerifyRs256(key.public_pem, jwt.substr(0, dot2), Base64UrlDecode(jwt.substr(dot2 + 1))) &&
      header.at("alg").as_string() == "RS256" && header.at("kid").as_string() == "key-id-1" &&
      claims.at("iss").as_string() == "gearbox@project.iam.gserviceaccount.com" &&
      claims.at("aud").as_string() == aud &&
      claims.at("scope").as_string() == kGoogleMonitoringReadScope &&
      claims.at("exp").as_number().to_int64() - claims.at("iat").as_number().to_int64() == 3600;
  if (!ok) return {400, std::string(R"({"error":"invalid_grant","x":")") + kEcho + "\"}"};
  return {200, R"({"access_token":"ya29.key-token","expires_in":3599,"token_type":"Bearer"})"};
}

std::string ServiceAccountKey(const RsaKey& key, const std::string& token_uri) {
  web::json::value k = web::json::value::object();
  k["type"] = web::json::value::string("service_account");
  k["client_email"] = web::json::value::string("gearbox@project.iam.gserviceaccount.com");
  k["private_key_id"] = web::json::value::string("key-id-1");
  k["private_key"] = web::json::value::string(key.private_pem);
  k["token_uri"] = web::json::value::string(token_uri);
  return k.serialize();
}

TEST(GoogleServiceAccountKey, ASignedJwtIsExchangedForATokenAtTheTokenEndpoint) {
  kube::FakeClock clock;
  const RsaKey key = MakeRsaKey();
  std::string aud;
  RequestCheckingServer oauth(
      [&](const FakeRequest& r) { return CheckLikeGoogleOAuth(r, key, aud); });
  GoogleEnvironment env;
  env.token_url = aud = oauth.url() + "/token";
  auto tokens = GoogleServiceAccountTokens(ServiceAccountKey(key, env.token_url), env, clock);
  ASSERT_TRUE(tokens) << tokens.error().message;
  auto token = (*tokens)->Token();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(*token, "ya29.key-token");
  ASSERT_TRUE((*tokens)->Token());
  EXPECT_EQ(oauth.requests(), 1);
}

TEST(GoogleServiceAccountKey, AJwtSignedWithAnotherKeyIsRefusedAndTheErrorQuotesNothing) {
  kube::FakeClock clock;
  const RsaKey key = MakeRsaKey(), other = MakeRsaKey();
  std::string aud;
  RequestCheckingServer oauth(
      [&](const FakeRequest& r) { return CheckLikeGoogleOAuth(r, key, aud); });
  GoogleEnvironment env;
  env.token_url = aud = oauth.url() + "/token";
  auto tokens = GoogleServiceAccountTokens(ServiceAccountKey(other, env.token_url), env, clock);
  ASSERT_TRUE(tokens);
  auto token = (*tokens)->Token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().kind, Error::Kind::kAuth);
  ExpectNoEcho(token.error(), "PRIVATE KEY");
}

TEST(GoogleServiceAccountKey, AKeyNamingAnotherTokenEndpointOrNotAKeyIsRefusedBeforeAnyRequest) {
  kube::FakeClock clock;
  const RsaKey key = MakeRsaKey();
  GoogleEnvironment env;
  env.token_url = "https://oauth2.googleapis.com/token";
  auto elsewhere =
      GoogleServiceAccountTokens(ServiceAccountKey(key, "http://10.0.0.1/steal"), env, clock);
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().kind, Error::Kind::kConfig);
  auto not_a_key = GoogleServiceAccountTokens("{\"type\":\"authorized_user\"}", env, clock);
  ASSERT_FALSE(not_a_key);
  EXPECT_EQ(not_a_key.error().kind, Error::Kind::kConfig);
}

// ---- Entra workload identity ----

FakeAnswer CheckLikeEntra(const FakeRequest& r, const std::string& assertion) {
  auto form = FormFields(r.body());
  const bool ok =
      r.method() == boost::beast::http::verb::post && r.target() == "/tenant-1/oauth2/v2.0/token" &&
      Header(r, "Content-Type") == "application/x-www-form-urlencoded" &&
      form["grant_type"] == "client_credentials" && form["client_id"] == "client-1" &&
      form["scope"] == "https://prometheus.monitor.azure.com/.default" &&
      form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" &&
      form["client_assertion"] == assertion;
  if (!ok)
    return {400, std::string(R"({"error":"invalid_client","error_description":")") + kEcho + "\"}"};
  return {
      200,
      R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi.entra"})"};
}

AzureEnvironment EntraEnvironment(const std::string& authority, const std::string& assertion) {
  AzureEnvironment env;
  env.token_file = WriteTempFile("azure-token", assertion);
  env.client_id = "client-1";
  env.tenant_id = "tenant-1";
  env.authority_host = authority;
  return env;
}

TEST(AzureWorkloadIdentity, TheFederatedTokenIsExchangedAtTheTenantsTokenEndpointAndCached) {
  kube::FakeClock clock;
  const std::string assertion = "eyJhbGciOiJSUzI1NiJ9.federated.sig";
  RequestCheckingServer entra([&](const FakeRequest& r) { return CheckLikeEntra(r, assertion); });
  auto tokens = AzureWorkloadIdentityTokens(EntraEnvironment(entra.url(), assertion), clock);
  auto token = tokens->Token();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(*token, "eyJ0eXAi.entra");
  ASSERT_TRUE(tokens->Token());
  EXPECT_EQ(entra.requests(), 1);
}

TEST(AzureWorkloadIdentity, ARefusedAssertionIsAnAuthErrorThatQuotesNeitherEntraNorTheAssertion) {
  kube::FakeClock clock;
  RequestCheckingServer entra([&](const FakeRequest& r) { return CheckLikeEntra(r, "expected"); });
  const std::string assertion = "eyJ.wrong-assertion.sig";
  auto token =
      AzureWorkloadIdentityTokens(EntraEnvironment(entra.url() + "/", assertion), clock)->Token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().kind, Error::Kind::kAuth);
  ExpectNoEcho(token.error(), assertion);
}

TEST(AzureWorkloadIdentity, WithoutTheWorkloadIdentityVariablesNothingIsAsked) {
  kube::FakeClock clock;
  auto token = AzureWorkloadIdentityTokens(AzureEnvironment{}, clock)->Token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().kind, Error::Kind::kConfig);
  EXPECT_NE(token.error().message.find("AZURE_FEDERATED_TOKEN_FILE"), std::string::npos);
}

TEST(TokenEndpoint, AnAnswerOverTheCapIsRefused) {
  kube::FakeClock clock;
  RequestCheckingServer entra([](const FakeRequest&) {
    return FakeAnswer{200, std::string(kMaxTokenAnswerBytes + 1, 'x')};
  });
  auto token = AzureWorkloadIdentityTokens(EntraEnvironment(entra.url(), "a"), clock)->Token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().kind, Error::Kind::kDecode);
  EXPECT_NE(token.error().message.find("64 KiB"), std::string::npos) << token.error().message;
}

}  // namespace
}  // namespace gearbox::metrics
