// One HTTP(S) request (a GET, or a POST with a form body for token endpoints) whose cost does not
// depend on the server: Boost.Beast on an io_context of its own, run in the caller's thread. The
// whole exchange (resolve, connect, TLS, request, headers, body) has ONE deadline, not an idle
// timeout re-armed by every byte, and the body one byte cap however it is framed (Content-Length,
// chunked, or read until the server closes). Past the deadline the socket is closed, so the server
// sees the read abandoned and the thread is free. Errors say what happened in fixed words and never
// quote the answer.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace gearbox::metrics {

struct HttpTarget {
  bool tls = false;
  std::string host;
  std::string port;    // "80", "443", ...
  std::string target;  // path and query, "/api/v1/query?query=up"
  std::vector<std::pair<std::string, std::string>> headers;  // a Host here replaces HostHeader()
  // https: the context that verifies the server (null: http). Shared by every request of a client.
  std::shared_ptr<boost::asio::ssl::context> tls_context;
  std::string method = "GET";
  std::string body;  // sent with a Content-Length when not empty
};

struct HttpLimits {
  std::chrono::milliseconds deadline{5000};  // for the whole exchange
  size_t max_body_bytes = 4 << 20;
  size_t max_header_bytes = 64 << 10;
};

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// The answer, or an Error: kTimeout ("no complete answer within 5s"), kDecode ("answer over the
// 256 KiB cap", "not an HTTP answer"), kTls, kTransport.
Result<HttpAnswer> BoundedGet(const HttpTarget& target, const HttpLimits& limits);

// The Host header the request carries: the host, with the port when it is not the scheme's
// default (RFC 9110). Signers (SigV4) sign this value.
std::string HostHeader(const HttpTarget& target);

// "4 MiB", "512 KiB", "100 B": how the caps read in errors.
std::string FormatBytes(size_t bytes);

}  // namespace gearbox::metrics
