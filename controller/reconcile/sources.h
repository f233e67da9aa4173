// Building a policy's metric sources: its Secrets read from the policy's namespace (a bearer
// token and CA for Prometheus, a password for Redis or PostgreSQL, the RabbitMQ management user, a
// metricsApi endpoint's token or user), then one MetricSource per declared metric from a
// SourceFactory. A metric whose source cannot be built (a Secret missing, a URL that does not
// parse) gets a source that reads as that error, so the policy is still evaluated and the
// MetricsAvailable condition says why. Connections are shared between policies that name the
// same server and go away with the last policy that names them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "kube/client.h"
#include "metrics/http_json.h"
#include "metrics/namespace_pods.h"
#include "metrics/postgresql.h"
#include "metrics/prometheus.h"
#include "metrics/redis_queue.h"
#include "metrics/redis_sentinel.h"
#include "metrics/source.h"
#include "reconcile/policy_spec.h"
#include "reconcile/source_access.h"

namespace gearbox::reconcile {

// Where the queues are: one server (options), a cluster (its addresses) or a sentinel-watched
// master (sentinel); options holds the credentials, TLS and timeout of every server then.
struct RedisServer {
  metrics::RedisOptions options;
  std::vector<metrics::RedisAddress> cluster;
  std::optional<metrics::RedisSentinelOptions> sentinel;
};

// The servers a policy's metrics are read from, with their Secrets resolved; an Error when a
// Secret or the URL could not be used. Absent: the policy names no such server.
struct Connections {
  std::optional<Result<metrics::PrometheusOptions>> prometheus;
  std::optional<Result<RedisServer>> redis;
  std::optional<Result<metrics::PostgresOptions>> postgresql;
  // The RabbitMQ management API; each metricsApi metric's endpoint, by metric name.
  std::optional<Result<metrics::HttpJsonOptions>> rabbitmq;
  std::map<std::string, Result<metrics::HttpJsonOptions>> metrics_api;
};

struct BuiltSource {
  // Shared: a read still running when its pass gave up on it keeps the source alive.
  std::shared_ptr<metrics::MetricSource> source;
  // Resource metrics need the pods' label selector, known once the target is read.
  std::function<void(const std::string& selector)> set_selector;
  // The kind of source, for the metrics: "resource", "prometheus", "queue", "metrics_api",
  // "rabbitmq" or "pods" (BuildSources sets it).
  const char* kind = "unknown";
};

// The kind of source a metric is read from, as the source metrics label it.
const char* SourceKind(const MetricDef& metric);

// Makes the source of one metric; the real one connects to Prometheus, Redis and metrics.k8s.io,
// tests script readings.
class SourceFactory {
 public:
  virtual ~SourceFactory() = default;
  virtual BuiltSource Make(const ParsedPolicy& policy, const MetricDef& metric,
                           const Connections& connections) = 0;
};

// A source that always reads as the error it was made with.
class BrokenSource final : public metrics::MetricSource {
 public:
  explicit BrokenSource(Error error) : error_(std::move(error)) {}
  Result<metrics::Reading> Read() override { return error_; }
  std::string Describe() const override { return error_.message; }

 private:
  Error error_;
};

struct PolicySources {
  std::map<std::string, BuiltSource> by_metric;  // metric name -> its source
  // The policy's namespace: its reads share the namespace's part of the reader threads.
  std::string ns;
  std::chrono::milliseconds longest_timeout{0};  // of the servers named
  // A connection could not be made (a Secret missing, say): build again on the next pass, so a
  // policy applied before its Secret recovers once the Secret is there.
  bool incomplete = false;
};

// The value of one key of a Secret in the namespace `ns`, without a trailing newline.
Result<std::string> ReadSecret(kube::Client& client, const std::string& ns,
                               const SecretKeyRef& ref);

// Fills `o` with the Prometheus source's headers, client certificate and auth mode
// (prometheus_credentials.cpp).
Status ResolvePrometheusCredentials(kube::Client& client, const ParsedPolicy& p,
                                    metrics::PrometheusOptions& o);

// Reads the Secrets a policy names (from the policy's namespace only) and builds its sources.
PolicySources BuildSources(kube::Client& client, SourceFactory& factory, const ParsedPolicy& p);

// Ok, or why the cluster admin's rules refuse a server the policy names (source_access.h). A URL
// that does not parse is not refused here: its source reads as that error.
Status CheckSourceAccess(const SourceAccess& access, const ParsedPolicy& p);

// The factory of the controller: Prometheus clients and Redis connections shared by server, held
// weakly so that the last policy to stop naming a server releases it.
class LiveSourceFactory final : public SourceFactory {
 public:
  // `access`: the rules the servers that answers name (a cluster's nodes, a sentinel's master, a
  // connection string's hosts) must pass; null, none. `pod_log`: the pod informers' problems.
  explicit LiveSourceFactory(std::shared_ptr<kube::Client> client,
                             const SourceAccess* access = nullptr, metrics::Log pod_log = {})
      : client_(std::move(client)),
        access_(access),
        pods_(client_, kube::RealClock::Instance(), std::move(pod_log)) {}
  BuiltSource Make(const ParsedPolicy& policy, const MetricDef& metric,
                   const Connections& connections) override;

  size_t open_prometheus_clients();  // still held by some policy (for tests)
  size_t open_redis_connections();
  size_t open_postgres_connections();
  size_t watched_pod_namespaces() const { return pods_.watched(); }

 private:
  Result<std::shared_ptr<metrics::PrometheusClient>> Prometheus(
      const metrics::PrometheusOptions& o);
  std::shared_ptr<metrics::RedisCommands> Redis(const std::string& ns, const RedisServer& server);
  Result<std::shared_ptr<metrics::PostgresConnection>> Postgres(const std::string& ns,
                                                                const metrics::PostgresOptions& o);
  metrics::AllowAddress Allow(const std::string& ns, const char* kind, bool plain) const;
  // metricsApi, rabbitmq and podCount metrics.
  BuiltSource MakeHttpOrPods(const ParsedPolicy& policy, const MetricDef& metric,
                             const Connections& connections);
  Result<std::shared_ptr<metrics::HttpJsonClient>> HttpJson(const metrics::HttpJsonOptions& o,
                                                            const std::string& kind);

  std::shared_ptr<kube::Client> client_;
  const SourceAccess* access_;
  // The pods (and pod metrics) of the namespaces whose policies read resource metrics.
  metrics::PodWatches pods_;
  Mutex mu_;
  std::map<std::string, std::weak_ptr<metrics::PrometheusClient>> prometheus_ GUARDED_BY(mu_);
  std::map<std::string, std::weak_ptr<metrics::RedisCommands>> redis_ GUARDED_BY(mu_);
  std::map<std::string, std::weak_ptr<metrics::PostgresConnection>> postgres_ GUARDED_BY(mu_);
  std::map<std::string, std::weak_ptr<metrics::HttpJsonClient>> http_json_ GUARDED_BY(mu_);
};

}  // namespace gearbox::reconcile
