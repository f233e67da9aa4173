// The HTTP-based sources against servers on 127.0.0.1 that the tests start: metrics-api
// (a number at a valueLocation in any JSON answer, with a bearer token or basic authentication),
// the RabbitMQ management API's queue fields (tests/integration/metrics/rabbitmq_test.cpp reads a
// real broker), and the bounds and errors they share: one deadline, a byte cap, and no error that
// quotes the answer.
#include <gtest/gtest.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <mutex>

#include "loopback_http_server.h"
#include "metrics/json_value.h"
#include "metrics/metrics_api.h"
#include "metrics/rabbitmq.h"

namespace gearbox::metrics::http_sources_test {
namespace {

using namespace std::chrono_literals;
using Json = web::json::value;
using testing::LoopbackHttpServer;
namespace http = boost::beast::http;

constexpr char kSecret[] = "AKIA-s3cr3t-in-the-answer";

// A server that answers every GET with `status` and `body`, and keeps the request's target and
// Authorization header.
class RecordingServer {
 public:
  RecordingServer(int status, std::string body)
      : server_([this, status, body](boost::asio::ip::tcp::socket& socket) {
          boost::beast::flat_buffer buffer;
          http::request<http::string_body> request;
          boost::system::error_code ec;
          http::read(socket, buffer, request, ec);
          if (ec) return;
          {
            std::lock_guard lock(mu_);
            target_ = std::string(request.target());
            authorization_ = std::string(request[http::field::authorization]);
          }
          http::response<http::string_body> answer{static_cast<http::status>(status), 11};
          answer.set(http::field::content_type, "application/json");
          answer.body() = body;
          answer.prepare_payload();
          http::write(socket, answer, ec);
        }) {}
  std::string url() const { return server_.url(); }
  std::string target() {
    std::lock_guard lock(mu_);
    return target_;
  }
  std::string authorization() {
    std::lock_guard lock(mu_);
    return authorization_;
  }

 private:
  std::mutex mu_;
  std::string target_, authorization_;
  LoopbackHttpServer server_;
};

std::shared_ptr<HttpJsonClient> Client(const std::string& url, const std::string& kind,
                                       HttpJsonOptions o = {}) {
  o.url = url;
  auto client = HttpJsonClient::Create(o, kind);
  EXPECT_TRUE(client.ok()) << client.error().message;
  return *client;
}

Result<Reading> ReadMetricsApi(const std::string& url, const std::string& location,
                               HttpJsonOptions o = {}) {
  return MetricsApiMetric(Client(url, "metrics-api", std::move(o)), location).Read();
}

TEST(ValueLocation, PicksNestedFieldsArrayIndicesAndEscapedDots) {
  const Json doc =
      Json::parse(R"({"components":{"worker":{"tasks":12}},"items":[{"count":3},{"count":"7"}],)"
                  R"("a.b":{"c":"250m"}})");
  EXPECT_EQ(*NumberAt(doc, "components.worker.tasks", "x"), 12);
  EXPECT_EQ(*NumberAt(doc, "items.1.count", "x"), 7);      // a string holding a number
  EXPECT_DOUBLE_EQ(*NumberAt(doc, "a\\.b.c", "x"), 0.25);  // a quantity, as KEDA reads it
}

TEST(ValueLocation, AMissingPathIsNoDataNamingWhereItStopped) {
  const Json doc = Json::parse(R"({"components":{"worker":{}},"items":[1]})");
  auto missing = NumberAt(doc, "components.worker.tasks", "metrics-api http://h");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, Error::Kind::kNoData);
  EXPECT_NE(missing.error().message.find("nothing at components.worker.tasks"), std::string::npos);
  auto past_end = NumberAt(doc, "items.3", "x");
  ASSERT_FALSE(past_end.ok());
  EXPECT_EQ(past_end.error().kind, Error::Kind::kNoData);
  EXPECT_FALSE(SplitValuePath("a..b").ok());
}

TEST(ValueLocation, ANonNumericValueIsNotANumberWithoutQuotingIt) {
  const Json doc =
      Json::parse(std::string(R"({"text":")") + kSecret + R"(","obj":{"k":1},"flag":true})");
  for (const char* path : {"text", "obj", "flag"}) {
    auto r = NumberAt(doc, path, "x");
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.error().kind, Error::Kind::kNotANumber) << path;
    EXPECT_EQ(r.error().message.find("s3cr3t"), std::string::npos) << r.error().message;
  }
  EXPECT_NE(NumberAt(doc, "obj", "x").error().message.find("an object"), std::string::npos);
}

TEST(MetricsApi, ReadsTheValueAtTheLocationWithABearerToken) {
  RecordingServer server(200, R"({"components":{"worker":{"tasks":42}}})");
  HttpJsonOptions o;
  o.bearer_token = "tok-123";
  auto r = ReadMetricsApi(server.url() + "/api/v1/stats?team=a", "components.worker.tasks", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value, 42);
  EXPECT_EQ(server.target(), "/api/v1/stats?team=a");
  EXPECT_EQ(server.authorization(), "Bearer tok-123");
}

TEST(MetricsApi, SendsBasicAuthentication) {
  RecordingServer server(200, R"({"v":1})");
  HttpJsonOptions o;
  o.username = "reader";
  o.password = "pa:ss";
  ASSERT_TRUE(ReadMetricsApi(server.url(), "v", o).ok());
  EXPECT_EQ(server.authorization(), "Basic cmVhZGVyOnBhOnNz");  // base64("reader:pa:ss")
}

TEST(MetricsApi, ErrorAnswersGiveTheStatusNeverTheBody) {
  const std::string secret = kSecret;
  const std::pair<int, Error::Kind> cases[] = {
      {500, Error::Kind::kApi},
      {401, Error::Kind::kAuth},
      {302, Error::Kind::kConfig},
      {200, Error::Kind::kDecode}};  // 200 with a body that is not JSON
  for (const auto& [status, kind] : cases) {
    RecordingServer server(status, "oops token=" + secret);
    auto r = ReadMetricsApi(server.url(), "v");
    ASSERT_FALSE(r.ok()) << status;
    EXPECT_EQ(r.error().kind, kind) << status;
    EXPECT_NE(r.error().message.find(std::to_string(status)), std::string::npos)
        << r.error().message;
    EXPECT_EQ(r.error().message.find("s3cr3t"), std::string::npos) << r.error().message;
  }
}

TEST(MetricsApi, AnEndlessAnswerStopsAtTheCap) {
  LoopbackHttpServer server(testing::EndlessChunked(64 << 20));
  auto r = ReadMetricsApi(server.url(), "v");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kDecode);
  EXPECT_NE(r.error().message.find("256 KiB cap"), std::string::npos) << r.error().message;
}

TEST(MetricsApi, AServerThatNeverAnswersIsATimeoutWithinTheDeadline) {
  LoopbackHttpServer server(testing::NeverAnswer());
  HttpJsonOptions o;
  o.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = ReadMetricsApi(server.url(), "v", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(server.WaitForEnded(1, 2s));  // the connection was closed, not left open
}

TEST(MetricsApi, RefusesAUrlThatIsNotHttpAndHidesItsCredentials) {
  HttpJsonOptions o;
  o.url = "ftp://user:pw@host/x";
  auto c = HttpJsonClient::Create(o, "metrics-api");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, Error::Kind::kConfig);
  EXPECT_EQ(c.error().message.find("pw"), std::string::npos) << c.error().message;
}

TEST(RabbitQueue, PicksMessagesReadyOrThePublishRate) {
  const Json queue =
      Json::parse(R"({"name":"orders","messages":7,"messages_ready":5,)"
                  R"("message_stats":{"publish":40,"publish_details":{"rate":2.5}}})");
  EXPECT_EQ(RabbitQueueMetric::Pick(queue, "messages", "x")->value, 7);
  EXPECT_EQ(RabbitQueueMetric::Pick(queue, "messagesReady", "x")->value, 5);
  EXPECT_EQ(RabbitQueueMetric::Pick(queue, "publishRate", "x")->value, 2.5);
  // A queue nothing was published to has no message_stats: its rate is 0, as KEDA reads it.
  const Json quiet = Json::parse(R"({"name":"idle","messages":0,"messages_ready":0})");
  EXPECT_EQ(RabbitQueueMetric::Pick(quiet, "publishRate", "x")->value, 0);
  // Before the broker's first statistics, the counts are missing: no data, not 0.
  auto fresh = RabbitQueueMetric::Pick(Json::parse(R"({"name":"new"})"), "messages", "x");
  ASSERT_FALSE(fresh.ok());
  EXPECT_EQ(fresh.error().kind, Error::Kind::kNoData);
}

TEST(RabbitQueue, AsksForTheQueueInItsVhostWithTheManagementUser) {
  RecordingServer server(200, R"({"name":"orders/eu","messages":3,"messages_ready":3})");
  HttpJsonOptions o;
  o.username = "monitor";
  o.password = "pw";
  RabbitQueueMetric metric(Client(server.url(), "rabbitmq", o), {"/", "orders/eu", "messages"});
  auto r = metric.Read();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value, 3);
  EXPECT_EQ(server.target(),
            "/api/queues/%2F/orders%2Feu?columns=name,messages,messages_ready,message_stats");
  EXPECT_EQ(server.authorization(), "Basic bW9uaXRvcjpwdw==");
}

TEST(RabbitQueue, AMissingQueueIsNoDataNamingIt) {
  RecordingServer server(404, R"({"error":"Object Not Found","reason":"AKIA-s3cr3t"})");
  RabbitQueueMetric metric(Client(server.url(), "rabbitmq"), {"shop", "orders", "messages"});
  auto r = metric.Read();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kNoData);
  EXPECT_NE(r.error().message.find("no queue orders in vhost shop"), std::string::npos);
  EXPECT_EQ(r.error().message.find("s3cr3t"), std::string::npos);
}

}  // namespace
}  // namespace gearbox::metrics::http_sources_test
