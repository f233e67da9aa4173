// See http_server.h.
#include "server/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <thread>
#include <type_traits>

namespace gearbox::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kRequestDeadline = std::chrono::seconds(10);

// The bearer token of a request's Authorization header, "" when it has none.
std::string BearerToken(const http::request<http::string_body>& request) {
  const std::string header(request[http::field::authorization]);
  const std::string prefix = "Bearer ";
  if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return "";
  return header.substr(prefix.size());
}

// The answer to a request: 405 for a method other than GET/HEAD, 404 off the routes, the
// authorizer's refusal, else the route's.
HttpResponse Answer(const http::request<http::string_body>& request,
                    const std::map<std::string, Handler>& routes, const Authorizer& authorize) {
  std::string target(request.target());
  target = target.substr(0, target.find('?'));
  auto route = routes.find(target);
  if (request.method() != http::verb::get && request.method() != http::verb::head)
    return {405, "text/plain; charset=utf-8", "method not allowed\n"};
  if (route == routes.end()) return {404, "text/plain; charset=utf-8", "not found\n"};
  if (authorize) {
    if (auto refused = authorize(BearerToken(request), target)) return *refused;
  }
  return route->second();
}

// One connection: requests read and answered in turn, each within the deadline. Stream is a
// beast::tcp_stream, or an SSL stream over one (the handshake first).
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... Args>
  Session(const std::map<std::string, Handler>& routes, const Authorizer& authorize, Args&&... args)
      : stream_(std::forward<Args>(args)...), routes_(routes), authorize_(authorize) {}

  void Start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      Read();
    } else {
      beast::get_lowest_layer(stream_).expires_after(kRequestDeadline);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->Read();
                              });
    }
  }

 private:
  void Read() {
    request_ = {};
    beast::get_lowest_layer(stream_).expires_after(kRequestDeadline);
    http::async_read(stream_, buffer_, request_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->Respond();
                     });
  }

  void Respond() {
    HttpResponse out = Answer(request_, routes_, authorize_);
    response_ = {};
    response_.version(request_.version());
    response_.result(static_cast<http::status>(out.status));
    response_.set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) response_.set(name, value);
    response_.keep_alive(request_.keep_alive());
    if (request_.method() != http::verb::head) response_.body() = std::move(out.body);
    response_.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kRequestDeadline);
    http::async_write(stream_, response_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (ec || !self->response_.keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  const std::map<std::string, Handler>& routes_;
  const Authorizer& authorize_;
};

// A server context presenting `identity`: TLS 1.2 or later.
Result<std::unique_ptr<asio::ssl::context>> ServerContext(const TlsIdentity& identity) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  beast::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1,
                   ec);
  if (!ec) ctx->use_certificate_chain(asio::buffer(identity.cert_pem), ec);
  if (!ec) ctx->use_private_key(asio::buffer(identity.key_pem), asio::ssl::context::pem, ec);
  if (ec) return Error::Of(Error::Kind::kTls, "the serving certificate: " + ec.message());
  return ctx;
}

// "host:port", ":port" (all interfaces) or "[v6]:port" as an endpoint to listen on.
Result<tcp::endpoint> ParseAddress(const std::string& address) {
  auto bad = [&](const std::string& why) -> Result<tcp::endpoint> {
    return Error::Of(Error::Kind::kConfig, "bad bind address \"" + address + "\": " + why);
  };
  constexpr const char* kWant = "want host:port, :port or 0";
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return bad(kWant);
  std::string host = address.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string digits = address.substr(colon + 1);
  unsigned long port = 0;
  try {
    size_t used = 0;
    port = std::stoul(digits, &used);
    if (used != digits.size() || port > 65535) return bad(kWant);
  } catch (const std::exception&) {  // std::stoul throws on no digits at all
    return bad(kWant);
  }
  beast::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) return bad(ec.message());
  return tcp::endpoint(ip, static_cast<uint16_t>(port));
}

}  // namespace

struct HttpServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::map<std::string, Handler> routes;
  Authorizer authorize;
  std::unique_ptr<asio::ssl::context> tls;  // null: plain HTTP
  std::thread thread;

  void Accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) Serve(std::move(socket));
      Accept();
    });
  }

  void Serve(tcp::socket socket) {
    if (tls) {
      using TlsStream = beast::ssl_stream<beast::tcp_stream>;
      std::make_shared<Session<TlsStream>>(routes, authorize, std::move(socket), *tls)->Start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(routes, authorize, std::move(socket))->Start();
    }
  }
};

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& address,
                                                      std::map<std::string, Handler> routes,
                                                      ServerOptions options) {
  if (address == "0") return std::unique_ptr<HttpServer>();
  ASSIGN_OR_RETURN(tcp::endpoint endpoint, ParseAddress(address));
  auto impl = std::make_unique<Impl>();
  impl->routes = std::move(routes);
  impl->authorize = std::move(options.authorize);
  if (options.tls) {
    ASSIGN_OR_RETURN(impl->tls, ServerContext(*options.tls));
  }
  beast::error_code ec;
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error::Of(Error::Kind::kTransport, "listen on " + address + ": " + ec.message());
  impl->Accept();
  impl->thread = std::thread([raw = impl.get()] { raw->io.run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
  beast::error_code ignored;
  impl_->acceptor.close(ignored);  // the I/O thread is gone: nothing else touches it now
}

std::map<std::string, Handler> ProbeRoutes(std::function<std::string()> not_ready_reason,
                                           std::function<std::string()> not_live_reason) {
  return {
      {"/healthz",
       [reason = std::move(not_live_reason)] {
         std::string why = reason ? reason() : "";
         if (why.empty()) return HttpResponse{200, "text/plain; charset=utf-8", "ok\n"};
         return HttpResponse{500, "text/plain; charset=utf-8", "not live: " + why + "\n"};
       }},
      {"/readyz",
       [reason = std::move(not_ready_reason)] {
         std::string why = reason();
         if (why.empty()) return HttpResponse{200, "text/plain; charset=utf-8", "ok\n"};
         return HttpResponse{503, "text/plain; charset=utf-8", "not ready: " + why + "\n"};
       }},
  };
}

std::map<std::string, Handler> MetricsRoutes(std::function<std::string()> render) {
  return {{"/metrics", [render = std::move(render)] {
             return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", render()};
           }}};
}

}  // namespace gearbox::server
