// A fake identity endpoint on 127.0.0.1 for the token-exchange tests (STS, the GCE metadata
// server, Google's and Entra's token endpoints, a SigV4-checking AMP): each request is parsed with
// Beast, kept for the test to inspect, and answered by the test's handler, which checks it as the
// provider would.
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

class FakeIdentityEndpoint {
 public:
  using Handler = std::function<FakeAnswer(const FakeRequest&)>;
  explicit FakeIdentityEndpoint(Handler handler);

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
