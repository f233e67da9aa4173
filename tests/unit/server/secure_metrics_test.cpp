// /metrics served as controller-runtime's secure metrics are: HTTPS with a self-signed
// certificate made at start, an Authorizer in front (the controller's asks the API server), a
// scrape without a token refused, one the authorizer accepts served, plain HTTP not spoken.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "server/http_server.h"
#include "server/self_signed.h"

namespace gearbox::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// One HTTPS GET of /metrics (the certificate not verified: it is self-signed), with `token`.
Result<std::pair<int, std::string>> GetOverTls(uint16_t port, const std::string& token) {
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  beast::error_code ec;
  beast::get_lowest_layer(stream).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (!ec) stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return Error::Of(Error::Kind::kTls, ec.message());
  http::request<http::empty_body> req(http::verb::get, "/metrics", 11);
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  return std::make_pair(static_cast<int>(res.result_int()), res.body());
}

Result<std::unique_ptr<HttpServer>> SecureMetrics() {
  ServerOptions options;
  ASSIGN_OR_RETURN(options.tls, SelfSignedIdentity("gearbox-controller"));
  options.authorize = [](const std::string& token,
                         const std::string& path) -> std::optional<HttpResponse> {
    if (token.empty()) return HttpResponse{401, "text/plain", "unauthorized\n"};
    if (token != "prometheus" || path != "/metrics")
      return HttpResponse{403, "text/plain", "forbidden\n"};
    return std::nullopt;
  };
  return HttpServer::Start("127.0.0.1:0",
                           MetricsRoutes([] { return std::string("gearbox_up 1\n"); }),
                           std::move(options));
}

TEST(SecureMetrics, AScrapeWithoutATokenIsRefused) {
  auto server = SecureMetrics();
  ASSERT_TRUE(server) << server.error().message;
  auto reply = GetOverTls((*server)->port(), "");
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->first, 401);
  EXPECT_EQ(reply->second.find("gearbox_up"), std::string::npos);
}

TEST(SecureMetrics, AScrapeTheAuthorizerRefusesIsForbidden) {
  auto server = SecureMetrics();
  ASSERT_TRUE(server) << server.error().message;
  auto reply = GetOverTls((*server)->port(), "someone-else");
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->first, 403);
}

TEST(SecureMetrics, AnAuthorizedScrapeIsServedOverTls) {
  auto server = SecureMetrics();
  ASSERT_TRUE(server) << server.error().message;
  auto reply = GetOverTls((*server)->port(), "prometheus");
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->first, 200);
  EXPECT_EQ(reply->second, "gearbox_up 1\n");
}

TEST(SecureMetrics, PlainHttpGetsNoMetrics) {
  auto server = SecureMetrics();
  ASSERT_TRUE(server) << server.error().message;
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), (*server)->port()));
  http::request<http::empty_body> req(http::verb::get, "/metrics", 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buf, res, ec);
  EXPECT_TRUE(ec) << "a TLS server does not answer plain HTTP: " << res.body();
}

TEST(SecureMetrics, AServingCertificateThatDoesNotParseIsAnError) {
  ServerOptions options;
  options.tls = TlsIdentity{"not a certificate", "not a key"};
  auto server = HttpServer::Start("127.0.0.1:0", {}, std::move(options));
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().kind, Error::Kind::kTls);
}

}  // namespace
}  // namespace gearbox::server
