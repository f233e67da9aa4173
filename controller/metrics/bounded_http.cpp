// See bounded_http.h.
#include "metrics/bounded_http.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace gearbox::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string FormatMillis(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

bool IsTlsError(const beast::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() ||
         ec.category() == asio::ssl::error::get_stream_category();
}

// What a failed step means, in words that quote nothing the server sent.
Error StepError(const beast::error_code& ec, const HttpLimits& limits, bool connected) {
  if (ec == http::error::body_limit)
    return Error::Of(Error::Kind::kDecode,
                     "answer over the " + FormatBytes(limits.max_body_bytes) + " cap");
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
    return Error::Of(Error::Kind::kDecode,
                     "headers over the " + FormatBytes(limits.max_header_bytes) + " cap");
  if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
      ec != http::error::end_of_stream)
    return Error::Of(Error::Kind::kDecode, "not an HTTP answer");
  if (IsTlsError(ec))
    return Error::Of(Error::Kind::kTls,
                     "TLS failed (is caSecretRef the server's CA?): " + ec.message());
  return Error::Of(Error::Kind::kTransport,
                   (connected ? "the connection failed: " : "cannot connect: ") + ec.message());
}

// One exchange on an io_context of its own. Every step is asynchronous so that the deadline can
// stop it: the io_context runs in this thread until the step completes or the deadline passes,
// and then closing the socket makes the step complete (with an error) at once.
class Exchange {
 public:
  Exchange(const HttpTarget& target, const HttpLimits& limits)
      : target_(target),
        limits_(limits),
        deadline_(std::chrono::steady_clock::now() + limits.deadline),
        socket_(ioc_) {}

  Result<HttpAnswer> Run() {
    if (beast::error_code ec = Connect()) return Failure(ec, false);
    if (target_.tls_context) return TalkTls(*target_.tls_context);
    return Talk(socket_);
  }

 private:
  template <typename Start, typename Cancel>
  beast::error_code Await(Start start, Cancel cancel) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    while (!result && ioc_.run_one_until(deadline_) > 0) {
    }
    if (result) return *result;
    timed_out_ = true;
    cancel();
    ioc_.restart();
    while (!result && ioc_.run_one() > 0) {
    }
    return result.value_or(asio::error::timed_out);
  }
  template <typename Start>
  beast::error_code Await(Start start) {
    return Await(start, [this] {
      beast::error_code ignored;
      socket_.close(ignored);  // the server sees the connection closed
    });
  }

  beast::error_code Connect() {
    tcp::resolver resolver(ioc_);
    tcp::resolver::results_type endpoints;
    beast::error_code ec = Await(
        [&](auto done) {
          resolver.async_resolve(target_.host, target_.port,
                                 [&, done](beast::error_code e, tcp::resolver::results_type r) {
                                   endpoints = std::move(r);
                                   done(e);
                                 });
        },
        [&] { resolver.cancel(); });
    if (ec) return ec;
    return Await([&](auto done) { asio::async_connect(socket_, endpoints, done); });
  }

  // https: the handshake, verifying the server's name, then the exchange over TLS.
  Result<HttpAnswer> TalkTls(asio::ssl::context& context) {
    asio::ssl::stream<tcp::socket&> tls(socket_, context);
    beast::error_code ip_ec;
    asio::ip::make_address(target_.host, ip_ec);
    if (ip_ec) SSL_set_tlsext_host_name(tls.native_handle(), target_.host.c_str());  // SNI
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.set_verify_callback(asio::ssl::host_name_verification(target_.host));
    beast::error_code ec =
        Await([&](auto done) { tls.async_handshake(asio::ssl::stream_base::client, done); });
    if (ec) return Failure(ec, true);
    return Talk(tls);
  }

  template <typename Stream>
  Result<HttpAnswer> Talk(Stream& stream) {
    http::request<http::string_body> req{http::string_to_verb(target_.method), target_.target, 11};
    req.set(http::field::host, HostHeader(target_));
    req.set(http::field::user_agent, "gearbox");
    req.set(http::field::connection, "close");
    for (const auto& [name, value] : target_.headers) req.set(name, value);
    if (!target_.body.empty()) {
      req.body() = target_.body;
      req.prepare_payload();
    }
    beast::error_code ec = Await([&](auto done) { http::async_write(stream, req, done); });
    if (ec) return Failure(ec, true);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(limits_.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    // The headers first: Beast 1.74 does not apply body_limit to a Content-Length that comes in
    // the same read as the headers once the parser is eager, so the length is checked here.
    ec = Await([&](auto done) { http::async_read_header(stream, buffer, parser, done); });
    if (!ec && parser.content_length().value_or(0) > limits_.max_body_bytes)
      ec = http::error::body_limit;
    if (!ec) ec = Await([&](auto done) { http::async_read(stream, buffer, parser, done); });
    if (ec) return Failure(ec, true);
    beast::error_code ignored;
    socket_.close(ignored);
    return HttpAnswer{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
  }

  Error Failure(const beast::error_code& ec, bool connected) {
    beast::error_code ignored;
    socket_.close(ignored);
    if (timed_out_)
      return Error::Of(Error::Kind::kTimeout,
                       "no complete answer within " + FormatMillis(limits_.deadline));
    return StepError(ec, limits_, connected);
  }

  const HttpTarget& target_;
  const HttpLimits& limits_;
  const std::chrono::steady_clock::time_point deadline_;
  asio::io_context ioc_{1};
  tcp::socket socket_;
  bool timed_out_ = false;
};

}  // namespace

std::string FormatBytes(size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " B";
}

std::string HostHeader(const HttpTarget& target) {
  const bool default_port = target.port == (target.tls ? "443" : "80");
  return default_port ? target.host : target.host + ":" + target.port;
}

Result<HttpAnswer> BoundedGet(const HttpTarget& target, const HttpLimits& limits) {
  if (http::string_to_verb(target.method) == http::verb::unknown)
    return Error::Of(Error::Kind::kConfig, "unknown HTTP method");
  return Exchange(target, limits).Run();
}

}  // namespace gearbox::metrics
