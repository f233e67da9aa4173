// See http_json.h.
#include "metrics/http_json.h"

#include <cpprest/asyncrt_utils.h>

#include "metrics/bounded_http.h"
#include "metrics/redacted_url.h"

namespace gearbox::metrics {

using Json = web::json::value;

namespace {

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

HttpJsonClient::HttpJsonClient(HttpJsonOptions options, std::string kind, HttpServerUrl server)
    : options_(std::move(options)), kind_(std::move(kind)), server_(std::move(server)) {}
HttpJsonClient::~HttpJsonClient() = default;

Result<std::shared_ptr<HttpJsonClient>> HttpJsonClient::Create(const HttpJsonOptions& options,
                                                               const std::string& kind) {
  ASSIGN_OR_RETURN(HttpServerUrl server, ParseHttpServerUrl(options.url, options.ca_pem, kind));
  return std::shared_ptr<HttpJsonClient>(new HttpJsonClient(options, kind, std::move(server)));
}

std::string HttpJsonClient::Where() const { return kind_ + " " + RedactedUrl(options_.url); }

Result<Json> HttpJsonClient::Get(const std::string& suffix, const std::string& query) const {
  std::string target = server_.path + suffix;
  if (target.empty()) target = "/";
  const std::string& own = server_.query;
  const std::string all_query = own + (!own.empty() && !query.empty() ? "&" : "") + query;
  if (!all_query.empty()) target += "?" + all_query;
  HttpTarget request;
  request.tls = server_.tls;
  request.host = server_.host;
  request.port = server_.port;
  request.target = target;
  request.headers = {{"Accept", "application/json"}};
  request.tls_context = server_.tls_context;
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
