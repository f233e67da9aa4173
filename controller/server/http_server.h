// A small HTTP/1.1 server on Boost.Beast for the controller's health probes and /metrics.
// cpprestsdk's http_listener is not meant for production (its maintainers say so), hence Beast.
// Optionally HTTPS (Boost.Beast over Asio's OpenSSL stream) with an Authorizer in front of every
// route, for /metrics served as controller-runtime serves it. One I/O thread serves every
// connection asynchronously; each request and response must complete within a deadline, so a slow
// or idle client cannot hold the probes hostage.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"

namespace gearbox::server {

struct HttpResponse {
  HttpResponse(int status_code = 200, std::string type = "text/plain; charset=utf-8",
               std::string text = "", std::map<std::string, std::string> more_headers = {})
      : status(status_code),
        content_type(std::move(type)),
        body(std::move(text)),
        headers(std::move(more_headers)) {}

  int status;
  std::string content_type;
  std::string body;
  std::map<std::string, std::string> headers;  // any others (a test's Location, Retry-After)
};

// Handlers run on the server's I/O thread: they must be quick and must not block.
using Handler = std::function<HttpResponse()>;

// Decides whether a request may be served, from its bearer token ("" when it has none) and path:
// none when it may, else the answer to send (401, 403). It runs on the server's I/O thread and
// may block on a bounded call (a TokenReview): give it a server of its own.
using Authorizer =
    std::function<std::optional<HttpResponse>(const std::string& token, const std::string& path)>;

// The certificate and key a server presents, PEM.
struct TlsIdentity {
  std::string cert_pem;
  std::string key_pem;
};

struct ServerOptions {
  std::optional<TlsIdentity> tls;  // HTTPS with this identity; none: plain HTTP
  Authorizer authorize;            // null: every request is served
};

class HttpServer {
 public:
  // address: "host:port", ":port" (all interfaces) or "0" (disabled: a null server, no error).
  // Port 0 picks a free port (see port()). An error says why it could not listen, or why the
  // TLS identity cannot be used.
  static Result<std::unique_ptr<HttpServer>> Start(const std::string& address,
                                                   std::map<std::string, Handler> routes,
                                                   ServerOptions options = {});

  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Routes for the controller: /healthz (500 when not_live_reason() says why, e.g. a stuck worker:
// the kubelet then restarts the container), /readyz (503 when not_ready_reason() says why),
// /metrics (render() returns the exposition text).
std::map<std::string, Handler> ProbeRoutes(std::function<std::string()> not_ready_reason,
                                           std::function<std::string()> not_live_reason = {});
std::map<std::string, Handler> MetricsRoutes(std::function<std::string()> render);

}  // namespace gearbox::server
