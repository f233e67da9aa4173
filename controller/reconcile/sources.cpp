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

}  // namespace

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

namespace {

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
  RETURN_IF_ERROR(ResolvePrometheusCredentials(client, p, o));
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
  metrics::RedisOptions o;
  if (!p.redis->url.empty()) {
    ASSIGN_OR_RETURN(o, metrics::ParseRedisUrl(p.redis->url));
  }
  o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(p.redis->timeout);
  o.username = p.redis->username;
  if (p.redis->password) {
    ASSIGN_OR_RETURN(o.password, ReadSecret(client, p.ns, *p.redis->password));
  }
  if (p.redis->tls) {
    o.tls = true;  // a rediss:// URL says so too; a cluster's or sentinel's tls block alone does
    RETURN_IF_ERROR(ReadRedisTls(client, p.ns, *p.redis->tls, o));
  }
  return o;
}

// --- Redis Cluster and Sentinel, PostgreSQL ---

std::vector<metrics::RedisAddress> ParsedAddresses(const std::vector<std::string>& texts) {
  std::vector<metrics::RedisAddress> out;
  for (const auto& t : texts) {
    if (auto a = metrics::ParseRedisAddress(t)) out.push_back(*a);  // ParsePolicy checked them
  }
  return out;
}

// The sentinels' options: the master's timeout and TLS, their own credentials.
Result<metrics::RedisSentinelOptions> SentinelOptions(kube::Client& client, const ParsedPolicy& p,
                                                      const metrics::RedisOptions& master) {
  const RedisSentinelDef& def = *p.redis->sentinel;
  metrics::RedisSentinelOptions o;
  o.sentinels = ParsedAddresses(def.addresses);
  o.master_name = def.master_name;
  o.master = master;
  o.master.db = def.database;
  o.sentinel = master;
  o.sentinel.username = def.username;
  o.sentinel.password.clear();
  if (def.password) {
    ASSIGN_OR_RETURN(o.sentinel.password, ReadSecret(client, p.ns, *def.password));
  }
  return o;
}

Result<RedisServer> RedisServerOptions(kube::Client& client, const ParsedPolicy& p) {
  RedisServer server;
  ASSIGN_OR_RETURN(server.options, RedisConnectionOptions(client, p));
  if (p.redis->cluster) server.cluster = ParsedAddresses(p.redis->cluster->addresses);
  if (p.redis->sentinel) {
    ASSIGN_OR_RETURN(server.sentinel, SentinelOptions(client, p, server.options));
  }
  return server;
}

std::chrono::milliseconds Ms(policy::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

Result<metrics::PostgresOptions> PostgresConnectionOptions(kube::Client& client,
                                                           const ParsedPolicy& p) {
  const PostgresSourceDef& def = *p.postgresql;
  metrics::PostgresOptions o;
  if (def.connection) {
    ASSIGN_OR_RETURN(o.conninfo, ReadSecret(client, p.ns, *def.connection));
  }
  o.host = def.host;
  o.port = def.port;
  o.database = def.database;
  o.user = def.user;
  if (def.password) {
    ASSIGN_OR_RETURN(o.password, ReadSecret(client, p.ns, *def.password));
  }
  o.sslmode = def.sslmode;
  if (def.ca) {
    ASSIGN_OR_RETURN(o.ca_pem, ReadSecret(client, p.ns, *def.ca));
  }
  o.connect_timeout = Ms(def.connect_timeout);
  o.statement_timeout = Ms(def.statement_timeout);
  o.timeout = Ms(def.timeout);
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

// The endpoints of the Redis servers the policy names (a URL's, a cluster's, the sentinels').
std::vector<SourceEndpoint> RedisEndpoints(const RedisSourceDef& def) {
  std::vector<SourceEndpoint> out;
  auto add = [&](const std::vector<std::string>& addresses) {
    for (const auto& a : ParsedAddresses(addresses))
      out.push_back({"redis", a.host, static_cast<uint16_t>(a.port), !def.tls, false});
  };
  if (def.cluster) add(def.cluster->addresses);
  if (def.sentinel) add(def.sentinel->addresses);
  return out;
}

// A PostgreSQL server named by its fields (a connection string's hosts are checked once its
// Secret is read, in LiveSourceFactory::Make).
std::optional<SourceEndpoint> PostgresEndpoint(const PostgresSourceDef& def) {
  if (def.host.empty()) return std::nullopt;
  const bool tls =
      def.sslmode == "require" || def.sslmode == "verify-ca" || def.sslmode == "verify-full";
  return SourceEndpoint{"postgresql", def.host, static_cast<uint16_t>(def.port), !tls, false};
}

// --- end of Redis Cluster and Sentinel, PostgreSQL ---

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
  // Every credential counts (a token, a password, a header from a Secret, a cloud token or a
  // signature); a client certificate is only ever sent over TLS.
  const bool credential =
      def.bearer_token || def.auth ||
      std::any_of(def.headers.begin(), def.headers.end(),
                  [](const HeaderDef& h) { return h.value_secret.has_value(); });
  return HttpEndpoint("prometheus", def.url, credential);
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
  if (def.url.empty()) return std::nullopt;  // a cluster or sentinel: RedisEndpoints
  auto o = metrics::ParseRedisUrl(def.url);
  if (!o) return std::nullopt;
  return SourceEndpoint{"redis", o->host, static_cast<uint16_t>(o->port), !o->tls, false};
}

// The RabbitMQ and metricsApi connections into `c`; whether one could not be made.
bool ReadHttpJsonConnections(kube::Client& client, const ParsedPolicy& p, Connections& c,
                             std::chrono::milliseconds& longest_timeout) {
  bool incomplete = false;
  if (p.rabbitmq) {
    c.rabbitmq = Named("rabbitmq", RabbitConnection(client, p));
    longest_timeout = std::max(longest_timeout, Ms(p.rabbitmq->timeout));
    incomplete = !*c.rabbitmq;
  }
  for (const auto& m : p.metrics) {
    if (m.type != MetricDef::Type::kMetricsApi) continue;
    auto o = Named("metrics-api", MetricsApiConnection(client, p.ns, m.metrics_api));
    incomplete = incomplete || !o;
    c.metrics_api.emplace(m.name, std::move(o));
    longest_timeout = std::max(longest_timeout, Ms(m.metrics_api.timeout));
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
    for (const auto& e : RedisEndpoints(*p.redis)) endpoints.push_back(e);
  }
  if (p.postgresql) {
    if (auto e = PostgresEndpoint(*p.postgresql)) endpoints.push_back(*e);
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
    case MetricDef::Type::kPostgres:
      return "postgresql";
  }
  return "unknown";
}

PolicySources BuildSources(kube::Client& client, SourceFactory& factory, const ParsedPolicy& p) {
  Connections c;
  PolicySources out;
  out.ns = p.ns;
  if (p.prometheus) {
    c.prometheus = Named("prometheus", PrometheusConnection(client, p));
    out.longest_timeout = std::max(out.longest_timeout, Ms(p.prometheus->timeout));
  }
  if (p.redis) {
    c.redis = Named("redis", RedisServerOptions(client, p));
    out.longest_timeout = std::max(out.longest_timeout, Ms(p.redis->timeout));
  }
  if (p.postgresql) {
    c.postgresql = Named("postgresql", PostgresConnectionOptions(client, p));
    out.longest_timeout = std::max(out.longest_timeout, Ms(p.postgresql->timeout));
  }
  out.incomplete = (c.prometheus && !*c.prometheus) || (c.redis && !*c.redis) ||
                   (c.postgresql && !*c.postgresql);
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
      // Pod metrics shared by the namespace's policies are fresh enough within an interval.
      auto src = std::make_shared<metrics::ResourceMetric>(pods_.For(p.ns), m.resource, m.component,
                                                           Ms(p.spec.interval));
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
      return {std::make_shared<metrics::RedisQueueMetric>(Redis(p.ns, **c.redis), m.queue), {}};
    }
    case MetricDef::Type::kPostgres: {
      if (!*c.postgresql) return {std::make_shared<BrokenSource>(c.postgresql->error()), {}};
      auto conn = Named("postgresql", Postgres(p.ns, **c.postgresql));
      if (!conn) return {std::make_shared<BrokenSource>(conn.error()), {}};
      return {std::make_shared<metrics::PostgresQueryMetric>(*conn, m.sql), {}};
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

namespace {

// What makes two Redis connections the same: every option, the password too (never shown).
std::string RedisKey(const metrics::RedisOptions& o) {
  return o.host + ":" + std::to_string(o.port) + "/" + std::to_string(o.db) + "/" + o.username +
         "/" + o.password + "/" + std::to_string(o.timeout.count()) +
         (o.tls ? "/tls/" + o.ca_pem + o.cert_pem + o.key_pem + o.server_name : "");
}

std::string AddressesKey(const std::vector<metrics::RedisAddress>& addresses) {
  std::string out;
  for (const auto& a : addresses) out += metrics::ToString(a) + ",";
  return out;
}

}  // namespace

metrics::AllowAddress LiveSourceFactory::Allow(const std::string& ns, const char* kind,
                                               bool plain) const {
  if (!access_) return {};
  return [access = access_, ns, kind, plain](const std::string& host, int port) -> Status {
    return access->Check(ns, SourceEndpoint{kind, host, static_cast<uint16_t>(port), plain, false});
  };
}

// One connection per server, or per cluster or sentinel set (with the policy's namespace: the
// nodes they name are checked against that namespace's rules).
std::shared_ptr<metrics::RedisCommands> LiveSourceFactory::Redis(const std::string& ns,
                                                                 const RedisServer& server) {
  std::string key = RedisKey(server.options);
  if (!server.cluster.empty()) key = ns + "/cluster/" + AddressesKey(server.cluster) + key;
  if (server.sentinel) {
    key = ns + "/sentinel/" + AddressesKey(server.sentinel->sentinels) + "/" +
          server.sentinel->master_name + "/" + RedisKey(server.sentinel->sentinel) + "/" +
          RedisKey(server.sentinel->master);
  }
  MutexLock lock(mu_);
  std::erase_if(redis_, [](const auto& kv) { return kv.second.expired(); });
  auto& slot = redis_[key];
  if (auto held = slot.lock()) return held;
  std::shared_ptr<metrics::RedisCommands> made;
  if (!server.cluster.empty()) {
    made = std::make_shared<metrics::RedisCluster>(metrics::RedisClusterOptions{
        server.cluster, server.options, Allow(ns, "redis", !server.options.tls)});
  } else if (server.sentinel) {
    metrics::RedisSentinelOptions o = *server.sentinel;
    o.allow = Allow(ns, "redis", !server.options.tls);
    made = std::make_shared<metrics::RedisSentinel>(std::move(o));
  } else {
    made = std::make_shared<metrics::RedisConnection>(server.options);
  }
  slot = made;
  return made;
}

// The connection of a server, once every host it names passes the rules (a connection string's
// hosts are only known from its Secret).
Result<std::shared_ptr<metrics::PostgresConnection>> LiveSourceFactory::Postgres(
    const std::string& ns, const metrics::PostgresOptions& o) {
  ASSIGN_OR_RETURN(auto hosts, metrics::PostgresHosts(o));
  if (auto allow =
          Allow(ns, "postgresql", o.sslmode.rfind("verify", 0) != 0 && o.sslmode != "require")) {
    for (const auto& h : hosts) RETURN_IF_ERROR(allow(h.host, h.port));
  }
  const std::string key = o.conninfo + "/" + o.host + ":" + std::to_string(o.port) + "/" +
                          o.database + "/" + o.user + "/" + o.password + "/" + o.sslmode + "/" +
                          o.ca_pem + "/" + std::to_string(o.connect_timeout.count()) + "/" +
                          std::to_string(o.statement_timeout.count()) + "/" +
                          std::to_string(o.timeout.count());
  MutexLock lock(mu_);
  std::erase_if(postgres_, [](const auto& kv) { return kv.second.expired(); });
  auto& slot = postgres_[key];
  if (auto held = slot.lock()) return held;
  auto conn = std::make_shared<metrics::PostgresConnection>(o);
  slot = conn;
  return conn;
}

size_t LiveSourceFactory::open_postgres_connections() {
  MutexLock lock(mu_);
  std::erase_if(postgres_, [](const auto& kv) { return kv.second.expired(); });
  return postgres_.size();
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
