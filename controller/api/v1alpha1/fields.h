// The field table of every type of types.h: JSON name, required or not, and default. The one
// place the API's defaults are stated (the CRD states them again, and tests/unit/api checks that
// the two agree). Rows are in the CRD's order, which is also the order the decode reads them in.
// Nothing outside api/ includes this file.
#pragma once

#include "api/v1alpha1/reflect.h"

namespace gearbox::api::v1alpha1::reflect {

// --- spec ---

GEARBOX_API_FIELDS(SecretKeyRef, Required("name", &T::name), Required("key", &T::key));

GEARBOX_API_FIELDS(Header, Required("name", &T::name), Optional("value", &T::value),
                   Optional("valueSecretRef", &T::value_secret_ref));
GEARBOX_API_FIELDS(ClientCertificate, Required("certSecretRef", &T::cert_secret_ref),
                   Required("keySecretRef", &T::key_secret_ref));
GEARBOX_API_FIELDS(BasicAuth, Optional("username", &T::username),
                   Optional("usernameSecretRef", &T::username_secret_ref),
                   Required("passwordSecretRef", &T::password_secret_ref));
GEARBOX_API_FIELDS(SigV4Auth, Required("region", &T::region, "e.g. us-east-1"),
                   Defaulted("service", &T::service, "aps"),
                   Optional("accessKeyIdSecretRef", &T::access_key_id_secret_ref),
                   Optional("secretAccessKeySecretRef", &T::secret_access_key_secret_ref),
                   Optional("sessionTokenSecretRef", &T::session_token_secret_ref));
GEARBOX_API_FIELDS(GoogleAuth,
                   Optional("serviceAccountKeySecretRef", &T::service_account_key_secret_ref));
template <>
struct Fields<AzureAuth> {
  static const std::tuple<>& List() {
    static const std::tuple<> none;
    return none;
  }
};
GEARBOX_API_FIELDS(PrometheusAuth, Optional("basic", &T::basic), Optional("sigv4", &T::sigv4),
                   Optional("google", &T::google), Optional("azure", &T::azure));
GEARBOX_API_FIELDS(PrometheusSource, Required("url", &T::url),
                   Optional("bearerTokenSecretRef", &T::bearer_token_secret_ref),
                   Optional("caSecretRef", &T::ca_secret_ref),
                   Defaulted("timeout", &T::timeout, Duration{"5s"}),
                   Optional("headers", &T::headers), Optional("tls", &T::tls),
                   Optional("auth", &T::auth));

GEARBOX_API_FIELDS(RedisCluster, Required("addresses", &T::addresses));
GEARBOX_API_FIELDS(RedisSentinel, Required("addresses", &T::addresses),
                   Required("masterName", &T::master_name), Optional("username", &T::username),
                   Optional("passwordSecretRef", &T::password_secret_ref),
                   Defaulted("database", &T::database, 0));
GEARBOX_API_FIELDS(RedisTls, Optional("caSecretRef", &T::ca_secret_ref),
                   Optional("certSecretRef", &T::cert_secret_ref),
                   Optional("keySecretRef", &T::key_secret_ref),
                   Optional("serverName", &T::server_name));
GEARBOX_API_FIELDS(RedisSource, Optional("cluster", &T::cluster),
                   Optional("sentinel", &T::sentinel), Optional("url", &T::url),
                   Optional("username", &T::username), Optional("tls", &T::tls),
                   Optional("passwordSecretRef", &T::password_secret_ref),
                   Defaulted("timeout", &T::timeout, Duration{"2s"}));
GEARBOX_API_FIELDS(RabbitmqSource, Required("url", &T::url),
                   Required("usernameSecretRef", &T::username_secret_ref),
                   Required("passwordSecretRef", &T::password_secret_ref),
                   Optional("caSecretRef", &T::ca_secret_ref),
                   Defaulted("timeout", &T::timeout, Duration{"5s"}));
GEARBOX_API_FIELDS(PostgresqlSource, Optional("connectionSecretRef", &T::connection_secret_ref),
                   Optional("host", &T::host), Optional("port", &T::port),
                   Optional("database", &T::database), Optional("user", &T::user),
                   Optional("passwordSecretRef", &T::password_secret_ref),
                   Optional("sslmode", &T::sslmode), Optional("caSecretRef", &T::ca_secret_ref),
                   Defaulted("connectTimeout", &T::connect_timeout, Duration{"5s"}),
                   Defaulted("statementTimeout", &T::statement_timeout, Duration{"5s"}),
                   Defaulted("timeout", &T::timeout, Duration{"10s"}));
GEARBOX_API_FIELDS(Sources, Optional("prometheus", &T::prometheus), Optional("redis", &T::redis),
                   Optional("rabbitmq", &T::rabbitmq), Optional("postgresql", &T::postgresql));

GEARBOX_API_FIELDS(ResourceMetric, Defaulted("name", &T::name, ResourceName::kCpu),
                   Required("component", &T::component));
GEARBOX_API_FIELDS(PrometheusMetric, Required("query", &T::query));
GEARBOX_API_FIELDS(QueueMetric, Required("flavor", &T::flavor), Required("name", &T::name),
                   Defaulted("measure", &T::measure, QueueMeasure::kBacklog),
                   Defaulted("prefix", &T::prefix, "bull"), Optional("group", &T::group));
GEARBOX_API_FIELDS(MetricsApiMetric, Required("url", &T::url),
                   Required("valueLocation", &T::value_location),
                   Optional("bearerTokenSecretRef", &T::bearer_token_secret_ref),
                   Optional("usernameSecretRef", &T::username_secret_ref),
                   Optional("passwordSecretRef", &T::password_secret_ref),
                   Optional("caSecretRef", &T::ca_secret_ref),
                   Defaulted("timeout", &T::timeout, Duration{"5s"}));
GEARBOX_API_FIELDS(RabbitmqMetric, Required("queue", &T::queue), Defaulted("vhost", &T::vhost, "/"),
                   Defaulted("measure", &T::measure, RabbitmqMeasure::kMessages));
GEARBOX_API_FIELDS(PodCountMetric, Required("selector", &T::selector));
GEARBOX_API_FIELDS(PostgresqlMetric, Required("query", &T::query));
GEARBOX_API_FIELDS(Metric, Required("name", &T::name), Optional("resource", &T::resource),
                   Optional("prometheus", &T::prometheus), Optional("queue", &T::queue),
                   Optional("metricsApi", &T::metrics_api), Optional("rabbitmq", &T::rabbitmq),
                   Optional("podCount", &T::pod_count), Optional("postgresql", &T::postgresql));

GEARBOX_API_FIELDS(Target, Required("apiVersion", &T::api_version), Required("kind", &T::kind),
                   Required("name", &T::name), Optional("replicasField", &T::replicas_field));
GEARBOX_API_FIELDS(Replicas, Required("min", &T::min), Required("max", &T::max));
GEARBOX_API_FIELDS(Rule, Required("metric", &T::metric), Optional("above", &T::above),
                   Optional("below", &T::below), Optional("for", &T::for_),
                   Defaulted("perReplica", &T::per_replica, false), Optional("target", &T::target));
GEARBOX_API_FIELDS(RuleSet, Optional("anyOf", &T::any_of), Optional("allOf", &T::all_of));
GEARBOX_API_FIELDS(RatePolicy, Required("type", &T::type), Required("value", &T::value),
                   Required("periodSeconds", &T::period_seconds));
GEARBOX_API_FIELDS(BehaviorRules, Optional("maxPods", &T::max_pods),
                   Optional("maxPercent", &T::max_percent),
                   Optional("stabilizationWindow", &T::stabilization_window),
                   Optional("period", &T::period),
                   Optional("stabilizationWindowSeconds", &T::stabilization_window_seconds),
                   Optional("selectPolicy", &T::select_policy), Optional("policies", &T::policies));
GEARBOX_API_FIELDS(Behavior, Optional("scaleUp", &T::scale_up),
                   Optional("scaleDown", &T::scale_down));
GEARBOX_API_FIELDS(Fallback, Required("failureThreshold", &T::failure_threshold),
                   Required("replicas", &T::replicas));
GEARBOX_API_FIELDS(Activation, Required("metric", &T::metric), Required("above", &T::above));
GEARBOX_API_FIELDS(ScaleToZero, Required("activation", &T::activation),
                   Defaulted("cooldown", &T::cooldown, Duration{"5m"}));
GEARBOX_API_FIELDS(Component, Required("name", &T::name),
                   Defaulted("role", &T::role, Role::kWorkload), Required("target", &T::target),
                   Optional("replicas", &T::replicas), Optional("scaleUp", &T::scale_up),
                   Optional("scaleDown", &T::scale_down), Optional("behavior", &T::behavior),
                   Optional("fallback", &T::fallback), Optional("scaleToZero", &T::scale_to_zero));

GEARBOX_API_FIELDS(PhaseBounds, Optional("min", &T::min), Optional("max", &T::max),
                   Optional("replicas", &T::replicas));
GEARBOX_API_FIELDS(Phase, Required("name", &T::name), Optional("upTo", &T::up_to),
                   Optional("components", &T::components));
GEARBOX_API_FIELDS(Phases, Required("metric", &T::metric),
                   Defaulted("hold", &T::hold, Duration{"10m"}), Required("list", &T::list));
GEARBOX_API_FIELDS(ScheduleMinimum, Required("min", &T::min));
GEARBOX_API_FIELDS(Schedule, Required("name", &T::name), Required("start", &T::start),
                   Required("duration", &T::duration), Defaulted("timeZone", &T::time_zone, "UTC"),
                   Required("components", &T::components));
GEARBOX_API_FIELDS(Alert, Required("name", &T::name), Required("metric", &T::metric),
                   Optional("above", &T::above), Optional("below", &T::below),
                   Optional("for", &T::for_),
                   Defaulted("severity", &T::severity, Severity::kWarning));

GEARBOX_API_FIELDS(ScalingPolicySpec, Defaulted("interval", &T::interval, Duration{"15s"}),
                   Defaulted("topologyStepTimeout", &T::topology_step_timeout, Duration{"10m"}),
                   Defaulted("mode", &T::mode, Mode::kEnforce), Optional("sources", &T::sources),
                   Optional("metrics", &T::metrics), Required("components", &T::components),
                   Optional("phases", &T::phases), Optional("schedules", &T::schedules),
                   Optional("alerts", &T::alerts));

// --- status ---

GEARBOX_API_FIELDS(PendingPhase, Optional("name", &T::name), Optional("since", &T::since),
                   Optional("switchAt", &T::switch_at));
GEARBOX_API_FIELDS(TopologyInFlight, Optional("component", &T::component),
                   Optional("from", &T::from), Optional("to", &T::to), Optional("since", &T::since),
                   Optional("retries", &T::retries));
GEARBOX_API_FIELDS(TopologyStatus, Optional("workloadPhase", &T::workload_phase),
                   Optional("inFlight", &T::in_flight));
GEARBOX_API_FIELDS(LastDecision, Optional("time", &T::time), Optional("from", &T::from),
                   Optional("to", &T::to), Optional("reason", &T::reason));
GEARBOX_API_FIELDS(CountingRule, Optional("rule", &T::rule), Optional("since", &T::since),
                   Optional("for", &T::for_));
GEARBOX_API_FIELDS(ComponentStatus, Required("name", &T::name), Optional("role", &T::role),
                   Optional("currentReplicas", &T::current_replicas),
                   Optional("desiredReplicas", &T::desired_replicas),
                   Optional("readyReplicas", &T::ready_replicas),
                   Optional("minReplicas", &T::min_replicas),
                   Optional("maxReplicas", &T::max_replicas),
                   Optional("boundsFrom", &T::bounds_from), Optional("paused", &T::paused),
                   Optional("fallbackSince", &T::fallback_since),
                   Optional("lastDecision", &T::last_decision), Optional("counting", &T::counting));
GEARBOX_API_FIELDS(ScheduleStatus, Required("name", &T::name), Optional("openedAt", &T::opened_at),
                   Optional("closesAt", &T::closes_at));
GEARBOX_API_FIELDS(MetricStatus, Required("name", &T::name), Optional("value", &T::value),
                   Optional("time", &T::time), Optional("error", &T::error));
GEARBOX_API_FIELDS(AlertStatus, Optional("name", &T::name), Optional("since", &T::since),
                   Optional("value", &T::value));
GEARBOX_API_FIELDS(Timer, Required("key", &T::key), Required("since", &T::since));
GEARBOX_API_FIELDS(Condition, Required("type", &T::type), Required("status", &T::status),
                   Optional("observedGeneration", &T::observed_generation),
                   Required("lastTransitionTime", &T::last_transition_time),
                   Required("reason", &T::reason), Required("message", &T::message));
GEARBOX_API_FIELDS(ScalingPolicyStatus, Optional("observedGeneration", &T::observed_generation),
                   KeepEmpty("abstract", &T::abstract),
                   Optional("replicaCounts", &T::replica_counts),
                   Optional("metricValues", &T::metric_values), Optional("phase", &T::phase),
                   Optional("pendingPhase", &T::pending_phase), Optional("topology", &T::topology),
                   KeepEmpty("components", &T::components), Optional("schedules", &T::schedules),
                   KeepEmpty("metrics", &T::metrics), Optional("alerts", &T::alerts),
                   KeepEmpty("timers", &T::timers), KeepEmpty("conditions", &T::conditions));

}  // namespace gearbox::api::v1alpha1::reflect
