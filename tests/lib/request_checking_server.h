// An HTTP server on 127.0.0.1 whose handler sees each whole request (parsed with Beast) and
// answers it: the fake identity endpoints of the token-exchange tests (STS, the GCE metadata
// server, Google's and Entra's token endpoints), which check a request as the provider would, and
// the checking proxies of the Prometheus authentication tests (SigV4 as AMP checks it, headers).
// Requests are kept for the test to inspect.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "loopback_http_server.h"

namespace gearbox::testing {

using FakeRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct FakeAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class RequestCheckingServer {
 public:
  using Handler = std::function<FakeAnswer(const FakeRequest&)>;
  explicit RequestCheckingServer(Handler handler);

  std::string url() const { return server_.url(); }
  std::string host() const { return url().substr(7); }  // "127.0.0.1:PORT"
  int requests() const;
  FakeRequest last() const;

 private:
  Handler handler_;
  mutable std::mutex mu_;
  std::vector<FakeRequest> seen_;
  LoopbackHttpServer server_;  // last: stopped first, while the rest still exists
};

// The fields of an application/x-www-form-urlencoded body, decoded.
std::map<std::string, std::string> FormFields(const std::string& body);

}  // namespace gearbox::testing
