// See sources.h.
#include "reconcile/sources.h"

#include <cpprest/asyncrt_utils.h>
#include <cpprest/base_uri.h>

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
  ASSIGN_OR_RETURN(auto o, metrics::ParseRedisUrl(p.redis->url));
  o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(p.redis->timeout);
  o.username = p.redis->username;
  if (p.redis->password) {
    ASSIGN_OR_RETURN(o.password, ReadSecret(client, p.ns, *p.redis->password));
  }
  if (p.redis->tls) RETURN_IF_ERROR(ReadRedisTls(client, p.ns, *p.redis->tls, o));
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

// Where the policy's Prometheus is, from its URL; none when the URL does not parse.
std::optional<SourceEndpoint> PrometheusEndpoint(const PrometheusSourceDef& def) {
  if (!web::uri::validate(def.url)) return std::nullopt;
  web::uri uri(def.url);
  // Every credential counts (a token, a password, a header from a Secret, a cloud token or a
  // signature); a client certificate is only ever sent over TLS.
  const bool credential =
      def.bearer_token || def.auth ||
      std::any_of(def.headers.begin(), def.headers.end(),
                  [](const HeaderDef& h) { return h.value_secret.has_value(); });
  SourceEndpoint e{"prometheus", uri.host(), 0, uri.scheme() == "http", credential};
  if (e.host.empty()) return std::nullopt;
  e.port = static_cast<uint16_t>(uri.port() > 0 ? uri.port() : (e.plain_http ? 80 : 443));
  return e;
}

std::optional<SourceEndpoint> RedisEndpoint(const RedisSourceDef& def) {
  auto o = metrics::ParseRedisUrl(def.url);
  if (!o) return std::nullopt;
  return SourceEndpoint{"redis", o->host, static_cast<uint16_t>(o->port), !o->tls, false};
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
  }
  return {std::make_shared<BrokenSource>(Error::Invalid("unknown metric type")), {}};
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
