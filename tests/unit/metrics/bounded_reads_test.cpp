// Reads bounded whatever the server does (issue 28): a Prometheus client against servers on
// 127.0.0.1 that answer too much, too slowly, or with a body that must not be shown.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "loopback_http_server.h"
#include "metrics/prometheus.h"
#include "metrics/redis_queue.h"

namespace gearbox::metrics {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackHttpServer;
using Clock = std::chrono::steady_clock;

std::shared_ptr<PrometheusClient> Client(const std::string& url,
                                         std::chrono::milliseconds timeout) {
  auto client = PrometheusClient::Create(PrometheusOptions{url, "", "", timeout});
  EXPECT_TRUE(client.ok()) << client.error().message;
  return *client;
}

TEST(BoundedReads, ChunkedBodyOverTheCapIsRefused) {
  LoopbackHttpServer server(testing::EndlessChunked(size_t{64} << 20));
  const auto start = Clock::now();
  Result<Reading> r = Client(server.url(), 10s)->Query("up");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kDecode);
  EXPECT_NE(r.error().message.find("answer over the 256 KiB cap"), std::string::npos)
      << r.error().message;
  EXPECT_LT(Clock::now() - start, 5s) << "refused at the cap, not read to the end";
  EXPECT_TRUE(server.WaitForEnded(1, 2s)) << "the connection is closed at the cap";
}

TEST(BoundedReads, TricklingServerIsStoppedAtTheTotalDeadline) {
  // A byte every 100 ms: an idle timeout of 1 s would never fire.
  LoopbackHttpServer server(testing::Trickle(100ms, 8s));
  const auto start = Clock::now();
  Result<Reading> r = Client(server.url(), 1s)->Query("up");
  const auto took = Clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kTimeout);
  EXPECT_NE(r.error().message.find("no complete answer within 1s"), std::string::npos)
      << r.error().message;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2s) << "stopped at the deadline of the whole read";
  EXPECT_TRUE(server.WaitForEnded(1, 2s)) << "the server sees the read abandoned";
}

TEST(BoundedReads, ContentLengthOverTheCapIsRefused) {
  LoopbackHttpServer server(testing::Answer(200, std::string((256 << 10) + 1, ' ')));
  Result<Reading> r = Client(server.url(), 5s)->Query("up");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("answer over the 256 KiB cap"), std::string::npos)
      << r.error().message;
}

constexpr char kSecret[] = "s3cr3t-T0KEN-from-the-body";

// What a failed answer's error says, for each way a server can put its body into one.
TEST(BoundedReads, NoByteOfAFailedAnswersBodyInTheError) {
  const std::string secret = kSecret;
  struct Case {
    int status;
    std::string body;
    std::string expected;
  } cases[] = {
      {500, "internal error near " + secret, "HTTP 500 from the source"},
      {400,
       R"({"status":"error","errorType":"bad_data","error":"parse error at )" + secret + R"("})",
       "the query failed: HTTP 400 from the source (bad_data)"},
      {422, R"({"status":"error","errorType":")" + secret + R"(","error":"x"})",
       "the query failed: HTTP 422 from the source"},
      {200, "<html>" + secret + "</html>", "HTTP 200 from the source, not a Prometheus API answer"},
      {200,
       R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"k":")" + secret +
           R"("},"value":[1,"1"]},{"metric":{},"value":[1,"2"]}]}})",
       "the query returned 2 series where one number is needed"},
      {200,
       R"({"status":"success","data":{"resultType":"scalar","result":[1,")" + secret + R"("]}})",
       "the query's value is not a number"},
  };
  for (const Case& c : cases) {
    LoopbackHttpServer server(testing::Answer(c.status, c.body));
    Result<Reading> r = Client(server.url(), 5s)->Query("up");
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_NE(r.error().message.find(c.expected), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().ToString().find("s3cr3t"), std::string::npos) << r.error().ToString();
  }
}

TEST(BoundedReads, CredentialsOfTheUrlAreNotInErrors) {
  LoopbackHttpServer server(testing::Answer(503, "down"));
  const std::string url = "http://user:hunter2@" + server.url().substr(7);
  auto client = Client(url, 5s);
  Result<Reading> r = client->Query("up");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos) << r.error().message;
  EXPECT_EQ(PrometheusMetric(client, "up", 0ms).Describe().find("hunter2"), std::string::npos);
}

// A "Redis" that answers any command with a bulk string that comes a byte every 100 ms: each
// socket read waits less than hiredis' timeout, so only a deadline for the whole read stops it.
void TrickleRedis(boost::asio::ip::tcp::socket& socket) {
  char command[256];
  boost::system::error_code ec;
  socket.read_some(boost::asio::buffer(command), ec);
  if (!ec) boost::asio::write(socket, boost::asio::buffer(std::string("$1000\r\n")), ec);
  for (int i = 0; i < 50 && !ec; ++i) {
    std::this_thread::sleep_for(100ms);
    boost::asio::write(socket, boost::asio::buffer(std::string("x")), ec);
  }
}

// A list queue "jobs" read from the "Redis" `server`, with `timeout` for the whole read.
RedisQueueMetric ListQueueOn(const LoopbackHttpServer& server, std::chrono::milliseconds timeout) {
  auto options = ParseRedisUrl("redis://" + server.url().substr(7));
  EXPECT_TRUE(options.ok());
  options->timeout = timeout;
  QueueSpec spec;
  spec.flavor = "list";
  spec.name = "jobs";
  return RedisQueueMetric(std::make_shared<RedisConnection>(*options), spec);
}

TEST(BoundedReads, TricklingRedisIsStoppedAtTheTotalDeadline) {
  LoopbackHttpServer server(TrickleRedis);
  RedisQueueMetric queue = ListQueueOn(server, 500ms);
  const auto start = Clock::now();
  Result<Reading> r = queue.Read();
  const auto took = Clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kTimeout) << r.error().message;
  EXPECT_LT(took, 1500ms) << "stopped at the deadline of the whole read";
  EXPECT_TRUE(server.WaitForEnded(1, 2s)) << "the server sees the read abandoned";
}

// A "Redis" that answers any command with a 1 GiB bulk string, as fast as it can: hiredis would
// buffer it whole; the read stops at the reply cap and the memory is never taken.
void HugeReplyRedis(boost::asio::ip::tcp::socket& socket) {
  char command[256];
  boost::system::error_code ec;
  socket.read_some(boost::asio::buffer(command), ec);
  if (!ec) boost::asio::write(socket, boost::asio::buffer(std::string("$1073741824\r\n")), ec);
  const std::string chunk(64 * 1024, 'x');
  for (size_t sent = 0; sent < (size_t{1} << 30) && !ec; sent += chunk.size())
    boost::asio::write(socket, boost::asio::buffer(chunk), ec);
}

TEST(BoundedReads, RedisReplyOverTheCapIsRefused) {
  LoopbackHttpServer server(HugeReplyRedis);
  RedisQueueMetric queue = ListQueueOn(server, 5s);
  Result<Reading> r = queue.Read();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kDecode) << r.error().message;
  EXPECT_NE(r.error().message.find("a reply over"), std::string::npos) << r.error().message;
  EXPECT_TRUE(server.WaitForEnded(1, 2s)) << "the connection is closed, not read to the end";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A certificate for 127.0.0.1 and its key, made by the openssl command (as the integration tests
// make theirs); empty when it is not installed.
std::pair<std::string, std::string> LoopbackCertificate() {
  const std::string dir = "/tmp/gearbox-bounded-reads-" + std::to_string(getpid());
  const std::string cmd = "mkdir -p " + dir +
                          " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                          "-nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                          "-keyout " +
                          dir + "/key.pem -out " + dir + "/cert.pem >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return {};
  auto pair = std::make_pair(ReadFile(dir + "/cert.pem"), ReadFile(dir + "/key.pem"));
  std::system(("rm -rf " + dir).c_str());
  return pair;
}

// Answer() over TLS with `context`'s certificate.
LoopbackHttpServer::Behaviour TlsAnswer(std::shared_ptr<boost::asio::ssl::context> context,
                                        std::string body) {
  return [context, body](boost::asio::ip::tcp::socket& socket) {
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> tls(socket, *context);
    boost::system::error_code ec;
    tls.handshake(boost::asio::ssl::stream_base::server, ec);
    boost::asio::streambuf request;
    if (!ec) boost::asio::read_until(tls, request, "\r\n\r\n", ec);
    if (ec) return;
    const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nConnection: close\r\n\r\n" + body;
    boost::asio::write(tls, boost::asio::buffer(answer), ec);
    tls.shutdown(ec);
  };
}

TEST(BoundedReads, HttpsWithTheSourcesCaIsReadAndAnUnknownCaIsATlsError) {
  auto [cert, key] = LoopbackCertificate();
  if (cert.empty()) GTEST_SKIP() << "no openssl command to make a certificate";
  auto context = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  context->use_certificate_chain(boost::asio::buffer(cert));
  context->use_private_key(boost::asio::buffer(key), boost::asio::ssl::context::pem);
  LoopbackHttpServer server(TlsAnswer(
      context, R"({"status":"success","data":{"resultType":"scalar","result":[1,"7"]}})"));
  const std::string url = "https://" + server.url().substr(7);
  auto trusted = PrometheusClient::Create({url, "", cert, 5s});
  ASSERT_TRUE(trusted.ok());
  Result<Reading> r = (*trusted)->Query("up");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value, 7);
  Result<Reading> unknown = Client(url, 5s)->Query("up");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, Error::Kind::kTls) << unknown.error().message;
}

// caSecretRef is the only trust when given (not added to the system's), and a CA that does not
// parse is refused where the policy is built, not silently replaced by the system's CAs.
TEST(BoundedReads, ACaThatDoesNotParseIsRefusedNotIgnored) {
  auto client = PrometheusClient::Create({"https://127.0.0.1:9", "", "not a certificate", 5s});
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().kind, Error::Kind::kConfig);
  EXPECT_NE(client.error().message.find("caSecretRef"), std::string::npos)
      << client.error().message;
}

}  // namespace
}  // namespace gearbox::metrics
