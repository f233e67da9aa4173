// See token_endpoint.h.
#include "metrics/token_endpoint.h"

#include <cpprest/base_uri.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "metrics/digest.h"

namespace gearbox::metrics {

namespace {

// The endpoint's URL as a request: https verifies the server against the system's CAs (the
// providers' endpoints have public certificates).
Result<HttpTarget> TargetOf(const std::string& url, const std::string& what) {
  auto refuse = Error::Of(Error::Kind::kConfig, what + ": the endpoint URL is not a URL");
  if (!web::uri::validate(url)) return refuse;
  web::uri uri(url);
  if (uri.host().empty() || (uri.scheme() != "http" && uri.scheme() != "https")) return refuse;
  HttpTarget target;
  target.tls = uri.scheme() == "https";
  target.host = uri.host();
  target.port = std::to_string(uri.port() > 0 ? uri.port() : (target.tls ? 443 : 80));
  target.target =
      (uri.path().empty() ? "/" : uri.path()) + (uri.query().empty() ? "" : "?" + uri.query());
  if (target.tls) {
    target.tls_context =
        std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    target.tls_context->set_default_verify_paths();
  }
  return target;
}

class CachedTokens final : public TokenSource {
 public:
  CachedTokens(ExpiringCache<std::string>::Fetch fetch, const kube::Clock& clock)
      : cache_(std::move(fetch), clock) {}
  Result<std::string> Token() override { return cache_.Get(); }

 private:
  ExpiringCache<std::string> cache_;
};

Error StatusError(int status, const std::string& what) {
  const std::string text = what + " answered HTTP " + std::to_string(status);
  if (status == 400 || status == 401 || status == 403)
    return Error::Of(Error::Kind::kAuth, text + " (the credential was refused)");
  return Error::Api(status, "", text);
}

}  // namespace

Result<std::string> CallTokenEndpoint(const TokenRequest& request) {
  ASSIGN_OR_RETURN(HttpTarget target, TargetOf(request.url, request.what));
  target.method = request.method;
  target.headers = request.headers;
  target.headers.emplace_back("Accept", "application/json");
  if (request.method == "POST") {
    target.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    target.body = FormEncode(request.form);
  }
  Result<HttpAnswer> answer = BoundedGet(target, HttpLimits{kTokenDeadline, kMaxTokenAnswerBytes});
  if (!answer) {
    Error e = std::move(answer).error();
    e.message = request.what + ": " + e.message;
    return e;
  }
  if (answer->status < 200 || answer->status >= 300)
    return StatusError(answer->status, request.what);
  return std::move(answer->body);
}

std::shared_ptr<TokenSource> CachedTokenSource(ExpiringCache<std::string>::Fetch fetch,
                                               const kube::Clock& clock) {
  return std::make_shared<CachedTokens>(std::move(fetch), clock);
}

Result<std::string> ReadProjectedToken(const std::string& path, const std::string& variable) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (path.empty() || !in || token.empty())
    return Error::Of(Error::Kind::kConfig, "the token file of " + variable + " cannot be read");
  return token;
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

Result<Expiring<std::string>> ParseOAuthToken(const std::string& body, const std::string& what) {
  const Error malformed =
      Error::Of(Error::Kind::kDecode, what + ": the answer is not an OAuth token");
  try {
    auto doc = web::json::value::parse(body);
    if (!doc.has_string_field("access_token") || doc.at("access_token").as_string().empty())
      return malformed;
    int64_t expires_in = 0;
    if (doc.has_number_field("expires_in"))
      expires_in = doc.at("expires_in").as_number().to_int64();
    if (doc.has_string_field("expires_in"))  // Entra's v1 endpoints send it as text
      expires_in = std::stoll(doc.at("expires_in").as_string());
    if (expires_in <= 0)
      return Error::Of(Error::Kind::kAuth, what + ": the token has already expired");
    return Expiring<std::string>{doc.at("access_token").as_string(),
                                 std::chrono::seconds(expires_in)};
  } catch (const std::exception&) {  // cpprestsdk and stoll throw on what they cannot read
    return malformed;
  }
}

}  // namespace gearbox::metrics
