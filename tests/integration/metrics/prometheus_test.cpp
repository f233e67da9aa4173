// Prometheus from Debian's package, scraping a target on loopback whose histogram holds known
// observations (50 <= 0.1 s, 30 in (0.1, 0.25], 14 in (0.25, 0.5], 5 in (0.5, 1], 1 above).
#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <thread>

#include "metrics/prometheus.h"
#include "servers.h"

namespace gearbox::metrics::testing {
namespace {

using namespace std::chrono_literals;

const std::string kP95 = "histogram_quantile(0.95, gearbox_test_request_duration_seconds_bucket)";

std::shared_ptr<PrometheusClient> Client(int port = kPrometheusPort,
                                         std::chrono::milliseconds timeout = 3s) {
  auto c = PrometheusClient::Create({"http://127.0.0.1:" + std::to_string(port), "", "", timeout});
  EXPECT_TRUE(c) << c.error().message;
  return c ? *c : nullptr;
}

// What Prometheus itself answers, read with curl and not with our client.
double PrometheusSays(const std::string& query) {
  std::string out = Sh("curl -fsG http://127.0.0.1:" + std::to_string(kPrometheusPort) +
                       "/api/v1/query --data-urlencode 'query=" + query + "'");
  std::smatch m;
  EXPECT_TRUE(std::regex_search(out, m, std::regex(R"re("value":\[[0-9.]+,"([^"]+)"\])re"))) << out;
  return m.empty() ? -1 : std::stod(m[1]);
}

// Prometheus's own count of the instant queries it has answered (from its /metrics, which is not
// itself a query).
double QueriesServed() {
  std::string out = Sh("curl -fs http://127.0.0.1:" + std::to_string(kPrometheusPort) + "/metrics");
  std::smatch m;
  if (!std::regex_search(
          out, m,
          std::regex(
              R"re(prometheus_http_requests_total\{code="200",handler="/api/v1/query"\} ([0-9.e+]+))re")))
    return 0;
  return std::stod(m[1]);
}

TEST(Prometheus, TheP95GearboxReadsIsTheOnePrometheusComputes) {
  Result<Reading> s = PrometheusMetric(Client(), kP95, 0ms).Read();
  ASSERT_TRUE(s.ok()) << s.error().message;
  // Rank 95 of 100 lies in (0.5, 1] holding ranks 95..99: 0.5 + (95 - 94) / 5 x 0.5 = 0.6.
  EXPECT_NEAR(s->value, 0.6, 1e-9);
  EXPECT_DOUBLE_EQ(s->value, PrometheusSays(kP95));
  Result<Reading> scalar =
      PrometheusMetric(Client(), "scalar(sum(gearbox_test_users))", 0ms).Read();
  ASSERT_TRUE(scalar.ok()) << scalar.error().message;
  EXPECT_EQ(scalar->value, 30);
}

TEST(Prometheus, EmptyNaNAndSeveralSeriesAreErrorsThatSaySo) {
  auto c = Client();
  Result<Reading> empty = c->Query("gearbox_test_no_such_metric");
  EXPECT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, Error::Kind::kNoData);
  EXPECT_NE(empty.error().message.find("returned no series"), std::string::npos)
      << empty.error().message;
  Result<Reading> nan = c->Query("0/0");
  EXPECT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().kind, Error::Kind::kNotANumber);
  EXPECT_NE(nan.error().message.find("NaN"), std::string::npos) << nan.error().message;
  Result<Reading> several = c->Query("gearbox_test_users");
  EXPECT_FALSE(several.ok());
  EXPECT_EQ(several.error().kind, Error::Kind::kAmbiguous);
  EXPECT_NE(several.error().message.find("returned 2 series"), std::string::npos)
      << several.error().message;
  EXPECT_EQ(several.error().message.find("shard"), std::string::npos)
      << "label sets are the server's answer, not shown (issue 28): " << several.error().message;
  Result<Reading> bad = c->Query("sum(");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, Error::Kind::kApi);
  EXPECT_NE(bad.error().message.find("bad_data"), std::string::npos) << bad.error().message;
  Result<Reading> matrix = c->Query("gearbox_test_users{shard=\"a\"}[1m]");
  EXPECT_EQ(matrix.error().kind, Error::Kind::kAmbiguous) << matrix.error().message;
  for (const Result<Reading>* s : {&empty, &nan, &several, &bad, &matrix})
    std::cout << s->error().message << "\n";
}

TEST(Prometheus, PoliciesSharingAQueryAndAServerMakeOneRequestPerInterval) {
  // One client per server (reconcile/sources.cpp shares it between the policies naming it).
  auto a = Client();
  ASSERT_TRUE(a);
  // Ten policies, one query, an interval of 15 s: each reads once per interval, at once.
  std::vector<std::unique_ptr<PrometheusMetric>> policies;
  for (int i = 0; i < 10; ++i)
    policies.push_back(std::make_unique<PrometheusMetric>(a, kP95, 7500ms));
  double before = QueriesServed();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (auto& p : policies) threads.emplace_back([&] { ok += p->Read().ok(); });
  for (auto& t : threads) t.join();
  for (auto& p : policies) ok += p->Read().ok();  // and again, later in the same interval
  double after = QueriesServed();
  EXPECT_EQ(ok, 20);
  EXPECT_EQ(a->requests(), 1);
  EXPECT_EQ(after - before, 1) << "Prometheus counted the queries it served";
  // A different query is a different request.
  EXPECT_TRUE(a->Query("scalar(sum(gearbox_test_users))", 7500ms).ok());
  EXPECT_EQ(a->requests(), 2);
}

TEST(Prometheus, DownHangingAndGarbageServersGiveErrorsWithinTheTimeout) {
  struct Case {
    const char* what;
    int port;
    Error::Kind kind;
  };
  for (const Case& c : {Case{"down", 1, Error::Kind::kTransport},
                        Case{"hanging", Servers::silent_port(), Error::Kind::kTimeout},
                        Case{"garbage", Servers::garbage_port(), Error::Kind::kDecode}}) {
    auto client = Client(c.port, 1s);
    auto t0 = std::chrono::steady_clock::now();
    Result<Reading> s = client->Query("up");
    auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.error().kind, c.kind) << c.what << ": " << s.error().message;
    EXPECT_LT(took, 1500ms) << c.what;
    std::cout << c.what << ": " << s.error().message << "\n";
  }
  auto bad = PrometheusClient::Create({"prometheus:9090", "", "", 1s});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("must start with http://"), std::string::npos);
}

TEST(Prometheus, ABearerTokenIsSent) {
  // A token Prometheus does not check: what matters is that it is sent and does no harm; the
  // parsing of 401/403 answers is checked against a canned answer.
  auto c = PrometheusClient::Create(
      {"http://127.0.0.1:" + std::to_string(kPrometheusPort), "t0ken", "", 3s});
  ASSERT_TRUE(c);
  auto answer = (*c)->Query(kP95);
  EXPECT_TRUE(answer.ok()) << answer.error().message;
  Result<Reading> refused =
      PrometheusClient::ParseQueryResponse(401, "Unauthorized", "prometheus x");
  EXPECT_EQ(refused.error().kind, Error::Kind::kAuth);
  EXPECT_NE(refused.error().message.find("credentials of spec.sources.prometheus"),
            std::string::npos);
}

// Issue 12, case 2: an answer that says it is larger than the cap (256 KiB since issue 28) is
// refused before it is read, not held in memory whole. (Chunked answers: the unit tests'
// BoundedReads.ChunkedBodyOverTheCapIsRefused.)
TEST(Prometheus, Case2_AnAnswerLargerThanTheCapIsRefused) {
  auto huge = server::HttpServer::Start(
      "127.0.0.1:0",
      {{"/api/v1/query", [] {
          return server::HttpResponse{200, "application/json", std::string(6 << 20, ' ') + "{}"};
        }}});
  ASSERT_TRUE(huge && *huge);
  auto c = Client((*huge)->port());
  Result<Reading> r = c->Query("up");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kDecode);
  EXPECT_NE(r.error().message.find("answer over the 256 KiB cap"), std::string::npos)
      << r.error().message;
  (*huge)->Stop();
}

// Issue 12, case 4: a Prometheus URL that redirects must not carry the bearer token to where the
// redirect points (cpprestsdk follows redirects, headers included, unless told not to).
TEST(Prometheus, Case4_TheTokenIsNeverSentAcrossARedirect) {
  std::atomic<int> sink_hits{0};
  auto sink = server::HttpServer::Start(
      "127.0.0.1:0", {{"/api/v1/query", [&] {
                         ++sink_hits;
                         return server::HttpResponse{200, "application/json",
                                                     R"({"status":"success","data":{"resultType":)"
                                                     R"("scalar","result":[1,"5"]}})"};
                       }}});
  ASSERT_TRUE(sink && *sink);
  std::string elsewhere = "http://127.0.0.1:" + std::to_string((*sink)->port()) + "/api/v1/query";
  auto redirector = server::HttpServer::Start(
      "127.0.0.1:0",
      {{"/api/v1/query", [elsewhere] {
          return server::HttpResponse{302, "text/plain", "", {{"Location", elsewhere}}};
        }}});
  ASSERT_TRUE(redirector && *redirector);
  auto c = PrometheusClient::Create(
      {"http://127.0.0.1:" + std::to_string((*redirector)->port()), "t0ken", "", 2s});
  ASSERT_TRUE(c);
  Result<Reading> r = (*c)->Query("up");
  ASSERT_FALSE(r.ok()) << "a redirect was followed";
  EXPECT_EQ(r.error().kind, Error::Kind::kConfig);
  EXPECT_NE(r.error().message.find("redirect"), std::string::npos) << r.error().message;
  EXPECT_EQ(sink_hits, 0) << "the redirect target was asked (with the token)";
  (*redirector)->Stop();
  (*sink)->Stop();
}

}  // namespace
}  // namespace gearbox::metrics::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new gearbox::metrics::testing::Servers);
  return RUN_ALL_TESTS();
}
