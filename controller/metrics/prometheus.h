// Prometheus instant queries (GET /api/v1/query). A scalar or a one-sample vector is a value; an
// empty result, NaN/Inf, several series, a matrix or a string are errors that say so. Bearer
// token and CA are options. Every request is bounded whatever the server does (bounded_http.h):
// one deadline (the timeout) for the whole exchange and a byte cap on the answer; errors carry
// the HTTP status and a fixed reason, never the answer's text. GetData() serves other endpoints of
// the API with the same token, TLS and errors (range queries: backtest/range_query.h). Clients are
// shared per server (reconcile/sources.h), and a client answers the same query from a short cache
// and merges concurrent identical requests, so policies that share a query and a server cause one
// request per interval, not one each.
#pragma once

#include <cpprest/json.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "metrics/source.h"

namespace boost::asio::ssl {
class context;
}

namespace gearbox::metrics {

class RequestAuth;

struct PrometheusOptions {
  std::string url;                          // http(s)://host:port[/prefix]
  std::string bearer_token;                 // sent as Authorization: Bearer
  std::string ca_pem;                       // trusted CA for https; empty: the system's
  std::chrono::milliseconds timeout{5000};  // for a whole request, not between two bytes
  // (Initialized, so that the servers' options can still be written {url, token, ca, timeout}.)
  std::string basic_username{}, basic_password{};  // Authorization: Basic, when a password
  std::vector<std::pair<std::string, std::string>> headers{};  // custom headers, values resolved
  std::string cert_pem{}, key_pem{};  // the client certificate presented over https (mutual TLS)
  // A per-request signature or a fetched token (SigV4, Google, Entra); null: none.
  std::shared_ptr<RequestAuth> auth{};
  std::string auth_key{};   // what identifies `auth` (its mode, region, key material)
  std::string Key() const;  // what makes two options the same server
};

class PrometheusClient {
 public:
  // An Error (kConfig) when the URL cannot be used.
  static Result<std::shared_ptr<PrometheusClient>> Create(const PrometheusOptions& options);
  ~PrometheusClient();

  // The value of `promql` now; an answer at most `max_age` old may be reused, and concurrent
  // calls for one query share one request.
  Result<Reading> Query(const std::string& promql,
                        std::chrono::milliseconds max_age = std::chrono::milliseconds(0));

  using QueryParams = std::vector<std::pair<std::string, std::string>>;
  // GET `path` (an /api/v1 endpoint) with `params`: the `data` of a successful answer, or an
  // Error as an instant query's (transport, timeout, auth, redirect, a failed query). An answer
  // larger than `max_bytes` is refused: before it is read when its length is announced, at the
  // cap when it is chunked or read until the server closes.
  Result<web::json::value> GetData(const std::string& path, const QueryParams& params,
                                   size_t max_bytes);

  // The HTTP requests this client has sent (for tests and its own metrics).
  int64_t requests() const;
  const PrometheusOptions& options() const { return options_; }

  // The URL as errors show it (without credentials).
  std::string Where() const;

  // Decodes an /api/v1/query answer.
  static Result<Reading> ParseQueryResponse(int http_code, const std::string& body,
                                            const std::string& what);
  // The `data` of any /api/v1 answer whose status is success; an Error saying why not.
  static Result<web::json::value> ParseApiAnswer(int http_code, const std::string& body,
                                                 const std::string& what);

 private:
  explicit PrometheusClient(PrometheusOptions options);
  Result<Reading> Fetch(const std::string& promql);
  // Clears the query's in-flight mark, keeps its answer (none: the fetch threw) and wakes waiters.
  void Finish(const std::string& promql, const std::optional<Result<Reading>>& answer);

  PrometheusOptions options_;
  bool tls_ = false;
  std::string host_, port_, base_path_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // https only
  struct Entry {
    std::chrono::steady_clock::time_point at{};
    std::optional<Result<Reading>> sample;  // none before the first answer
    bool in_flight = false;
  };
  mutable Mutex mu_;
  std::condition_variable_any cv_;  // a query's fetch finished (its in_flight mark cleared)
  std::map<std::string, Entry> cache_ GUARDED_BY(mu_);
  // When queries no longer asked for were last forgotten: at most once a minute, since each time
  // is a scan of every query (10,000 policies ask 10,000 of them).
  std::chrono::steady_clock::time_point pruned_ GUARDED_BY(mu_);
  int64_t requests_ GUARDED_BY(mu_) = 0;
};

class PrometheusMetric : public MetricSource {
 public:
  PrometheusMetric(std::shared_ptr<PrometheusClient> client, std::string query,
                   std::chrono::milliseconds max_age)
      : client_(std::move(client)), query_(std::move(query)), max_age_(max_age) {}
  Result<Reading> Read() override { return client_->Query(query_, max_age_); }
  std::string Describe() const override;

 private:
  std::shared_ptr<PrometheusClient> client_;
  std::string query_;
  std::chrono::milliseconds max_age_;
};

}  // namespace gearbox::metrics
