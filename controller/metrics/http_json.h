// A JSON document read over HTTP(S) from a server a policy names (a metrics-api endpoint, the
// RabbitMQ management API): one bounded GET (bounded_http.h: one deadline for the whole exchange,
// a byte cap on the answer), with a bearer token or basic authentication and a CA of the policy's
// own. A 2xx answer that parses as JSON is the document; anything else is an Error in fixed words
// with the HTTP status, never the answer's text (status is readable by more people than the
// server's data). Redirects are not followed: the credentials go to the server named and no other.
#pragma once

#include <cpprest/json.h>

#include <chrono>
#include <memory>
#include <string>

#include "base/result.h"
#include "metrics/http_url.h"

namespace gearbox::metrics {

struct HttpJsonOptions {
  std::string url;           // http(s)://host[:port][/path][?query]
  std::string bearer_token;  // sent as Authorization: Bearer
  std::string username;      // with password: Authorization: Basic (when username is set)
  std::string password;
  std::string ca_pem;  // trusted CA for https; empty: the system's
  std::chrono::milliseconds timeout{5000};
  size_t max_body_bytes = 256 << 10;
  std::string Key() const;  // what makes two options the same client
};

class HttpJsonClient {
 public:
  // `kind` names the source in errors ("metrics-api", "rabbitmq"); an Error (kConfig) when the
  // URL cannot be used or the CA does not parse.
  static Result<std::shared_ptr<HttpJsonClient>> Create(const HttpJsonOptions& options,
                                                        const std::string& kind);
  ~HttpJsonClient();

  // GET the URL's path followed by `suffix` (percent-encoded already) and `query` ("a=b&c=d",
  // after the URL's own query): the document of a 2xx JSON answer.
  Result<web::json::value> Get(const std::string& suffix = "", const std::string& query = "") const;

  // "rabbitmq http://rabbitmq.shop:15672" (the URL without credentials), for errors and logs.
  std::string Where() const;
  const HttpJsonOptions& options() const { return options_; }

  // A non-2xx or non-JSON answer as an Error (fixed words + the status), for tests.
  static Result<web::json::value> ParseAnswer(int http_code, const std::string& body,
                                              const std::string& what);

 private:
  HttpJsonClient(HttpJsonOptions options, std::string kind, HttpServerUrl server);

  HttpJsonOptions options_;
  std::string kind_;
  HttpServerUrl server_;
};

}  // namespace gearbox::metrics
