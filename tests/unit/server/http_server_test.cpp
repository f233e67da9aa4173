// The probe server on a real loopback socket: routes, status codes, and that a silent client does
// not block others.
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace gearbox::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct Reply {
  int status;
  std::string content_type;
  std::string body;
};

Reply Get(uint16_t port, const std::string& target, http::verb verb = http::verb::get) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req(verb, target, 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  return {static_cast<int>(res.result_int()), std::string(res[http::field::content_type]),
          res.body()};
}

TEST(HttpServerTest, ProbesAndMetrics) {
  std::atomic<bool> synced{false};
  auto routes = ProbeRoutes([&] { return synced ? std::string() : "caches not synced"; });
  routes.merge(MetricsRoutes([] { return std::string("gearbox_up 1\n"); }));
  auto started = HttpServer::Start("127.0.0.1:0", std::move(routes));
  ASSERT_TRUE(started && *started) << started.error().ToString();
  uint16_t port = (*started)->port();
  ASSERT_NE(port, 0);

  EXPECT_EQ(Get(port, "/healthz").status, 200);
  Reply notready = Get(port, "/readyz");
  EXPECT_EQ(notready.status, 503);
  EXPECT_EQ(notready.body, "not ready: caches not synced\n");
  synced = true;
  EXPECT_EQ(Get(port, "/readyz?verbose").status, 200);

  Reply metrics = Get(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics.body, "gearbox_up 1\n");

  EXPECT_EQ(Get(port, "/nope").status, 404);
  EXPECT_EQ(Get(port, "/healthz", http::verb::post).status, 405);
}

TEST(HttpServerTest, HealthzFailsWhileTheControllerSaysItIsStuck) {
  std::atomic<bool> stuck{true};
  auto routes = ProbeRoutes([] { return std::string(); },
                            [&] { return stuck ? std::string("a worker is stuck") : ""; });
  auto started = HttpServer::Start("127.0.0.1:0", std::move(routes));
  ASSERT_TRUE(started && *started) << started.error().ToString();
  Reply stalled = Get((*started)->port(), "/healthz");
  EXPECT_EQ(stalled.status, 500);
  EXPECT_EQ(stalled.body, "not live: a worker is stuck\n");
  stuck = false;
  EXPECT_EQ(Get((*started)->port(), "/healthz").status, 200);
}

TEST(HttpServerTest, SilentClientDoesNotBlockOthers) {
  auto started = HttpServer::Start("127.0.0.1:0", ProbeRoutes([] { return std::string(); }));
  ASSERT_TRUE(started && *started) << started.error().ToString();
  asio::io_context io;
  asio::ip::tcp::socket silent(io);
  silent.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), (*started)->port()));
  EXPECT_EQ(Get((*started)->port(), "/healthz").status, 200);
}

TEST(HttpServerTest, BadAddressesAreErrorsAndZeroDisables) {
  auto bad = HttpServer::Start("localhost", {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad bind address \"localhost\""), std::string::npos)
      << bad.error().message;
  auto disabled = HttpServer::Start("0", {});
  ASSERT_TRUE(disabled);
  EXPECT_FALSE(*disabled);

  auto first = HttpServer::Start("127.0.0.1:0", {});
  ASSERT_TRUE(first && *first);
  auto second = HttpServer::Start("127.0.0.1:" + std::to_string((*first)->port()), {});
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("listen on 127.0.0.1:"), std::string::npos)
      << second.error().message;
}

}  // namespace
}  // namespace gearbox::server
