// The ScalingPolicy API (gearbox.dev/v1alpha1) as plain C++ types: the spec a policy author
// writes and the status Gearbox writes back. These types are the API's source in the code:
// fields.h says for each field its JSON name, whether it is required and its default (the one
// place the defaults are stated); codec.h decodes JSON into these types and encodes them back
// through that table; tests/unit/api checks the CRD (crds/gearbox.dev_scalingpolicies.yaml)
// against the same table field by field. docs/api.md says what each field means.
//
// Conventions: a field the CRD requires is a plain member; an optional one is a std::optional
// (absent: not given) or, for a list or a map, empty. Decode fills every field that has a default
// (as the API server does), so code reading a decoded spec may read those without a check.
// Durations and time stamps keep their text (Duration, DateTime): the reconciler reads them with
// policy::ParseDuration and policy::ParseTime, which say what is wrong with one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gearbox::api::v1alpha1 {

// A Go-style duration as written ("15s", "1h30m").
struct Duration {
  std::string text;
  bool operator==(const Duration&) const = default;
};

// An RFC 3339 time stamp as written ("2026-11-30T08:00:00Z").
struct DateTime {
  std::string text;
  bool operator==(const DateTime&) const = default;
};

// Each enumeration's spelling in the API: EnumNames<E>::kNames, in the CRD's order.
template <typename E>
struct EnumNames;

#define GEARBOX_API_ENUM(Type, ...)                                         \
  template <>                                                               \
  struct EnumNames<Type> {                                                  \
    static constexpr std::pair<Type, const char*> kNames[] = {__VA_ARGS__}; \
  }

enum class Mode { kEnforce, kDryRun };
GEARBOX_API_ENUM(Mode, {Mode::kEnforce, "Enforce"}, {Mode::kDryRun, "DryRun"});
enum class Role { kWorkload, kTopology };
GEARBOX_API_ENUM(Role, {Role::kWorkload, "workload"}, {Role::kTopology, "topology"});
enum class ResourceName { kCpu, kMemory };
GEARBOX_API_ENUM(ResourceName, {ResourceName::kCpu, "cpu"}, {ResourceName::kMemory, "memory"});
enum class QueueFlavor { kBull, kBullmq, kList, kStream };
GEARBOX_API_ENUM(QueueFlavor, {QueueFlavor::kBull, "bull"}, {QueueFlavor::kBullmq, "bullmq"},
                 {QueueFlavor::kList, "list"}, {QueueFlavor::kStream, "stream"});
enum class QueueMeasure { kBacklog, kOldestWaitSeconds, kLength };
GEARBOX_API_ENUM(QueueMeasure, {QueueMeasure::kBacklog, "backlog"},
                 {QueueMeasure::kOldestWaitSeconds, "oldestWaitSeconds"},
                 {QueueMeasure::kLength, "length"});
enum class RabbitmqMeasure { kMessages, kMessagesReady, kPublishRate };
GEARBOX_API_ENUM(RabbitmqMeasure, {RabbitmqMeasure::kMessages, "messages"},
                 {RabbitmqMeasure::kMessagesReady, "messagesReady"},
                 {RabbitmqMeasure::kPublishRate, "publishRate"});
enum class SslMode { kDisable, kAllow, kPrefer, kRequire, kVerifyCa, kVerifyFull };
GEARBOX_API_ENUM(SslMode, {SslMode::kDisable, "disable"}, {SslMode::kAllow, "allow"},
                 {SslMode::kPrefer, "prefer"}, {SslMode::kRequire, "require"},
                 {SslMode::kVerifyCa, "verify-ca"}, {SslMode::kVerifyFull, "verify-full"});
enum class SelectPolicy { kMax, kMin, kDisabled };
GEARBOX_API_ENUM(SelectPolicy, {SelectPolicy::kMax, "Max"}, {SelectPolicy::kMin, "Min"},
                 {SelectPolicy::kDisabled, "Disabled"});
enum class RatePolicyType { kPods, kPercent };
GEARBOX_API_ENUM(RatePolicyType, {RatePolicyType::kPods, "Pods"},
                 {RatePolicyType::kPercent, "Percent"});
enum class Severity { kWarning };
GEARBOX_API_ENUM(Severity, {Severity::kWarning, "Warning"});
enum class ConditionStatus { kTrue, kFalse, kUnknown };
GEARBOX_API_ENUM(ConditionStatus, {ConditionStatus::kTrue, "True"},
                 {ConditionStatus::kFalse, "False"}, {ConditionStatus::kUnknown, "Unknown"});

#undef GEARBOX_API_ENUM

// The API's spelling of `value` ("DryRun", "bullmq").
template <typename E>
std::string NameOf(E value) {
  for (const auto& [each, name] : EnumNames<E>::kNames)
    if (each == value) return name;
  return "";
}

// --- spec ---

// A key of a Secret in the policy's namespace.
struct SecretKeyRef {
  std::string name;
  std::string key;
  bool operator==(const SecretKeyRef&) const = default;
};

// spec.sources.prometheus.headers[]: a fixed value or one from a Secret.
struct Header {
  std::string name;
  std::optional<std::string> value;
  std::optional<SecretKeyRef> value_secret_ref;
};

// spec.sources.prometheus.tls: the client certificate (mutual TLS).
struct ClientCertificate {
  SecretKeyRef cert_secret_ref;
  SecretKeyRef key_secret_ref;
};

struct BasicAuth {
  std::optional<std::string> username;
  std::optional<SecretKeyRef> username_secret_ref;
  SecretKeyRef password_secret_ref;
};

struct SigV4Auth {
  std::string region;
  std::optional<std::string> service;
  std::optional<SecretKeyRef> access_key_id_secret_ref;
  std::optional<SecretKeyRef> secret_access_key_secret_ref;
  std::optional<SecretKeyRef> session_token_secret_ref;
};

struct GoogleAuth {
  std::optional<SecretKeyRef> service_account_key_secret_ref;
};

struct AzureAuth {};  // the controller's workload identity: nothing to say

// spec.sources.prometheus.auth: one mode (the reconciler refuses none or several).
struct PrometheusAuth {
  std::optional<BasicAuth> basic;
  std::optional<SigV4Auth> sigv4;
  std::optional<GoogleAuth> google;
  std::optional<AzureAuth> azure;
};

struct PrometheusSource {
  std::string url;
  std::optional<SecretKeyRef> bearer_token_secret_ref;
  std::optional<SecretKeyRef> ca_secret_ref;
  std::optional<Duration> timeout;
  std::vector<Header> headers;
  std::optional<ClientCertificate> tls;
  std::optional<PrometheusAuth> auth;
};

struct RedisCluster {
  std::vector<std::string> addresses;  // host:port each
};

struct RedisSentinel {
  std::vector<std::string> addresses;  // the sentinels, host:port each
  std::string master_name;
  std::optional<std::string> username;  // the sentinels' own
  std::optional<SecretKeyRef> password_secret_ref;
  std::optional<int32_t> database;  // the master's
};

struct RedisTls {
  std::optional<SecretKeyRef> ca_secret_ref;
  std::optional<SecretKeyRef> cert_secret_ref;
  std::optional<SecretKeyRef> key_secret_ref;
  std::optional<std::string> server_name;
};

// One of url, cluster and sentinel (the reconciler refuses none or several).
struct RedisSource {
  std::optional<RedisCluster> cluster;
  std::optional<RedisSentinel> sentinel;
  std::optional<std::string> url;
  std::optional<std::string> username;
  std::optional<RedisTls> tls;
  std::optional<SecretKeyRef> password_secret_ref;
  std::optional<Duration> timeout;
};

struct RabbitmqSource {
  std::string url;
  SecretKeyRef username_secret_ref;
  SecretKeyRef password_secret_ref;
  std::optional<SecretKeyRef> ca_secret_ref;
  std::optional<Duration> timeout;
};

// A libpq connection string from a Secret, or host, port, database, user and password.
struct PostgresqlSource {
  std::optional<SecretKeyRef> connection_secret_ref;
  std::optional<std::string> host;
  std::optional<int32_t> port;  // 5432 when not given (libpq's)
  std::optional<std::string> database;
  std::optional<std::string> user;
  std::optional<SecretKeyRef> password_secret_ref;
  std::optional<SslMode> sslmode;             // not given: the connection string's, else libpq's
  std::optional<SecretKeyRef> ca_secret_ref;  // the server's CA, with verify-ca or verify-full
  std::optional<Duration> connect_timeout;
  std::optional<Duration> statement_timeout;
  std::optional<Duration> timeout;
};

struct Sources {
  std::optional<PrometheusSource> prometheus;
  std::optional<RedisSource> redis;
  std::optional<RabbitmqSource> rabbitmq;
  std::optional<PostgresqlSource> postgresql;
};

struct ResourceMetric {
  std::optional<ResourceName> name;
  std::string component;
};

struct PrometheusMetric {
  std::string query;
};

struct QueueMetric {
  QueueFlavor flavor = QueueFlavor::kBull;
  std::string name;
  std::optional<QueueMeasure> measure;
  std::optional<std::string> prefix;
  std::optional<std::string> group;
};

struct MetricsApiMetric {
  std::string url;
  std::string value_location;
  std::optional<SecretKeyRef> bearer_token_secret_ref;
  std::optional<SecretKeyRef> username_secret_ref;
  std::optional<SecretKeyRef> password_secret_ref;
  std::optional<SecretKeyRef> ca_secret_ref;
  std::optional<Duration> timeout;
};

struct RabbitmqMetric {
  std::string queue;
  std::optional<std::string> vhost;
  std::optional<RabbitmqMeasure> measure;
};

struct PodCountMetric {
  std::string selector;
};

struct PostgresqlMetric {
  std::string query;
};

// spec.metrics[]: a name and one source (the reconciler refuses none).
struct Metric {
  std::string name;
  std::optional<ResourceMetric> resource;
  std::optional<PrometheusMetric> prometheus;
  std::optional<QueueMetric> queue;
  std::optional<MetricsApiMetric> metrics_api;
  std::optional<RabbitmqMetric> rabbitmq;
  std::optional<PodCountMetric> pod_count;
  std::optional<PostgresqlMetric> postgresql;
};

struct Target {
  std::string api_version;
  std::string kind;
  std::string name;
  std::optional<std::string> replicas_field;
};

struct Replicas {
  int32_t min = 0;
  int32_t max = 0;
};

struct Rule {
  std::string metric;
  std::optional<double> above;
  std::optional<double> below;
  std::optional<Duration> for_;
  std::optional<bool> per_replica;
  std::optional<double> target;
};

// scaleUp, scaleDown: anyOf or allOf.
struct RuleSet {
  std::optional<std::vector<Rule>> any_of;
  std::optional<std::vector<Rule>> all_of;
};

// behavior.policies[] (the HPA form).
struct RatePolicy {
  RatePolicyType type = RatePolicyType::kPods;
  int32_t value = 0;
  int32_t period_seconds = 0;
};

// behavior.scaleUp, .scaleDown: Gearbox's form (maxPods, maxPercent, stabilizationWindow, period)
// or the HPA's (stabilizationWindowSeconds, selectPolicy, policies). Which fields are given says
// which form a block is in, so none has a default here (docs/api.md gives the engine's).
struct BehaviorRules {
  std::optional<int32_t> max_pods;
  std::optional<int32_t> max_percent;
  std::optional<Duration> stabilization_window;
  std::optional<Duration> period;
  std::optional<int32_t> stabilization_window_seconds;
  std::optional<SelectPolicy> select_policy;
  std::optional<std::vector<RatePolicy>> policies;
};

struct Behavior {
  std::optional<BehaviorRules> scale_up;
  std::optional<BehaviorRules> scale_down;
};

struct Fallback {
  int32_t failure_threshold = 0;
  int32_t replicas = 0;
};

struct Activation {
  std::string metric;
  double above = 0;
};

struct ScaleToZero {
  std::vector<Activation> activation;
  std::optional<Duration> cooldown;
};

struct Component {
  std::string name;
  std::optional<Role> role;
  Target target;
  std::optional<Replicas> replicas;
  std::optional<RuleSet> scale_up;
  std::optional<RuleSet> scale_down;
  std::optional<Behavior> behavior;
  std::optional<Fallback> fallback;
  std::optional<ScaleToZero> scale_to_zero;
};

// A phase's bounds of one component: {min, max} for a workload, {replicas} for a topology one.
struct PhaseBounds {
  std::optional<int32_t> min;
  std::optional<int32_t> max;
  std::optional<int32_t> replicas;
};

struct Phase {
  std::string name;
  std::optional<double> up_to;  // absent on the last phase
  std::map<std::string, PhaseBounds> components;
};

struct Phases {
  std::string metric;
  std::optional<Duration> hold;
  std::vector<Phase> list;
};

struct ScheduleMinimum {
  int32_t min = 0;
};

struct Schedule {
  std::string name;
  std::string start;  // five-field cron
  Duration duration;
  std::optional<std::string> time_zone;
  std::map<std::string, ScheduleMinimum> components;
};

struct Alert {
  std::string name;
  std::string metric;
  std::optional<double> above;
  std::optional<double> below;
  std::optional<Duration> for_;
  std::optional<Severity> severity;
};

struct ScalingPolicySpec {
  std::optional<Duration> interval;
  std::optional<Duration> topology_step_timeout;
  std::optional<Mode> mode;
  std::optional<Sources> sources;
  std::vector<Metric> metrics;
  std::vector<Component> components;
  std::optional<Phases> phases;
  std::vector<Schedule> schedules;
  std::vector<Alert> alerts;
};

// --- status (written by the controller) ---

struct PendingPhase {
  std::optional<std::string> name;
  std::optional<DateTime> since;
  std::optional<DateTime> switch_at;
};

struct TopologyInFlight {
  std::optional<std::string> component;
  std::optional<int32_t> from;
  std::optional<int32_t> to;
  std::optional<DateTime> since;
  std::optional<int32_t> retries;
};

struct TopologyStatus {
  std::optional<std::string> workload_phase;
  std::optional<TopologyInFlight> in_flight;
};

struct LastDecision {
  std::optional<DateTime> time;
  std::optional<int32_t> from;
  std::optional<int32_t> to;
  std::optional<std::string> reason;
};

struct CountingRule {
  std::optional<std::string> rule;
  std::optional<DateTime> since;
  std::optional<std::string> for_;  // a duration as the engine formats it, for people
};

struct ComponentStatus {
  std::string name;
  std::optional<std::string> role;
  std::optional<int32_t> current_replicas;
  std::optional<int32_t> desired_replicas;
  std::optional<int32_t> ready_replicas;
  std::optional<int32_t> min_replicas;
  std::optional<int32_t> max_replicas;
  std::optional<std::string> bounds_from;
  std::optional<bool> paused;
  std::optional<DateTime> fallback_since;
  std::optional<LastDecision> last_decision;
  std::vector<CountingRule> counting;
};

struct ScheduleStatus {
  std::string name;
  std::optional<DateTime> opened_at;
  std::optional<DateTime> closes_at;
};

struct MetricStatus {
  std::string name;
  std::optional<double> value;
  std::optional<DateTime> time;
  std::optional<std::string> error;
};

struct AlertStatus {
  std::optional<std::string> name;
  std::optional<DateTime> since;
  std::optional<double> value;
};

struct Timer {
  std::string key;
  DateTime since;
};

// metav1.Condition.
struct Condition {
  std::string type;
  ConditionStatus status = ConditionStatus::kUnknown;
  std::optional<int64_t> observed_generation;
  DateTime last_transition_time;
  std::string reason;
  std::string message;
};

struct ScalingPolicyStatus {
  std::optional<int64_t> observed_generation;
  std::vector<std::string> abstract;
  std::optional<std::string> replica_counts;
  std::optional<std::string> metric_values;
  std::optional<std::string> phase;
  std::optional<PendingPhase> pending_phase;
  std::optional<TopologyStatus> topology;
  std::vector<ComponentStatus> components;
  std::vector<ScheduleStatus> schedules;
  std::vector<MetricStatus> metrics;
  std::vector<AlertStatus> alerts;
  std::vector<Timer> timers;
  std::vector<Condition> conditions;
};

}  // namespace gearbox::api::v1alpha1
