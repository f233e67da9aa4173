// A ScalingPolicy object (JSON from the API server) read into what the engine needs
// (policy::Spec) and what the reconciler needs around it: how to read each metric, which object
// each component scales, which servers hold the metrics. The JSON is decoded into the API's types
// first (api/v1alpha1/codec.h: the fields' JSON types, required fields, enumerations, defaults),
// then read from them. The CRD's schema and CEL rules reject most mistakes at `kubectl apply`;
// what is left (a duration the engine cannot parse, say) comes back as an error for the Ready
// condition, naming the field.
#pragma once

#include <cpprest/json.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/v1alpha1/types.h"
#include "base/result.h"
#include "metrics/rabbitmq.h"
#include "metrics/redis_queue.h"
#include "policy/policy.h"
#include "reconcile/targets.h"

namespace gearbox::reconcile {

using SecretKeyRef = api::v1alpha1::SecretKeyRef;

// The HTTP-based sources and pod counts: metricsApi, rabbitmq, podCount.
// A metricsApi metric names its own endpoint and credentials (KEDA's metrics-api triggers each
// have their own URL); the Secrets are read from the policy's namespace.
struct MetricsApiDef {
  std::string url;
  std::string value_location;
  std::optional<SecretKeyRef> bearer_token, username, password, ca;
  policy::Duration timeout{5000};
};

struct MetricDef {
  enum class Type { kResource, kPrometheus, kQueue, kPostgres, kMetricsApi, kRabbitmq, kPodCount };
  std::string name;
  Type type = Type::kResource;
  std::string resource = "cpu";     // kResource
  std::string component;            // kResource
  std::string query;                // kPrometheus
  metrics::QueueSpec queue;         // kQueue
  std::string sql;                  // kPostgres: the query whose one number is the value
  MetricsApiDef metrics_api;        // kMetricsApi
  metrics::RabbitQueueSpec rabbit;  // kRabbitmq
  std::string pod_selector;         // kPodCount: a label selector
};

// A header sent with every query: a fixed value, or one from a Secret.
struct HeaderDef {
  std::string name;
  std::string value;
  std::optional<SecretKeyRef> value_secret;
};

// spec.sources.prometheus.auth: one way to authenticate (reconcile/prometheus_auth_spec.cpp).
struct PrometheusAuthDef {
  enum class Mode { kBasic, kSigV4, kGoogle, kAzure };
  Mode mode = Mode::kBasic;
  // basic
  std::string username;
  std::optional<SecretKeyRef> username_secret, password;
  // sigv4: keys from Secrets, or (none named) the controller's own (environment or IRSA)
  std::string region, service = "aps";
  std::optional<SecretKeyRef> access_key_id, secret_access_key, session_token;
  // google: a service-account key, or (none) the metadata server (workload identity)
  std::optional<SecretKeyRef> google_key;
};

struct PrometheusSourceDef {
  std::string url;
  std::optional<SecretKeyRef> bearer_token;
  std::optional<SecretKeyRef> ca;
  policy::Duration timeout{5000};
  std::vector<HeaderDef> headers{};
  std::optional<SecretKeyRef> cert{}, key{};  // tls: the client certificate
  std::optional<PrometheusAuthDef> auth{};
  // Every Secret the source names (for reading and watching them).
  std::vector<SecretKeyRef> Secrets() const;
};

struct RedisTlsDef {
  std::optional<SecretKeyRef> ca, cert, key;
  std::string server_name;
};

// A Redis Cluster: some of its nodes, "host:port" each (checked to parse).
struct RedisClusterDef {
  std::vector<std::string> addresses;
};

// A master that Redis Sentinel watches: the sentinels ("host:port"), the master's name, and the
// sentinels' own credentials (the master's are the source's username and passwordSecretRef).
struct RedisSentinelDef {
  std::vector<std::string> addresses;
  std::string master_name;
  std::string username;
  std::optional<SecretKeyRef> password;
  int database = 0;  // the master's
};

struct RedisSourceDef {
  std::string url;  // one server; "" with cluster or sentinel
  std::optional<SecretKeyRef> password;
  policy::Duration timeout{2000};
  std::string username;            // the ACL user; "": the default user
  std::optional<RedisTlsDef> tls;  // rediss:// settings; with cluster or sentinel: TLS on
  std::optional<RedisClusterDef> cluster;
  std::optional<RedisSentinelDef> sentinel;
};

// A PostgreSQL server: a libpq connection string from a Secret, or the fields.
struct PostgresSourceDef {
  std::optional<SecretKeyRef> connection;
  std::string host;
  int port = 5432;
  std::string database, user;
  std::optional<SecretKeyRef> password;
  std::string sslmode;             // "": libpq's default (prefer)
  std::optional<SecretKeyRef> ca;  // the server's CA (PEM), with sslmode verify-ca or verify-full
  policy::Duration connect_timeout{5000};
  policy::Duration statement_timeout{5000};
  policy::Duration timeout{10000};
};

// The RabbitMQ management API (spec.sources.rabbitmq), with the management user's credentials.
struct RabbitSourceDef {
  std::string url;
  std::optional<SecretKeyRef> username, password, ca;
  policy::Duration timeout{5000};
};

struct ParsedPolicy {
  std::string ns, name, uid;
  int64_t generation = 0;
  policy::Spec spec;
  std::vector<MetricDef> metrics;
  std::map<std::string, TargetRef> targets;  // component -> its target
  std::optional<PrometheusSourceDef> prometheus;
  std::optional<RedisSourceDef> redis;
  std::optional<RabbitSourceDef> rabbitmq;
  std::optional<PostgresSourceDef> postgresql;
};

// The policy, or an Error (kInvalid) saying what is wrong with it.
Result<ParsedPolicy> ParsePolicy(const web::json::value& object);

// Whether `text` has a control character (CR, LF, ...): the names that go into a URL's path, a
// label selector, a header or a Redis command, and into status, have none.
bool HasControlCharacter(const std::string& text);

// spec.sources.prometheus's headers, tls and auth into `def`; an Error (kInvalid) naming the field
// path of what is wrong (prometheus_auth_spec.cpp).
Status ParsePrometheusAuth(const api::v1alpha1::PrometheusSource& prometheus,
                           PrometheusSourceDef& def);

// The annotation that pauses a policy: "true" pauses every component, a comma-separated list of
// component names pauses those. Annotations are not part of the spec (no new generation), so it
// is read on every pass.
inline constexpr const char* kPausedAnnotation = "gearbox.dev/paused";

struct PauseRequest {
  std::vector<std::string> components;  // the components paused
  std::vector<std::string> unknown;     // names in the annotation the spec does not have
};

PauseRequest ReadPause(const web::json::value& object, const policy::Spec& spec);

}  // namespace gearbox::reconcile
