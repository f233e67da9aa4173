// See sources.h.
#include "reconcile/sources.h"

#include <cpprest/asyncrt_utils.h>
#include <cpprest/base_uri.h>

#include "metrics/metrics_api.h"
#include "metrics/pod_count.h"
#include "metrics/rabbitmq.h"
#include "metrics/resource_metrics.h"

namespace gearbox::reconcile {

namespace {

const kube::ResourceRef kSecrets{"", "v1", "secrets", true};

// The value of one key of a Secret in the policy's namespace, without a trailing newline.
Result<std::string> ReadSecret(kube::Client& client, const std::string& ns,
                               const SecretKeyRef& ref) {
  auto secret = client.Get(kSecrets, ns, ref.name);
  if (!secret)
    return Error::Of(Error::Kind::kConfig, "secret " + ref.name + ": " + secret.error().ToString());
  if (!secret->has_object_field("data") || !secret->at("data").has_string_field(ref.key))
    return Error::Of(Error::Kind::kConfig, "secret " + ref.name + " has no key " + ref.key);
  try {
    auto bytes = utility::conversions::from_base64(secret->at("data").at(ref.key).as_string());
    std::string value(bytes.begin(), bytes.end());
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
  } catch (const std::exception& e) {  // cpprestsdk throws on bad base64
    return Error::Of(Error::Kind::kConfig,
                     "secret " + ref.name + " key " + ref.key + ": " + e.what());
  }
}

Result<metrics::PrometheusOptions> PrometheusConnection(kube::Client& client,
                                                        const ParsedPolicy& p) {
  metrics::PrometheusOptions o;
  o.url = p.prometheus->url;
  o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(p.prometheus->timeout);
  if (p.prometheus->bearer_token) {
    ASSIGN_OR_RETURN(o.bearer_token, ReadSecret(client, p.ns, *p.prometheus->bearer_token));
  }
  if (p.prometheus->ca) {
    ASSIGN_OR_RETURN(o.ca_pem, ReadSecret(client, p.ns, *p.prometheus->ca));
  }
  return o;
}

// The PEM files of a rediss:// connection, from the policy's namespace.
Status ReadRedisTls(kube::Client& client, const std::string& ns, const RedisTlsDef& tls,
                    metrics::RedisOptions& o) {
  o.server_name = tls.server_name;
  for (auto [ref, pem] : {std::pair{&tls.ca, &o.ca_pem}, std::pair{&tls.cert, &o.cert_pem},
                          std::pair{&tls.key, &o.key_pem}}) {
    if (*ref) {
      ASSIGN_OR_RETURN(*pem, ReadSecret(client, ns, **ref));
    }
  }
  return OkStatus();
}

Result<metrics::RedisOptions> RedisConnectionOptions(kube::Client& client, const ParsedPolicy& p) {
  ASSIGN_OR_RETURN(auto o, metrics::ParseRedisUrl(p.redis->url));
  o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(p.redis->timeout);
  o.username = p.redis->username;
  if (p.redis->password) {
    ASSIGN_OR_RETURN(o.password, ReadSecret(client, p.ns, *p.redis->password));
  }
  if (p.redis->tls) RETURN_IF_ERROR(ReadRedisTls(client, p.ns, *p.redis->tls, o));
  return o;
}

// The value of a Secret key the policy may name (none: empty).
Result<std::string> OptionalSecret(kube::Client& client, const std::string& ns,
                                   const std::optional<SecretKeyRef>& ref) {
  if (!ref) return std::string();
  return ReadSecret(client, ns, *ref);
}

Result<metrics::HttpJsonOptions> RabbitConnection(kube::Client& client, const ParsedPolicy& p) {
  const RabbitSourceDef& r = *p.rabbitmq;
  metrics::HttpJsonOptions o;
  o.url = r.url;
  o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(r.timeout);
  ASSIGN_OR_RETURN(o.username, OptionalSecret(client, p.ns, r.username));
  ASSIGN_OR_RETURN(o.password, OptionalSecret(client, p.ns, r.password));
  ASSIGN_OR_RETURN(o.ca_pem, OptionalSecret(client, p.ns, r.ca));
  return o;
}

Result<metrics::HttpJsonOptions> MetricsApiConnection(kube::Client& client, const std::string& ns,
                                                      const MetricsApiDef& a) {
  metrics::HttpJsonOptions o;
  o.url = a.url;
  o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(a.timeout);
  ASSIGN_OR_RETURN(o.bearer_token, OptionalSecret(client, ns, a.bearer_token));
  ASSIGN_OR_RETURN(o.username, OptionalSecret(client, ns, a.username));
  ASSIGN_OR_RETURN(o.password, OptionalSecret(client, ns, a.password));
  ASSIGN_OR_RETURN(o.ca_pem, OptionalSecret(client, ns, a.ca));
  return o;
}

// The connection, or its error prefixed with the server's kind ("prometheus: secret ...").
template <typename T>
Result<T> Named(const char* server, Result<T> r) {
  if (r) return r;
  Error e = r.error();
  e.message = std::string(server) + ": " + e.message;
  return e;
}

// Where an HTTP(S) source is, from its URL; none when the URL does not parse.
std::optional<SourceEndpoint> HttpEndpoint(const char* kind, const std::string& url,
                                           bool sends_credential) {
  if (!web::uri::validate(url)) return std::nullopt;
  web::uri uri(url);
  SourceEndpoint e{kind, uri.host(), 0, uri.scheme() == "http", sends_credential};
  if (e.host.empty()) return std::nullopt;
  e.port = static_cast<uint16_t>(uri.port() > 0 ? uri.port() : (e.plain_http ? 80 : 443));
  return e;
}

std::optional<SourceEndpoint> PrometheusEndpoint(const PrometheusSourceDef& def) {
  return HttpEndpoint("prometheus", def.url, def.bearer_token.has_value());
}

// The RabbitMQ management API and every metricsApi endpoint the policy names.
void AddHttpJsonEndpoints(const ParsedPolicy& p, std::vector<SourceEndpoint>& endpoints) {
  if (p.rabbitmq) {
    if (auto e = HttpEndpoint("rabbitmq", p.rabbitmq->url, p.rabbitmq->password.has_value()))
      endpoints.push_back(*e);
  }
  for (const auto& m : p.metrics) {
    if (m.type != MetricDef::Type::kMetricsApi) continue;
    const bool credential = m.metrics_api.bearer_token || m.metrics_api.password;
    if (auto e = HttpEndpoint("metrics-api", m.metrics_api.url, credential))
      endpoints.push_back(*e);
  }
}

std::optional<SourceEndpoint> RedisEndpoint(const RedisSourceDef& def) {
  auto o = metrics::ParseRedisUrl(def.url);
  if (!o) return std::nullopt;
  return SourceEndpoint{"redis", o->host, static_cast<uint16_t>(o->port), !o->tls, false};
}

// The RabbitMQ and metricsApi connections into `c`; whether one could not be made.
bool ReadHttpJsonConnections(kube::Client& client, const ParsedPolicy& p, Connections& c,
                             std::chrono::milliseconds& longest_timeout) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  bool incomplete = false;
  if (p.rabbitmq) {
    c.rabbitmq = Named("rabbitmq", RabbitConnection(client, p));
    longest_timeout = std::max(longest_timeout, duration_cast<milliseconds>(p.rabbitmq->timeout));
    incomplete = !*c.rabbitmq;
  }
  for (const auto& m : p.metrics) {
    if (m.type != MetricDef::Type::kMetricsApi) continue;
    auto o = Named("metrics-api", MetricsApiConnection(client, p.ns, m.metrics_api));
    incomplete = incomplete || !o;
    c.metrics_api.emplace(m.name, std::move(o));
    longest_timeout = std::max(longest_timeout, duration_cast<milliseconds>(m.metrics_api.timeout));
  }
  return incomplete;
}

}  // namespace

Status CheckSourceAccess(const SourceAccess& access, const ParsedPolicy& p) {
  std::vector<SourceEndpoint> endpoints;
  if (p.prometheus) {
    if (auto e = PrometheusEndpoint(*p.prometheus)) endpoints.push_back(*e);
  }
  if (p.redis) {
    if (auto e = RedisEndpoint(*p.redis)) endpoints.push_back(*e);
  }
  AddHttpJsonEndpoints(p, endpoints);
  for (const auto& e : endpoints) RETURN_IF_ERROR(access.Check(p.ns, e));
  return OkStatus();
}

const char* SourceKind(const MetricDef& metric) {
  switch (metric.type) {
    case MetricDef::Type::kResource:
      return "resource";
    case MetricDef::Type::kPrometheus:
      return "prometheus";
    case MetricDef::Type::kQueue:
      return "queue";
    case MetricDef::Type::kMetricsApi:
      return "metrics_api";
    case MetricDef::Type::kRabbitmq:
      return "rabbitmq";
    case MetricDef::Type::kPodCount:
      return "pods";
  }
  return "unknown";
}

PolicySources BuildSources(kube::Client& client, SourceFactory& factory, const ParsedPolicy& p) {
  Connections c;
  PolicySources out;
  out.ns = p.ns;
  if (p.prometheus) {
    c.prometheus = Named("prometheus", PrometheusConnection(client, p));
    out.longest_timeout =
        std::max(out.longest_timeout,
                 std::chrono::duration_cast<std::chrono::milliseconds>(p.prometheus->timeout));
  }
  if (p.redis) {
    c.redis = Named("redis", RedisConnectionOptions(client, p));
    out.longest_timeout =
        std::max(out.longest_timeout,
                 std::chrono::duration_cast<std::chrono::milliseconds>(p.redis->timeout));
  }
  out.incomplete = (c.prometheus && !*c.prometheus) || (c.redis && !*c.redis);
  out.incomplete = ReadHttpJsonConnections(client, p, c, out.longest_timeout) || out.incomplete;
  for (const auto& m : p.metrics) {
    BuiltSource& built = out.by_metric[m.name] = factory.Make(p, m, c);
    built.kind = SourceKind(m);
  }
  return out;
}

BuiltSource LiveSourceFactory::Make(const ParsedPolicy& p, const MetricDef& m,
                                    const Connections& c) {
  switch (m.type) {
    case MetricDef::Type::kResource: {
      auto src = std::make_shared<metrics::ResourceMetric>(client_, p.ns, m.resource, m.component);
      return {src, [src](const std::string& s) { src->SetSelector(s); }};
    }
    case MetricDef::Type::kPrometheus: {
      if (!*c.prometheus) return {std::make_shared<BrokenSource>(c.prometheus->error()), {}};
      auto client = Named("prometheus", Prometheus(**c.prometheus));
      if (!client) return {std::make_shared<BrokenSource>(client.error()), {}};
      // Readings shared by policies are fresh enough within half an interval.
      auto max_age = std::chrono::duration_cast<std::chrono::milliseconds>(p.spec.interval / 2);
      return {std::make_shared<metrics::PrometheusMetric>(*client, m.query, max_age), {}};
    }
    case MetricDef::Type::kQueue: {
      if (!*c.redis) return {std::make_shared<BrokenSource>(c.redis->error()), {}};
      return {std::make_shared<metrics::RedisQueueMetric>(Redis(**c.redis), m.queue), {}};
    }
    default:
      return MakeHttpOrPods(p, m, c);
  }
}

BuiltSource LiveSourceFactory::MakeHttpOrPods(const ParsedPolicy& p, const MetricDef& m,
                                              const Connections& c) {
  auto broken = [](const Error& e) -> BuiltSource {
    return {std::make_shared<BrokenSource>(e), {}};
  };
  if (m.type == MetricDef::Type::kPodCount)
    return {std::make_shared<metrics::PodCountMetric>(client_, p.ns, m.pod_selector), {}};
  if (m.type == MetricDef::Type::kRabbitmq) {
    if (!*c.rabbitmq) return broken(c.rabbitmq->error());
    auto client = HttpJson(**c.rabbitmq, "rabbitmq");
    if (!client) return broken(client.error());
    return {std::make_shared<metrics::RabbitQueueMetric>(*client, m.rabbit), {}};
  }
  if (m.type == MetricDef::Type::kMetricsApi) {
    const auto& o = c.metrics_api.at(m.name);
    if (!o) return broken(o.error());
    auto client = HttpJson(*o, "metrics-api");
    if (!client) return broken(client.error());
    return {std::make_shared<metrics::MetricsApiMetric>(*client, m.metrics_api.value_location), {}};
  }
  return broken(Error::Invalid("unknown metric type"));
}

Result<std::shared_ptr<metrics::HttpJsonClient>> LiveSourceFactory::HttpJson(
    const metrics::HttpJsonOptions& o, const std::string& kind) {
  MutexLock lock(mu_);
  std::erase_if(http_json_, [](const auto& kv) { return kv.second.expired(); });
  auto& slot = http_json_[kind + "\n" + o.Key()];
  if (auto held = slot.lock()) return held;
  ASSIGN_OR_RETURN(auto client, metrics::HttpJsonClient::Create(o, kind));
  slot = client;
  return client;
}

Result<std::shared_ptr<metrics::PrometheusClient>> LiveSourceFactory::Prometheus(
    const metrics::PrometheusOptions& o) {
  MutexLock lock(mu_);
  std::erase_if(prometheus_, [](const auto& kv) { return kv.second.expired(); });
  auto& slot = prometheus_[o.Key()];
  if (auto held = slot.lock()) return held;
  ASSIGN_OR_RETURN(auto client, metrics::PrometheusClient::Create(o));
  slot = client;
  return client;
}

std::shared_ptr<metrics::RedisConnection> LiveSourceFactory::Redis(const metrics::RedisOptions& o) {
  // The password is part of what makes two connections the same, but never of a log or status.
  std::string key = o.host + ":" + std::to_string(o.port) + "/" + std::to_string(o.db) + "/" +
                    o.username + "/" + o.password + "/" + std::to_string(o.timeout.count()) +
                    (o.tls ? "/tls/" + o.ca_pem + o.cert_pem + o.key_pem + o.server_name : "");
  MutexLock lock(mu_);
  std::erase_if(redis_, [](const auto& kv) { return kv.second.expired(); });
  auto& slot = redis_[key];
  if (auto held = slot.lock()) return held;
  auto conn = std::make_shared<metrics::RedisConnection>(o);
  slot = conn;
  return conn;
}

size_t LiveSourceFactory::open_prometheus_clients() {
  MutexLock lock(mu_);
  std::erase_if(prometheus_, [](const auto& kv) { return kv.second.expired(); });
  return prometheus_.size();
}

size_t LiveSourceFactory::open_redis_connections() {
  MutexLock lock(mu_);
  std::erase_if(redis_, [](const auto& kv) { return kv.second.expired(); });
  return redis_.size();
}

}  // namespace gearbox::reconcile
