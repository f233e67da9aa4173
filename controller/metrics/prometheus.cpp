#include "metrics/prometheus.h"

#include <cpprest/asyncrt_utils.h>
#include <cpprest/base_uri.h>
#include <cpprest/json.h>
#include <cpprest/uri_builder.h>

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <cmath>
#include <set>

#include "metrics/bounded_http.h"
#include "metrics/http_url.h"
#include "metrics/redacted_url.h"
#include "metrics/request_auth.h"

namespace gearbox::metrics {

using Json = web::json::value;

namespace {

// An instant query's answer is a few hundred bytes; a server that sends more than this is not one
// to hold in memory. (Every read in flight may hold this much: with 4 MiB, the hostile tenant of
// tests/bench/metrics made the controller's RSS grow by 44 MiB, with 256 KiB by 4 MiB.)
constexpr size_t kMaxAnswerBytes = 256 << 10;

// Prometheus' own words for a failed query (its API's errorType). The `error` text beside it is
// not shown: it quotes the query, label values or whatever a server that is not Prometheus put
// there, and the policy's status is readable by more people than the server's data.
std::string KnownErrorType(const Json& doc) {
  static const std::set<std::string> kTypes = {"bad_data",  "execution",     "timeout",
                                               "canceled",  "internal",      "unavailable",
                                               "not_found", "not_acceptable"};
  if (!doc.has_string_field("errorType")) return "";
  const std::string& type = doc.at("errorType").as_string();
  return kTypes.count(type) ? type : "";
}

// The client certificate and its key (mutual TLS) in the server's TLS context (http_url.h); an
// error when either does not parse or they do not match, which says so without quoting them.
Status UseClientCertificate(boost::asio::ssl::context& ctx, const PrometheusOptions& o) {
  if (o.cert_pem.empty() && o.key_pem.empty()) return OkStatus();
  boost::system::error_code ec;
  ctx.use_certificate_chain(boost::asio::buffer(o.cert_pem), ec);
  if (!ec) ctx.use_private_key(boost::asio::buffer(o.key_pem), boost::asio::ssl::context::pem, ec);
  if (!ec && SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    ec = boost::asio::error::invalid_argument;
  if (ec)
    return Error::Of(Error::Kind::kConfig,
                     "the client certificate (tls.certSecretRef, tls.keySecretRef) is not a PEM "
                     "certificate and its matching key");
  return OkStatus();
}

// The headers that authenticate with what the policy's Secrets hold: custom headers, then the
// bearer token or basic credentials (which the CRD does not let a custom header contradict).
void AddStaticAuth(const PrometheusOptions& o, HttpTarget& target) {
  for (const auto& header : o.headers) target.headers.push_back(header);
  if (!o.bearer_token.empty())
    target.headers.emplace_back("Authorization", "Bearer " + o.bearer_token);
  if (!o.basic_password.empty()) {
    const std::string pair = o.basic_username + ":" + o.basic_password;
    target.headers.emplace_back(
        "Authorization", "Basic " + utility::conversions::to_base64(
                                        std::vector<unsigned char>(pair.begin(), pair.end())));
  }
}

Error SeveralSeries(const Json& series, const std::string& what) {
  return Error::Of(Error::Kind::kAmbiguous,
                   what + ": the query returned " + std::to_string(series.size()) +
                       " series where one number is needed (aggregate it, e.g. sum(...))");
}

// The sample's text and the labels of its series, from a scalar or a one-sample vector.
Result<std::pair<std::string, std::string>> InstantSample(const Json& data,
                                                          const std::string& what) {
  std::string type = data.at("resultType").as_string();
  const Json& result = data.at("result");
  if (type == "scalar") return std::make_pair(result.as_array().at(1).as_string(), std::string());
  if (type != "vector") {
    const bool known = type == "matrix" || type == "string";
    return Error::Of(Error::Kind::kAmbiguous,
                     what + ": the query returned " + (known ? "a " + type : "something else") +
                         ", not a number (an instant query must yield a scalar or one sample)");
  }
  if (result.size() == 0) {
    return Error::Of(Error::Kind::kNoData,
                     what +
                         ": the query returned no series (nothing matches, or the metric is not "
                         "scraped yet)");
  }
  if (result.size() > 1) return SeveralSeries(result, what);
  return std::make_pair(result.at(0).at("value").as_array().at(1).as_string(),
                        result.at(0).at("metric").serialize());
}

// The data of an /api/v1/query answer as one finite number.
Result<Reading> ParseInstantData(const Json& data, const std::string& what) {
  try {
    ASSIGN_OR_RETURN(auto sample, InstantSample(data, what));
    const std::string& text = sample.first;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) {
      return Error::Of(Error::Kind::kDecode, what + ": the query's value is not a number");
    }
    if (!std::isfinite(v)) {
      return Error::Of(Error::Kind::kNotANumber,
                       what + ": the query's value is NaN or infinite" +
                           " (a division by zero, or a histogram with no observations?)");
    }
    return Reading{v, sample.second};
  } catch (const std::exception& e) {  // web::json throws on a field of another type
    return Error::Of(Error::Kind::kDecode,
                     what + ": unexpected answer (not the fields of an instant query)");
  }
}

}  // namespace

std::string PrometheusOptions::Key() const {
  std::string key = url + "\n" + bearer_token + "\n" + ca_pem + "\n" +
                    std::to_string(timeout.count()) + "\n" + basic_username + "\n" +
                    basic_password + "\n" + cert_pem + "\n" + key_pem + "\n" + auth_key;
  for (const auto& [name, value] : headers)
    key.append("\n").append(name).append(": ").append(value);
  return key;
}

PrometheusClient::PrometheusClient(PrometheusOptions options) : options_(std::move(options)) {}
PrometheusClient::~PrometheusClient() = default;

Result<std::shared_ptr<PrometheusClient>> PrometheusClient::Create(
    const PrometheusOptions& options) {
  ASSIGN_OR_RETURN(HttpServerUrl server,
                   ParseHttpServerUrl(options.url, options.ca_pem, "prometheus"));
  std::shared_ptr<PrometheusClient> c(new PrometheusClient(options));
  c->tls_ = server.tls;
  c->host_ = server.host;
  c->port_ = server.port;
  c->base_path_ = server.path.empty() ? "/" : server.path;
  c->tls_context_ = server.tls_context;
  if (c->tls_context_) RETURN_IF_ERROR(UseClientCertificate(*c->tls_context_, options));
  return c;
}

std::string PrometheusClient::Where() const { return "prometheus " + RedactedUrl(options_.url); }

int64_t PrometheusClient::requests() const {
  MutexLock lock(mu_);
  return requests_;
}

Result<Reading> PrometheusClient::Query(const std::string& promql,
                                        std::chrono::milliseconds max_age) {
  auto now = std::chrono::steady_clock::now();
  {
    MutexLock lock(mu_);
    // Someone is asking already: take their answer. (Looked up afresh after the wait: another
    // query's Finish may have pruned the entry meanwhile.)
    while (cache_[promql].in_flight) cv_.wait(mu_);
    Entry& e = cache_[promql];
    if (e.sample && now - e.at <= max_age) return *e.sample;
    e.in_flight = true;
  }
  // However the fetch ends (an answer, an error, an exception of any type), the query stops
  // being in flight and its waiters wake up.
  std::optional<Result<Reading>> answer;
  struct Done {
    PrometheusClient& client;
    const std::string& promql;
    const std::optional<Result<Reading>>& answer;
    ~Done() { client.Finish(promql, answer); }
  } done{*this, promql, answer};
  try {
    answer = Fetch(promql);
  } catch (const std::exception& e) {
    answer = Error::Of(Error::Kind::kDecode, Where() + ": " + e.what());
  }
  return *answer;
}

void PrometheusClient::Finish(const std::string& promql,
                              const std::optional<Result<Reading>>& answer) {
  {
    MutexLock lock(mu_);
    Entry& e = cache_[promql];
    e.in_flight = false;
    if (answer) {
      e.at = std::chrono::steady_clock::now();
      e.sample = *answer;
    }
    const auto now = std::chrono::steady_clock::now();
    if (cache_.size() > 1024 && now - pruned_ > std::chrono::minutes(1)) {
      pruned_ = now;  // queries that are no longer asked for are forgotten
      for (auto it = cache_.begin(); it != cache_.end();) {
        bool stale = !it->second.in_flight && now - it->second.at > std::chrono::minutes(10);
        it = stale ? cache_.erase(it) : std::next(it);
      }
    }
  }
  cv_.notify_all();
}

Result<Reading> PrometheusClient::Fetch(const std::string& promql) {
  ASSIGN_OR_RETURN(Json data, GetData("/api/v1/query", {{"query", promql}}, kMaxAnswerBytes));
  return ParseInstantData(data, Where());
}

Result<Json> PrometheusClient::GetData(const std::string& path, const QueryParams& params,
                                       size_t max_bytes) {
  web::uri_builder uri(base_path_);
  uri.append_path(path);
  for (const auto& [name, value] : params) uri.append_query(name, value);
  HttpTarget target;
  target.tls = tls_;
  target.host = host_;
  target.port = port_;
  target.target = uri.to_string();
  target.headers = {{"Accept", "application/json"}};
  target.tls_context = tls_context_;
  // The credentials go to the server named in the policy and nowhere else: a redirect is
  // not followed (ParseApiAnswer says so).
  AddStaticAuth(options_, target);
  if (options_.auth) {
    Status signed_request = options_.auth->Apply(target);
    if (!signed_request) {
      Error e = std::move(signed_request).error();
      e.message = Where() + ": " + e.message;
      return e;
    }
  }
  {
    MutexLock lock(mu_);
    ++requests_;
  }
  Result<HttpAnswer> answer = BoundedGet(target, HttpLimits{options_.timeout, max_bytes});
  if (!answer) {
    Error e = std::move(answer).error();
    e.message = Where() + ": " + e.message;
    return e;
  }
  return ParseApiAnswer(answer->status, answer->body, Where());
}

Result<Reading> PrometheusClient::ParseQueryResponse(int code, const std::string& body,
                                                     const std::string& what) {
  ASSIGN_OR_RETURN(Json data, ParseApiAnswer(code, body, what));
  return ParseInstantData(data, what);
}

Result<Json> PrometheusClient::ParseApiAnswer(int code, const std::string& body,
                                              const std::string& what) {
  if (code >= 300 && code < 400) {
    return Error::Of(Error::Kind::kConfig,
                     what + ": answered with a redirect (" + std::to_string(code) +
                         "), which Gearbox does not follow: name the server that answers");
  }
  if (code == 401 || code == 403) {
    return Error::Of(Error::Kind::kAuth,
                     what + ": " + std::to_string(code) +
                         " (are the credentials of spec.sources.prometheus right?)");
  }
  const std::string code_text = "HTTP " + std::to_string(code) + " from the source";
  Json doc;
  try {
    doc = Json::parse(body);
  } catch (const std::exception&) {
    doc = Json::null();
  }
  if (!doc.is_object() || !doc.has_string_field("status")) {
    if (code >= 400) return Error::Api(code, "", what + ": " + code_text);
    return Error::Of(Error::Kind::kDecode,
                     what + ": " + code_text + ", not a Prometheus API answer");
  }
  if (doc.at("status").as_string() != "success") {
    const std::string type = KnownErrorType(doc);
    return Error::Api(
        code, type,
        what + ": the query failed: " + code_text + (type.empty() ? "" : " (" + type + ")"));
  }
  if (!doc.has_object_field("data")) {
    return Error::Of(Error::Kind::kDecode, what + ": a successful answer without data");
  }
  return doc.at("data");
}

std::string PrometheusMetric::Describe() const { return client_->Where() + ": " + query_; }

}  // namespace gearbox::metrics
