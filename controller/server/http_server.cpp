// See http_server.h.
#include "server/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

namespace gearbox::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kRequestDeadline = std::chrono::seconds(10);

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const std::map<std::string, Handler>& routes)
      : stream_(std::move(socket)), routes_(routes) {}

  void Start() { Read(); }

 private:
  void Read() {
    request_ = {};
    stream_.expires_after(kRequestDeadline);
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->Respond();
                     });
  }

  void Respond() {
    HttpResponse out;
    std::string target(request_.target());
    target = target.substr(0, target.find('?'));
    auto route = routes_.find(target);
    if (request_.method() != http::verb::get && request_.method() != http::verb::head) {
      out = {405, "text/plain; charset=utf-8", "method not allowed\n"};
    } else if (route == routes_.end()) {
      out = {404, "text/plain; charset=utf-8", "not found\n"};
    } else {
      out = route->second();
    }
    response_ = {};
    response_.version(request_.version());
    response_.result(static_cast<http::status>(out.status));
    response_.set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) response_.set(name, value);
    response_.keep_alive(request_.keep_alive());
    if (request_.method() != http::verb::head) response_.body() = std::move(out.body);
    response_.prepare_payload();
    stream_.expires_after(kRequestDeadline);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec || !self->response_.keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  const std::map<std::string, Handler>& routes_;
};

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
  std::thread thread;

  void Accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(socket), routes)->Start();
      Accept();
    });
  }
};

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& address,
                                                      std::map<std::string, Handler> routes) {
  if (address == "0") return std::unique_ptr<HttpServer>();
  ASSIGN_OR_RETURN(tcp::endpoint endpoint, ParseAddress(address));
  auto impl = std::make_unique<Impl>();
  impl->routes = std::move(routes);
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
