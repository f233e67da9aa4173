// No byte of a source's answer reaches status or Events: a Prometheus server that
// answers an error whose body quotes a secret-looking string, read by the real client, then
// reported by a reconcile pass.
#include <gtest/gtest.h>

#include "loopback_http_server.h"
#include "metrics/metrics_api.h"
#include "metrics/prometheus.h"
#include "reconciler_world.h"

namespace gearbox::testing {
namespace {

constexpr char kSecret[] = "AKIA-s3cr3t-from-the-body";

// The error the real client makes of `body` answered with `status`.
Error ErrorOfAnswer(int status, const std::string& body) {
  LoopbackHttpServer server(Answer(status, body));
  auto client = metrics::PrometheusClient::Create({server.url(), "", "", 2s});
  EXPECT_TRUE(client.ok());
  Result<metrics::Reading> r = (*client)->Query("sum(rate(requests_total[1m]))");
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

TEST(NoBodyEcho, AFailedAnswersBodyIsNowhereInStatusOrEvents) {
  const std::string secret = kSecret;
  const std::pair<int, std::string> answers[] = {
      {500, "panic: token=" + secret},
      {400, R"({"status":"error","errorType":"bad_data","error":"unknown )" + secret + R"("})"},
  };
  for (const auto& [status, body] : answers) {
    World w;
    w.Deployment("web", 4);
    w.metrics()["cpu"] = ScriptedMetric{std::nullopt, ErrorOfAnswer(status, body), 0ms};
    w.metrics()["p95"] = Value(0.1);
    w.Pass();
    ASSERT_TRUE(w.Status());
    std::string shown = w.Status()->serialize();
    for (const auto& e : w.Events()) shown += "\n" + e;
    EXPECT_NE(shown.find("HTTP " + std::to_string(status) + " from the source"), std::string::npos)
        << shown;
    EXPECT_EQ(shown.find("s3cr3t"), std::string::npos) << shown;
  }
}

// metricsApi: an error answer, an answer that is not JSON, and a value at the
// valueLocation that is not a number all reach status as fixed words, without the answer.
Error ErrorOfMetricsApi(int status, const std::string& body) {
  LoopbackHttpServer server(Answer(status, body));
  metrics::HttpJsonOptions o;
  o.url = server.url();
  auto client = metrics::HttpJsonClient::Create(o, "metrics-api");
  EXPECT_TRUE(client.ok());
  Result<metrics::Reading> r = metrics::MetricsApiMetric(*client, "stats.tasks").Read();
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

TEST(NoBodyEcho, AMetricsApiAnswerIsNowhereInStatusOrEvents) {
  const std::string secret = kSecret;
  const std::pair<int, std::string> answers[] = {
      {500, "panic: token=" + secret},
      {200, "<html>" + secret},
      {200, R"({"stats":{"tasks":")" + secret + R"("}})"},
  };
  for (const auto& [status, body] : answers) {
    World w;
    w.Deployment("web", 4);
    w.metrics()["cpu"] = ScriptedMetric{std::nullopt, ErrorOfMetricsApi(status, body), 0ms};
    w.metrics()["p95"] = Value(0.1);
    w.Pass();
    ASSERT_TRUE(w.Status());
    std::string shown = w.Status()->serialize();
    for (const auto& e : w.Events()) shown += "\n" + e;
    EXPECT_NE(shown.find("metrics-api http://127.0.0.1"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("s3cr3t"), std::string::npos) << shown;
  }
}

TEST(NoBodyEcho, AnErrorShownIsCappedAtAValidLength) {
  World w;
  w.Deployment("web", 4);
  w.metrics()["cpu"] = Failing(Error::Kind::kDecode, std::string(5000, 'x') + "é");
  w.metrics()["p95"] = Value(0.1);
  w.Pass();
  const std::optional<kube::Json> status = w.Status();
  ASSERT_TRUE(status);
  for (const auto& m : status->at("metrics").as_array()) {
    if (m.has_string_field("error")) {
      EXPECT_LE(m.at("error").as_string().size(), reconcile::kMaxShownError);
    }
  }
}

}  // namespace
}  // namespace gearbox::testing
