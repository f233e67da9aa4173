#include "metrics/prometheus.h"

#include <cpprest/http_client.h>
#include <cpprest/json.h>

#include <cmath>

#include "kube/client.h"

namespace gearbox::metrics {

namespace http = web::http;
using Json = web::json::value;

namespace {

// An instant query's answer is a few hundred bytes; a server that sends megabytes is not one to
// hold in memory.
constexpr size_t kMaxAnswerBytes = 4 << 20;

// The body, unless the server says it is larger than `max_bytes`. (A chunked answer has no
// length to check up front; cpprestsdk reads it whole, and the source's timeout bounds it.)
Result<std::string> ReadBounded(http::http_response& res, size_t max_bytes,
                                const std::string& what) {
  if (res.headers().content_length() > max_bytes)
    return Error::Of(Error::Kind::kDecode, what + ": answer larger than " +
                                               std::to_string(max_bytes >> 20) +
                                               " MiB: not a query result");
  return res.extract_utf8string(true).get();
}

// What an exception of cpprestsdk's request means for a Prometheus server.
Error TransportError(const std::exception& e, const std::string& what,
                     std::chrono::milliseconds timeout) {
  kube::Error err = kube::HttpClient::ErrorFromException(e, what);
  switch (err.kind) {
    case kube::Error::Kind::kTimeout:
      return Error::Of(Error::Kind::kTimeout,
                       what + ": no answer within " + std::to_string(timeout.count()) + " ms");
    case kube::Error::Kind::kTls:
      return Error::Of(Error::Kind::kTransport,
                       what + ": TLS failed (is caSecretRef the server's CA?): " + e.what());
    default:
      return Error::Of(Error::Kind::kTransport, what + ": cannot connect: " + e.what());
  }
}

Error SeveralSeries(const Json& series, const std::string& what) {
  std::string names;
  for (size_t i = 0; i < series.size() && i < 3; ++i)
    names += (i ? ", " : "") + series.at(i).at("metric").serialize();
  return Error::Of(Error::Kind::kAmbiguous,
                   what + ": the query returned " + std::to_string(series.size()) +
                       " series where one number is needed (aggregate it, e.g. sum(...)): " +
                       names + (series.size() > 3 ? ", ..." : ""));
}

// The sample's text and the labels of its series, from a scalar or a one-sample vector.
Result<std::pair<std::string, std::string>> InstantSample(const Json& data,
                                                          const std::string& what) {
  std::string type = data.at("resultType").as_string();
  const Json& result = data.at("result");
  if (type == "scalar") return std::make_pair(result.as_array().at(1).as_string(), std::string());
  if (type != "vector") {
    return Error::Of(Error::Kind::kAmbiguous,
                     what + ": the query returned a " + type +
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
      return Error::Of(Error::Kind::kDecode, what + ": the value \"" + text + "\" is not a number");
    }
    if (!std::isfinite(v)) {
      return Error::Of(Error::Kind::kNotANumber,
                       what + ": the query's value is " + text +
                           " (a division by zero, or a histogram with no observations?)");
    }
    return Reading{v, sample.second};
  } catch (const std::exception& e) {  // web::json throws on a field of another type
    return Error::Of(Error::Kind::kDecode, what + ": unexpected answer: " + e.what());
  }
}

}  // namespace

std::string PrometheusOptions::Key() const {
  return url + "\n" + bearer_token + "\n" + ca_pem + "\n" + std::to_string(timeout.count());
}

PrometheusClient::PrometheusClient(PrometheusOptions options) : options_(std::move(options)) {}
PrometheusClient::~PrometheusClient() = default;

Result<std::shared_ptr<PrometheusClient>> PrometheusClient::Create(
    const PrometheusOptions& options) {
  if (options.url.rfind("http://", 0) != 0 && options.url.rfind("https://", 0) != 0) {
    return Error::Of(Error::Kind::kConfig,
                     "prometheus url \"" + options.url + "\" must start with http:// or https://");
  }
  std::shared_ptr<PrometheusClient> c(new PrometheusClient(options));
  http::client::http_client_config cfg;
  cfg.set_timeout(options.timeout);
  // The bearer token goes to the server named in the policy and nowhere else: cpprestsdk would
  // follow a redirect (token included) to wherever it points.
  cfg.set_max_redirects(0);
  std::string ca = options.ca_pem;
  if (!ca.empty()) {
    cfg.set_ssl_context_callback([ca](boost::asio::ssl::context& ctx) {
      boost::system::error_code ec;
      ctx.add_certificate_authority(boost::asio::buffer(ca), ec);
    });
  }
  try {
    c->http_ = std::make_unique<http::client::http_client>(options.url, cfg);
  } catch (const std::exception& e) {  // cpprestsdk throws on a URL it cannot use
    return Error::Of(Error::Kind::kConfig, "prometheus url \"" + options.url + "\": " + e.what());
  }
  return c;
}

int64_t PrometheusClient::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

Result<Reading> PrometheusClient::Query(const std::string& promql,
                                        std::chrono::milliseconds max_age) {
  auto now = std::chrono::steady_clock::now();
  {
    std::unique_lock lock(mu_);
    // Someone is asking already: take their answer. (Looked up afresh after the wait: another
    // query's Finish may have pruned the entry meanwhile.)
    cv_.wait(lock, [&] { return !cache_[promql].in_flight; });
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
    answer = Error::Of(Error::Kind::kDecode, "prometheus " + options_.url + ": " + e.what());
  }
  return *answer;
}

void PrometheusClient::Finish(const std::string& promql,
                              const std::optional<Result<Reading>>& answer) {
  {
    std::lock_guard lock(mu_);
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
  const std::string what = "prometheus " + options_.url;
  ASSIGN_OR_RETURN(Json data, GetData("/api/v1/query", {{"query", promql}}, kMaxAnswerBytes));
  return ParseInstantData(data, what);
}

Result<Json> PrometheusClient::GetData(const std::string& path, const QueryParams& params,
                                       size_t max_bytes) {
  const std::string what = "prometheus " + options_.url;
  http::uri_builder uri(path);
  for (const auto& [name, value] : params) uri.append_query(name, value);
  http::http_request req(http::methods::GET);
  req.set_request_uri(uri.to_uri());
  req.headers().add("Accept", "application/json");
  if (!options_.bearer_token.empty())
    req.headers().add("Authorization", "Bearer " + options_.bearer_token);
  {
    std::lock_guard lock(mu_);
    ++requests_;
  }
  int code = 0;
  std::string body;
  try {
    http::http_response res = http_->request(req).get();
    code = res.status_code();
    ASSIGN_OR_RETURN(body, ReadBounded(res, max_bytes, what));
  } catch (const std::exception& e) {
    return TransportError(e, what, options_.timeout);
  }
  return ParseApiAnswer(code, body, what);
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
                     what + ": " + std::to_string(code) + " (is bearerTokenSecretRef right?)");
  }
  Json doc;
  try {
    doc = Json::parse(body);
  } catch (const std::exception&) {
    std::string head = body.substr(0, 80);
    return Error::Of(Error::Kind::kDecode, what + ": HTTP " + std::to_string(code) +
                                               " with an answer that is not JSON: \"" + head +
                                               "\"");
  }
  if (!doc.is_object() || !doc.has_string_field("status")) {
    return Error::Of(Error::Kind::kDecode, what + ": not a Prometheus API answer");
  }
  if (doc.at("status").as_string() != "success") {
    std::string type = doc.has_string_field("errorType") ? doc.at("errorType").as_string() : "";
    std::string err = doc.has_string_field("error") ? doc.at("error").as_string() : body;
    return Error::Of(Error::Kind::kApi, what + ": the query failed (" + type + "): " + err);
  }
  if (!doc.has_object_field("data")) {
    return Error::Of(Error::Kind::kDecode, what + ": a successful answer without data");
  }
  return doc.at("data");
}

std::string PrometheusMetric::Describe() const {
  return "prometheus " + client_->options().url + ": " + query_;
}

}  // namespace gearbox::metrics
