// The SigV4 signer against AWS's published signing test suite (tests/fixtures/aws-sigv4, from
// awslabs/aws-c-auth, Apache-2.0): for each case, the canonical request, the string to sign, the
// signature and the signed request's headers must be the suite's, byte for byte.
#include "metrics/aws_sigv4.h"

#include <cpprest/json.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/time_format.h"
#include "metrics/digest.h"

namespace gearbox::metrics {
namespace {

std::string ReadVectorFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Vector {
  SigV4Request request;
  AwsCredentials credentials;
  SigV4Scope scope;
  std::chrono::system_clock::time_point at;
  std::string dir;
  std::string Expected(const std::string& file) const { return ReadVectorFile(dir + "/" + file); }
};

// request.txt: "METHOD PATH?QUERY HTTP/1.1", "Name:value" lines, a blank line, the body.
SigV4Request ParseRequest(const std::string& text) {
  SigV4Request r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  r.method = line.substr(0, line.find(' '));
  std::string target = line.substr(r.method.size() + 1, line.rfind(' ') - r.method.size() - 1);
  r.path = target.substr(0, target.find('?'));
  if (target.find('?') != std::string::npos) r.query = target.substr(target.find('?') + 1);
  while (std::getline(in, line) && !line.empty())
    r.headers.emplace_back(line.substr(0, line.find(':')), line.substr(line.find(':') + 1));
  std::stringstream body;
  body << in.rdbuf();
  r.body = body.str();
  return r;
}

Vector Load(const std::string& name) {
  Vector v;
  v.dir = std::string(GEARBOX_SOURCE_DIR) + "/tests/fixtures/aws-sigv4/" + name;
  auto context = web::json::value::parse(ReadVectorFile(v.dir + "/context.json"));
  const auto& creds = context.at("credentials");
  v.credentials = {creds.at("access_key_id").as_string(), creds.at("secret_access_key").as_string(),
                   creds.has_string_field("token") ? creds.at("token").as_string() : ""};
  v.scope = {context.at("region").as_string(), context.at("service").as_string(),
             context.at("sign_body").as_bool()};
  v.at = ParseRfc3339(context.at("timestamp").as_string()).value();
  v.request = ParseRequest(ReadVectorFile(v.dir + "/request.txt"));
  return v;
}

class SigV4TestSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4TestSuite, CanonicalRequestStringToSignAndSignatureAreTheSuites) {
  const Vector v = Load(GetParam());
  const HttpHeaders added = SignV4(v.request, v.credentials, v.scope, v.at);
  SigV4Request signed_request = v.request;
  for (const auto& h : added)
    if (h.first != "Authorization") signed_request.headers.push_back(h);
  const std::string canonical = CanonicalRequest(signed_request);
  EXPECT_EQ(canonical, v.Expected("header-canonical-request.txt"));
  EXPECT_EQ(StringToSign(canonical, AmzDate(v.at), v.scope),
            v.Expected("header-string-to-sign.txt"));
  EXPECT_EQ(SignatureV4(signed_request, v.credentials, v.scope, AmzDate(v.at)),
            v.Expected("header-signature.txt"));
  // The Authorization header is the signed request's, word for word.
  const std::string signed_text = v.Expected("header-signed-request.txt");
  ASSERT_EQ(added.back().first, "Authorization");
  EXPECT_NE(signed_text.find("Authorization:" + added.back().second), std::string::npos)
      << added.back().second;
}

INSTANTIATE_TEST_SUITE_P(AwsSigningTestSuite, SigV4TestSuite,
                         ::testing::Values("get-vanilla", "get-vanilla-query-order-key-case",
                                           "get-vanilla-utf8-query",
                                           "get-vanilla-with-session-token",
                                           "get-header-value-trim", "get-space-normalized",
                                           "post-vanilla", "post-x-www-form-urlencoded"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(SigV4Canonicalization, QueryParametersAreSortedByEncodedNameThenValue) {
  SigV4Request r{"GET", "/api/v1/query", "time=1&query=sum%28up%29&a=2&a=1", {{"Host", "h"}}, ""};
  const std::string canonical = CanonicalRequest(r);
  EXPECT_NE(canonical.find("\na=1&a=2&query=sum%28up%29&time=1\n"), std::string::npos) << canonical;
}

TEST(SigV4Canonicalization, ASpaceInAQueryIsPercent20NeverPlus) {
  SigV4Request r{"GET", "/", "query=sum(rate(x[5m]))%20by%20(job)", {{"Host", "h"}}, ""};
  const std::string canonical = CanonicalRequest(r);
  EXPECT_NE(canonical.find("query=sum%28rate%28x%5B5m%5D%29%29%20by%20%28job%29"),
            std::string::npos)
      << canonical;
}

TEST(SigV4Canonicalization, DotSegmentsOfThePathAreResolved) {
  SigV4Request r{"GET", "/a/./b/../c", "", {{"Host", "h"}}, ""};
  EXPECT_EQ(CanonicalRequest(r).substr(0, 9), "GET\n/a/c\n");
}

TEST(SigV4Signing, ADifferentSecretOrTimeGivesADifferentSignature) {
  SigV4Request r{"GET", "/", "", {{"Host", "aps-workspaces.us-east-1.amazonaws.com"}}, ""};
  SigV4Scope scope{"us-east-1", "aps", false};
  auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  auto a = SignV4(r, {"AKID", "secret-a", ""}, scope, at).back().second;
  auto b = SignV4(r, {"AKID", "secret-b", ""}, scope, at).back().second;
  auto c = SignV4(r, {"AKID", "secret-a", ""}, scope, at + std::chrono::seconds(1)).back().second;
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a.find("secret"), std::string::npos);  // the secret is never in the header
  EXPECT_NE(a.find("Credential=AKID/20231114/us-east-1/aps/aws4_request"), std::string::npos) << a;
}

}  // namespace
}  // namespace gearbox::metrics
