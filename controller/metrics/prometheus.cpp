#include "metrics/prometheus.h"

#include <cpprest/http_client.h>
#include <cpprest/json.h>

#include <cmath>

#include "kube/client.h"

namespace gearbox::metrics {

namespace http = web::http;
using Json = web::json::value;

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUnreachable:
      return "Unreachable";
    case ErrorKind::kTimeout:
      return "Timeout";
    case ErrorKind::kBadAnswer:
      return "BadAnswer";
    case ErrorKind::kNoData:
      return "NoData";
    case ErrorKind::kAmbiguous:
      return "Ambiguous";
    case ErrorKind::kNotANumber:
      return "NotANumber";
    case ErrorKind::kAuth:
      return "Auth";
    case ErrorKind::kRejected:
      return "Rejected";
    case ErrorKind::kConfig:
      return "Config";
  }
  return "Unknown";
}

std::string PrometheusOptions::Key() const {
  return url + "\n" + bearer_token + "\n" + ca_pem + "\n" + std::to_string(timeout.count());
}

PrometheusClient::PrometheusClient(PrometheusOptions options) : options_(std::move(options)) {}
PrometheusClient::~PrometheusClient() = default;

std::shared_ptr<PrometheusClient> PrometheusClient::Create(const PrometheusOptions& options,
                                                           std::string* error) {
  if (options.url.rfind("http://", 0) != 0 && options.url.rfind("https://", 0) != 0) {
    if (error)
      *error = "prometheus url \"" + options.url + "\" must start with http:// or https://";
    return nullptr;
  }
  std::shared_ptr<PrometheusClient> c(new PrometheusClient(options));
  http::client::http_client_config cfg;
  cfg.set_timeout(options.timeout);
  std::string ca = options.ca_pem;
  if (!ca.empty()) {
    cfg.set_ssl_context_callback([ca](boost::asio::ssl::context& ctx) {
      boost::system::error_code ec;
      ctx.add_certificate_authority(boost::asio::buffer(ca), ec);
    });
  }
  try {
    c->http_ = std::make_unique<http::client::http_client>(options.url, cfg);
  } catch (const std::exception& e) {
    if (error) *error = "prometheus url \"" + options.url + "\": " + e.what();
    return nullptr;
  }
  return c;
}

int64_t PrometheusClient::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

Sample PrometheusClient::Query(const std::string& promql, std::chrono::milliseconds max_age) {
  auto now = std::chrono::steady_clock::now();
  {
    std::unique_lock lock(mu_);
    Entry& e = cache_[promql];
    // Someone is asking already: take their answer.
    cv_.wait(lock, [&] { return !e.in_flight; });
    if (e.at != std::chrono::steady_clock::time_point{} && now - e.at <= max_age) return e.sample;
    e.in_flight = true;
    ++requests_;
  }
  Sample s = Fetch(promql);
  {
    std::lock_guard lock(mu_);
    Entry& e = cache_[promql];
    e.in_flight = false;
    e.at = std::chrono::steady_clock::now();
    e.sample = s;
    if (cache_.size() > 1024) {  // queries that are no longer asked for are forgotten
      for (auto it = cache_.begin(); it != cache_.end();) {
        bool stale = !it->second.in_flight && e.at - it->second.at > std::chrono::minutes(10);
        it = stale ? cache_.erase(it) : std::next(it);
      }
    }
  }
  cv_.notify_all();
  return s;
}

Sample PrometheusClient::Fetch(const std::string& promql) {
  const std::string what = "prometheus " + options_.url;
  http::uri_builder path("/api/v1/query");
  path.append_query("query", promql);
  http::http_request req(http::methods::GET);
  req.set_request_uri(path.to_uri());
  req.headers().add("Accept", "application/json");
  if (!options_.bearer_token.empty())
    req.headers().add("Authorization", "Bearer " + options_.bearer_token);
  int code = 0;
  std::string body;
  try {
    http::http_response res = http_->request(req).get();
    code = res.status_code();
    body = res.extract_utf8string(true).get();
  } catch (const std::exception& e) {
    kube::Error err = kube::Client::ErrorFromException(e, what);
    switch (err.kind) {
      case kube::Error::Kind::kTimeout:
        return Sample::Fail(
            ErrorKind::kTimeout,
            what + ": no answer within " + std::to_string(options_.timeout.count()) + " ms");
      case kube::Error::Kind::kTls:
        return Sample::Fail(ErrorKind::kUnreachable,
                            what + ": TLS failed (is caSecretRef the server's CA?): " + e.what());
      default:
        return Sample::Fail(ErrorKind::kUnreachable, what + ": cannot connect: " + e.what());
    }
  }
  return ParseQueryResponse(code, body, what);
}

Sample PrometheusClient::ParseQueryResponse(int code, const std::string& body,
                                            const std::string& what) {
  if (code == 401 || code == 403) {
    return Sample::Fail(ErrorKind::kAuth,
                        what + ": " + std::to_string(code) + " (is bearerTokenSecretRef right?)");
  }
  Json doc;
  try {
    doc = Json::parse(body);
  } catch (const std::exception&) {
    std::string head = body.substr(0, 80);
    return Sample::Fail(ErrorKind::kBadAnswer, what + ": HTTP " + std::to_string(code) +
                                                   " with an answer that is not JSON: \"" + head +
                                                   "\"");
  }
  try {
    if (!doc.is_object() || !doc.has_string_field("status")) {
      return Sample::Fail(ErrorKind::kBadAnswer, what + ": not a Prometheus API answer");
    }
    if (doc.at("status").as_string() != "success") {
      std::string type = doc.has_string_field("errorType") ? doc.at("errorType").as_string() : "";
      std::string err = doc.has_string_field("error") ? doc.at("error").as_string() : body;
      return Sample::Fail(ErrorKind::kRejected, what + ": the query failed (" + type + "): " + err);
    }
    const Json& data = doc.at("data");
    std::string type = data.at("resultType").as_string();
    const Json& result = data.at("result");
    std::string text;
    std::string labels;
    if (type == "scalar") {
      text = result.as_array().at(1).as_string();
    } else if (type == "vector") {
      const auto& series = result.as_array();
      if (series.size() == 0) {
        return Sample::Fail(ErrorKind::kNoData,
                            what +
                                ": the query returned no series (nothing matches, or the "
                                "metric is not scraped yet)");
      }
      if (series.size() > 1) {
        std::string names;
        for (size_t i = 0; i < series.size() && i < 3; ++i)
          names += (i ? ", " : "") + series.at(i).at("metric").serialize();
        return Sample::Fail(ErrorKind::kAmbiguous,
                            what + ": the query returned " + std::to_string(series.size()) +
                                " series where one number is needed (aggregate it, e.g. "
                                "sum(...)): " +
                                names + (series.size() > 3 ? ", ..." : ""));
      }
      text = series.at(0).at("value").as_array().at(1).as_string();
      labels = series.at(0).at("metric").serialize();
    } else {
      return Sample::Fail(ErrorKind::kAmbiguous,
                          what + ": the query returned a " + type +
                              ", not a number (an instant query must yield a scalar or one "
                              "sample)");
    }
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) {
      return Sample::Fail(ErrorKind::kBadAnswer,
                          what + ": the value \"" + text + "\" is not a number");
    }
    if (!std::isfinite(v)) {
      return Sample::Fail(ErrorKind::kNotANumber,
                          what + ": the query's value is " + text +
                              " (a division by zero, or a histogram with no observations?)");
    }
    return Sample::Of(v, labels);
  } catch (const std::exception& e) {
    return Sample::Fail(ErrorKind::kBadAnswer, what + ": unexpected answer: " + e.what());
  }
}

std::shared_ptr<PrometheusClient> PrometheusPool::Get(const PrometheusOptions& options,
                                                      std::string* error) {
  std::lock_guard lock(mu_);
  auto& slot = clients_[options.Key()];
  if (!slot) slot = PrometheusClient::Create(options, error);
  return slot;
}

std::string PrometheusMetric::Describe() const {
  return "prometheus " + client_->options().url + ": " + query_;
}

}  // namespace gearbox::metrics
