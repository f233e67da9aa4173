// See http_json.h.
#include "metrics/http_json.h"

#include <cpprest/asyncrt_utils.h>
#include <cpprest/base_uri.h>

#include <boost/asio/ssl/context.hpp>

#include "metrics/bounded_http.h"
#include "metrics/redacted_url.h"

namespace gearbox::metrics {

using Json = web::json::value;

namespace {

// Peers verified: the policy's CA alone when it names one, else the system's CAs. A CA that does
// not parse is an error, not silently the system's trust.
Result<std::shared_ptr<boost::asio::ssl::context>> VerifyingContext(const std::string& ca_pem) {
  auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  boost::system::error_code ec;
  if (ca_pem.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->add_certificate_authority(boost::asio::buffer(ca_pem), ec);
  }
  if (ec) return Error::Of(Error::Kind::kConfig, "the CA (caSecretRef) is not a PEM certificate");
  return ctx;
}

std::string Basic(const std::string& user, const std::string& password) {
  const std::string pair = user + ":" + password;
  return "Basic " + utility::conversions::to_utf8string(utility::conversions::to_base64(
                        std::vector<unsigned char>(pair.begin(), pair.end())));
}

}  // namespace

std::string HttpJsonOptions::Key() const {
  return url + "\n" + bearer_token + "\n" + username + "\n" + password + "\n" + ca_pem + "\n" +
         std::to_string(timeout.count()) + "\n" + std::to_string(max_body_bytes);
}

HttpJsonClient::HttpJsonClient(HttpJsonOptions options, std::string kind)
    : options_(std::move(options)), kind_(std::move(kind)) {}
HttpJsonClient::~HttpJsonClient() = default;

Result<std::shared_ptr<HttpJsonClient>> HttpJsonClient::Create(const HttpJsonOptions& options,
                                                               const std::string& kind) {
  auto refuse = [&](const std::string& why) -> Result<std::shared_ptr<HttpJsonClient>> {
    return Error::Of(Error::Kind::kConfig,
                     kind + " url \"" + RedactedUrl(options.url) + "\" " + why);
  };
  if (options.url.rfind("http://", 0) != 0 && options.url.rfind("https://", 0) != 0)
    return refuse("must start with http:// or https://");
  std::shared_ptr<HttpJsonClient> c(new HttpJsonClient(options, kind));
  try {
    const web::uri uri(options.url);
    c->tls_ = uri.scheme() == "https";
    c->host_ = uri.host();
    c->port_ = std::to_string(uri.port() > 0 ? uri.port() : (c->tls_ ? 443 : 80));
    c->path_ = uri.path() == "/" ? "" : uri.path();
    c->query_ = uri.query();
  } catch (const std::exception&) {  // cpprestsdk throws on a URL it cannot parse
    return refuse("is not a URL");
  }
  if (c->host_.empty()) return refuse("names no host");
  if (c->tls_) {
    ASSIGN_OR_RETURN(c->tls_context_, VerifyingContext(options.ca_pem));
  }
  return c;
}

std::string HttpJsonClient::Where() const { return kind_ + " " + RedactedUrl(options_.url); }

Result<Json> HttpJsonClient::Get(const std::string& suffix, const std::string& query) const {
  std::string target = path_ + suffix;
  if (target.empty()) target = "/";
  const std::string all_query = query_ + (!query_.empty() && !query.empty() ? "&" : "") + query;
  if (!all_query.empty()) target += "?" + all_query;
  HttpTarget request{tls_, host_, port_, target, {{"Accept", "application/json"}}, tls_context_};
  if (!options_.bearer_token.empty())
    request.headers.emplace_back("Authorization", "Bearer " + options_.bearer_token);
  else if (!options_.username.empty())
    request.headers.emplace_back("Authorization", Basic(options_.username, options_.password));
  Result<HttpAnswer> answer =
      BoundedGet(request, HttpLimits{options_.timeout, options_.max_body_bytes});
  if (!answer) {
    Error e = std::move(answer).error();
    e.message = Where() + ": " + e.message;
    return e;
  }
  return ParseAnswer(answer->status, answer->body, Where());
}

Result<Json> HttpJsonClient::ParseAnswer(int code, const std::string& body,
                                         const std::string& what) {
  const std::string code_text = "HTTP " + std::to_string(code) + " from the source";
  if (code >= 300 && code < 400)
    return Error::Of(Error::Kind::kConfig,
                     what + ": answered with a redirect (" + std::to_string(code) +
                         "), which Gearbox does not follow: name the server that answers");
  if (code == 401 || code == 403)
    return Error::Of(Error::Kind::kAuth, what + ": " + code_text + " (are the credentials right?)");
  if (code < 200 || code >= 300) return Error::Api(code, "", what + ": " + code_text);
  try {
    return Json::parse(body);
  } catch (const std::exception&) {  // not JSON: say so, without quoting it
    return Error::Of(Error::Kind::kDecode, what + ": " + code_text + " is not JSON");
  }
}

}  // namespace gearbox::metrics
