// See policy_spec.h. The spec is decoded into the API's types (api/v1alpha1/codec.h), then each
// part is read from them by its own reader returning a Result, with the field path of what is
// wrong. A field with a default is always there in a decoded spec: the decode fills it in.
#include "reconcile/policy_spec.h"

#include <algorithm>
#include <set>

#include "api/v1alpha1/codec.h"
#include "kube/json_fields.h"
#include "metrics/redis_cluster.h"
#include "reconcile/schedule_spec.h"

namespace gearbox::reconcile {

using Json = web::json::value;
namespace v1alpha1 = gearbox::api::v1alpha1;

namespace {

// A duration of the spec; `none` when it is absent (a field with a default never is: the decode
// fills it in).
Result<policy::Duration> Dur(const std::optional<v1alpha1::Duration>& d, const std::string& where,
                             policy::Duration none = policy::Duration{0}) {
  if (!d) return none;
  auto parsed = policy::ParseDuration(d->text);
  if (!parsed) return Error::Invalid(where + ": " + parsed.error().message);
  return *parsed;
}

Result<policy::Rule> ParseRule(const v1alpha1::Rule& r, const std::string& where) {
  policy::Rule rule;
  rule.metric = r.metric;
  if (!r.above && !r.below) return Error::Invalid(where + ": a rule needs above or below");
  rule.above = r.above.has_value();
  rule.threshold = rule.above ? *r.above : *r.below;
  ASSIGN_OR_RETURN(rule.for_, Dur(r.for_, where + ".for"));
  rule.per_replica = *r.per_replica;
  if (r.target) {
    rule.target = *r.target;
    if (!(*rule.target > 0)) return Error::Invalid(where + ".target must be above 0");
  }
  return rule;
}

Result<policy::RuleSet> ParseRuleSet(const v1alpha1::RuleSet& s, const std::string& where) {
  policy::RuleSet set;
  set.all_of = s.all_of.has_value();
  const auto& rules = set.all_of ? s.all_of : s.any_of;
  if (!rules) return Error::Invalid(where + ": needs anyOf or allOf");
  const std::string field = where + (set.all_of ? ".allOf[" : ".anyOf[");
  for (const v1alpha1::Rule& r : *rules) {
    ASSIGN_OR_RETURN(auto rule, ParseRule(r, field + std::to_string(set.rules.size()) + "]"));
    set.rules.push_back(std::move(rule));
  }
  return set;
}

Result<policy::Limits> ParseLimits(const std::optional<v1alpha1::BehaviorRules>& l,
                                   policy::Limits out, const std::string& where) {
  if (!l) return out;
  out.max_pods = l->max_pods.value_or(out.max_pods);
  out.max_percent = l->max_percent.value_or(out.max_percent);
  ASSIGN_OR_RETURN(
      out.stabilization_window,
      Dur(l->stabilization_window, where + ".stabilizationWindow", out.stabilization_window));
  ASSIGN_OR_RETURN(out.period, Dur(l->period, where + ".period", out.period));
  return out;
}

// behavior in the HPA form: one Pods or Percent policy with its periodSeconds.
Result<policy::RatePolicy> ParseRatePolicy(const v1alpha1::RatePolicy& item,
                                           const std::string& where) {
  if (item.value < 1 || item.period_seconds < 1)
    return Error::Invalid(where + ": value and periodSeconds are >= 1");
  return policy::RatePolicy{item.type == v1alpha1::RatePolicyType::kPercent, item.value,
                            std::chrono::seconds(item.period_seconds)};
}

policy::SelectPolicy SelectPolicyOf(v1alpha1::SelectPolicy select) {
  switch (select) {
    case v1alpha1::SelectPolicy::kMin:
      return policy::SelectPolicy::kMin;
    case v1alpha1::SelectPolicy::kDisabled:
      return policy::SelectPolicy::kDisabled;
    default:
      return policy::SelectPolicy::kMax;
  }
}

// One block in the HPA form; the HPA's defaults for what it omits (and for a missing block).
Result<policy::HpaRules> ParseHpaRules(const std::optional<v1alpha1::BehaviorRules>& l,
                                       policy::HpaRules out, const std::string& at) {
  if (!l) return out;
  if (l->stabilization_window_seconds)
    out.stabilization_window = std::chrono::seconds(*l->stabilization_window_seconds);
  if (l->select_policy) out.select = SelectPolicyOf(*l->select_policy);
  if (!l->policies) return out;
  // The HPA refuses an empty list too: without a policy nothing could move.
  if (l->policies->empty()) return Error::Invalid(at + ".policies must list at least one policy");
  out.policies.clear();
  for (const v1alpha1::RatePolicy& item : *l->policies) {
    const std::string each = at + ".policies[" + std::to_string(out.policies.size()) + "]";
    ASSIGN_OR_RETURN(auto rate, ParseRatePolicy(item, each));
    out.policies.push_back(rate);
  }
  return out;
}

// A block's form: Gearbox's when it has one of Gearbox's fields, else the HPA's. An empty block is
// the HPA's: it is what a pasted HPA block without fields is, and the HPA reads it as its
// defaults (Gearbox's form has nothing to gain from `{}`: leaving the block out says the same).
Result<bool> InHpaForm(const v1alpha1::BehaviorRules& block, const std::string& at) {
  const bool hpa = block.policies || block.select_policy || block.stabilization_window_seconds;
  const bool gearbox =
      block.max_pods || block.max_percent || block.stabilization_window || block.period;
  if (hpa && gearbox)
    return Error::Invalid(at +
                          " mixes the HPA form (policies, selectPolicy, "
                          "stabilizationWindowSeconds) with Gearbox's (maxPods, maxPercent, "
                          "stabilizationWindow, period)");
  return !gearbox;
}

// behavior in the HPA form unless a block is in Gearbox's: the HPA's algorithm then decides both
// ways, so every block given must be in the HPA form (empty ones are) and one left out takes the
// HPA's defaults. `behavior: {}` is the HPA form with all its defaults, as the HPA's `behavior: {}`
// is (it fills both blocks); no behavior at all is Gearbox's form. None for Gearbox's form.
Result<std::optional<policy::HpaBehavior>> ParseHpaBehavior(const v1alpha1::Behavior& b,
                                                            const std::string& where) {
  bool hpa = false, gearbox = false;
  for (const auto& [block, field] :
       {std::pair{&b.scale_up, ".scaleUp"}, std::pair{&b.scale_down, ".scaleDown"}}) {
    if (!*block) continue;
    ASSIGN_OR_RETURN(const bool in_hpa_form, InHpaForm(**block, where + field));
    (in_hpa_form ? hpa : gearbox) = true;
  }
  if (gearbox && hpa)
    return Error::Invalid(where +
                          ": one block is in the HPA form (policies, selectPolicy, "
                          "stabilizationWindowSeconds, or empty) and the other in Gearbox's "
                          "(maxPods, maxPercent, stabilizationWindow, period): write both in the "
                          "HPA form, or leave the other out for the HPA's defaults");
  if (gearbox) return std::optional<policy::HpaBehavior>{};
  policy::HpaBehavior out;
  ASSIGN_OR_RETURN(out.up,
                   ParseHpaRules(b.scale_up, policy::HpaScaleUpDefaults(), where + ".scaleUp"));
  ASSIGN_OR_RETURN(
      out.down, ParseHpaRules(b.scale_down, policy::HpaScaleDownDefaults(), where + ".scaleDown"));
  return std::optional<policy::HpaBehavior>{out};
}

// spec.sources.rabbitmq: the management API and its user.
Result<RabbitSourceDef> ParseRabbitSource(const v1alpha1::RabbitmqSource& r) {
  ASSIGN_OR_RETURN(auto timeout, Dur(r.timeout, "spec.sources.rabbitmq.timeout"));
  return RabbitSourceDef{r.url, r.username_secret_ref, r.password_secret_ref, r.ca_secret_ref,
                         timeout};
}

// --- Redis Cluster and Sentinel, PostgreSQL (spec.sources.redis.{cluster,sentinel},
// spec.sources.postgresql) ---

// A list of "host:port" addresses, each checked to parse; at least one.
Result<std::vector<std::string>> ServerAddresses(const std::vector<std::string>& addresses,
                                                 const std::string& where) {
  if (addresses.empty()) return Error::Invalid(where + ".addresses needs at least one host:port");
  for (size_t i = 0; i < addresses.size(); ++i) {
    auto parsed = metrics::ParseRedisAddress(addresses[i]);
    if (!parsed)
      return Error::Invalid(where + ".addresses[" + std::to_string(i) +
                            "]: " + parsed.error().message);
  }
  return addresses;
}

Status ParseRedisTopology(const v1alpha1::RedisSource& r, RedisSourceDef& def) {
  const std::string where = "spec.sources.redis";
  const int ways = !def.url.empty() + r.cluster.has_value() + r.sentinel.has_value();
  if (ways != 1) return Error::Invalid(where + ": give exactly one of url, cluster and sentinel");
  if (r.cluster) {
    ASSIGN_OR_RETURN(auto addresses, ServerAddresses(r.cluster->addresses, where + ".cluster"));
    def.cluster = RedisClusterDef{std::move(addresses)};
  }
  if (r.sentinel) {
    const v1alpha1::RedisSentinel& s = *r.sentinel;
    RedisSentinelDef sentinel;
    ASSIGN_OR_RETURN(sentinel.addresses, ServerAddresses(s.addresses, where + ".sentinel"));
    sentinel.master_name = s.master_name;
    if (sentinel.master_name.empty())
      return Error::Invalid(where + ".sentinel.masterName is required");
    sentinel.username = s.username.value_or("");
    sentinel.password = s.password_secret_ref;
    sentinel.database = *s.database;
    def.sentinel = std::move(sentinel);
  }
  return OkStatus();
}

Result<RedisSourceDef> ParseRedisSource(const v1alpha1::RedisSource& r) {
  ASSIGN_OR_RETURN(auto timeout, Dur(r.timeout, "spec.sources.redis.timeout"));
  RedisSourceDef def{
      r.url.value_or(""), r.password_secret_ref, timeout,     r.username.value_or(""),
      std::nullopt,       std::nullopt,          std::nullopt};
  if (r.tls) {
    def.tls = RedisTlsDef{r.tls->ca_secret_ref, r.tls->cert_secret_ref, r.tls->key_secret_ref,
                          r.tls->server_name.value_or("")};
  }
  RETURN_IF_ERROR(ParseRedisTopology(r, def));
  return def;
}

// Its timeouts: each within (0, 30s], the statement's below the whole's (connecting is cut at
// the whole's too).
Status PostgresTimeouts(const v1alpha1::PostgresqlSource& pg, PostgresSourceDef& def,
                        const std::string& where) {
  ASSIGN_OR_RETURN(def.connect_timeout, Dur(pg.connect_timeout, where + ".connectTimeout"));
  ASSIGN_OR_RETURN(def.statement_timeout, Dur(pg.statement_timeout, where + ".statementTimeout"));
  ASSIGN_OR_RETURN(def.timeout, Dur(pg.timeout, where + ".timeout"));
  for (auto [field, d] :
       {std::pair{"connectTimeout", def.connect_timeout},
        std::pair{"statementTimeout", def.statement_timeout}, std::pair{"timeout", def.timeout}}) {
    if (d <= policy::Duration(0) || d > std::chrono::seconds(30))
      return Error::Invalid(where + "." + field + " must be more than 0s and at most 30s");
  }
  if (def.statement_timeout >= def.timeout)
    return Error::Invalid(where +
                          ".statementTimeout must be less than timeout (the server "
                          "stops the query before the controller gives up on it)");
  return OkStatus();
}

Result<PostgresSourceDef> ParsePostgresSource(const v1alpha1::PostgresqlSource& pg) {
  const std::string where = "spec.sources.postgresql";
  PostgresSourceDef def;
  def.connection = pg.connection_secret_ref;
  def.host = pg.host.value_or("");
  def.port = pg.port.value_or(5432);
  def.database = pg.database.value_or("");
  def.user = pg.user.value_or("");
  def.password = pg.password_secret_ref;
  def.sslmode = pg.sslmode ? v1alpha1::NameOf(*pg.sslmode) : "";
  if (def.connection.has_value() == !def.host.empty())
    return Error::Invalid(where + ": give either connectionSecretRef or host");
  if (!def.host.empty() && (def.database.empty() || def.user.empty()))
    return Error::Invalid(where + ": with host, database and user are required");
  if (def.port < 1 || def.port > 65535) return Error::Invalid(where + ".port must be 1..65535");
  def.ca = pg.ca_secret_ref;
  if (def.ca && def.sslmode != "verify-ca" && def.sslmode != "verify-full")
    return Error::Invalid(where +
                          ".caSecretRef needs sslmode verify-ca or verify-full (the CA is what "
                          "checks the server's certificate)");
  RETURN_IF_ERROR(PostgresTimeouts(pg, def, where));
  return def;
}

// --- end of Redis Cluster and Sentinel, PostgreSQL ---

Status ParseSources(const v1alpha1::Sources& src, ParsedPolicy& p) {
  if (src.prometheus) {
    const v1alpha1::PrometheusSource& pr = *src.prometheus;
    ASSIGN_OR_RETURN(auto timeout, Dur(pr.timeout, "spec.sources.prometheus.timeout"));
    p.prometheus =
        PrometheusSourceDef{pr.url, pr.bearer_token_secret_ref, pr.ca_secret_ref, timeout};
    RETURN_IF_ERROR(ParsePrometheusAuth(pr, *p.prometheus));
  }
  if (src.redis) {
    ASSIGN_OR_RETURN(p.redis, ParseRedisSource(*src.redis));
  }
  if (src.postgresql) {
    ASSIGN_OR_RETURN(p.postgresql, ParsePostgresSource(*src.postgresql));
  }
  if (src.rabbitmq) {
    ASSIGN_OR_RETURN(p.rabbitmq, ParseRabbitSource(*src.rabbitmq));
  }
  return OkStatus();
}

// The queue's names go into Redis commands and into status: the CRD refuses CR, LF and the other
// control characters, and so does this, for objects stored before the CRD said so.
Status NoControlCharacters(const MetricDef& d) {
  const auto& q = d.queue;
  for (const std::string* field : {&q.name, &q.prefix, &q.group}) {
    if (HasControlCharacter(*field))
      return Error::Invalid("metric " + d.name +
                            ": a queue name, prefix or group has a control "
                            "character (CR, LF, ...)");
  }
  return OkStatus();
}

Result<MetricsApiDef> ParseMetricsApi(const v1alpha1::MetricsApiMetric& a,
                                      const std::string& where) {
  MetricsApiDef d{a.url,
                  a.value_location,
                  a.bearer_token_secret_ref,
                  a.username_secret_ref,
                  a.password_secret_ref,
                  a.ca_secret_ref,
                  {}};
  ASSIGN_OR_RETURN(d.timeout, Dur(a.timeout, where + ".timeout"));
  if (d.url.rfind("http://", 0) != 0 && d.url.rfind("https://", 0) != 0)
    return Error::Invalid(where + ".url must start with http:// or https://");
  if (d.value_location.empty()) return Error::Invalid(where + ".valueLocation is required");
  if (d.bearer_token && (d.username || d.password))
    return Error::Invalid(where + ": a bearer token or basic authentication, not both");
  if (d.username.has_value() != d.password.has_value())
    return Error::Invalid(where +
                          ": basic authentication needs usernameSecretRef and "
                          "passwordSecretRef together");
  return d;
}

// metricsApi, rabbitmq and podCount metrics (false: the metric is none of them).
Result<bool> ParseHttpOrPodMetric(const v1alpha1::Metric& m, const ParsedPolicy& p, MetricDef& d) {
  const std::string where = "spec.metrics[" + d.name + "]";
  if (m.metrics_api) {
    d.type = MetricDef::Type::kMetricsApi;
    ASSIGN_OR_RETURN(d.metrics_api, ParseMetricsApi(*m.metrics_api, where + ".metricsApi"));
  } else if (m.rabbitmq) {
    d.type = MetricDef::Type::kRabbitmq;
    d.rabbit = metrics::RabbitQueueSpec{*m.rabbitmq->vhost, m.rabbitmq->queue,
                                        v1alpha1::NameOf(*m.rabbitmq->measure)};
    if (!p.rabbitmq) return Error::Invalid("metric " + d.name + " needs spec.sources.rabbitmq");
    if (HasControlCharacter(d.rabbit.vhost) || HasControlCharacter(d.rabbit.queue))
      return Error::Invalid(where + ".rabbitmq: the queue or vhost has a control character");
  } else if (m.pod_count) {
    d.type = MetricDef::Type::kPodCount;
    d.pod_selector = m.pod_count->selector;
    if (d.pod_selector.empty() || HasControlCharacter(d.pod_selector))
      return Error::Invalid(where + ".podCount.selector must be a label selector");
  } else {
    return false;
  }
  return true;
}

metrics::QueueSpec QueueSpecOf(const v1alpha1::QueueMetric& q) {
  return metrics::QueueSpec{v1alpha1::NameOf(q.flavor), q.name, v1alpha1::NameOf(*q.measure),
                            *q.prefix, q.group.value_or("")};
}

Result<MetricDef> ParseMetric(const v1alpha1::Metric& m, const ParsedPolicy& p) {
  MetricDef d;
  d.name = m.name;
  if (m.resource) {
    d.type = MetricDef::Type::kResource;
    d.resource = v1alpha1::NameOf(*m.resource->name);
    d.component = m.resource->component;
  } else if (m.prometheus) {
    d.type = MetricDef::Type::kPrometheus;
    d.query = m.prometheus->query;
    if (!p.prometheus) return Error::Invalid("metric " + d.name + " needs spec.sources.prometheus");
  } else if (m.queue) {
    d.type = MetricDef::Type::kQueue;
    d.queue = QueueSpecOf(*m.queue);
    if (!p.redis) return Error::Invalid("metric " + d.name + " needs spec.sources.redis");
    RETURN_IF_ERROR(NoControlCharacters(d));
  } else if (m.postgresql) {
    d.type = MetricDef::Type::kPostgres;
    d.sql = m.postgresql->query;
    if (d.sql.empty()) return Error::Invalid("metric " + d.name + ": postgresql.query is empty");
    if (!p.postgresql) return Error::Invalid("metric " + d.name + " needs spec.sources.postgresql");
  } else {
    ASSIGN_OR_RETURN(const bool found, ParseHttpOrPodMetric(m, p, d));
    if (!found) return Error::Invalid("metric " + d.name + " has no source");
  }
  return d;
}

Result<policy::ScaleToZero> ParseScaleToZero(const v1alpha1::ScaleToZero& z,
                                             const std::string& where) {
  policy::ScaleToZero out;
  ASSIGN_OR_RETURN(out.cooldown, Dur(z.cooldown, where + ".cooldown"));
  if (z.activation.empty()) return Error::Invalid(where + ".activation needs at least one metric");
  for (const v1alpha1::Activation& a : z.activation) out.activation.push_back({a.metric, a.above});
  return out;
}

// Fallback and scaleToZero.
Status ParseOperations(const v1alpha1::Component& c, const std::string& where,
                       policy::Component& comp) {
  if (c.fallback) {
    comp.fallback = policy::Fallback{c.fallback->failure_threshold, c.fallback->replicas};
    if (comp.fallback->failure_threshold < 1)
      return Error::Invalid(where + ".fallback.failureThreshold must be >= 1");
  }
  if (c.scale_to_zero) {
    ASSIGN_OR_RETURN(comp.scale_to_zero,
                     ParseScaleToZero(*c.scale_to_zero, where + ".scaleToZero"));
    if (!comp.replicas || comp.replicas->min != 0)
      return Error::Invalid(where + ": scaleToZero needs replicas.min 0");
  }
  return OkStatus();
}

// Its rules and behavior.
Status ParseScaling(const v1alpha1::Component& c, const std::string& where,
                    policy::Component& comp) {
  if (c.scale_up) {
    ASSIGN_OR_RETURN(comp.scale_up, ParseRuleSet(*c.scale_up, where + ".scaleUp"));
  }
  if (c.scale_down) {
    ASSIGN_OR_RETURN(comp.scale_down, ParseRuleSet(*c.scale_down, where + ".scaleDown"));
  }
  if (c.behavior) {
    const std::string at = where + ".behavior";
    ASSIGN_OR_RETURN(comp.up, ParseLimits(c.behavior->scale_up, comp.up, at + ".scaleUp"));
    ASSIGN_OR_RETURN(comp.down, ParseLimits(c.behavior->scale_down, comp.down, at + ".scaleDown"));
    ASSIGN_OR_RETURN(comp.hpa, ParseHpaBehavior(*c.behavior, at));
  }
  return OkStatus();
}

Result<policy::Component> ParseComponent(const v1alpha1::Component& c, const std::string& where,
                                         ParsedPolicy& p) {
  policy::Component comp;
  comp.name = c.name;
  comp.role =
      *c.role == v1alpha1::Role::kTopology ? policy::Role::kTopology : policy::Role::kWorkload;
  const v1alpha1::Target& t = c.target;
  p.targets[comp.name] = TargetRef{t.api_version, t.kind, t.name, t.replicas_field.value_or("")};
  if (c.replicas) {
    comp.replicas = policy::Bounds{c.replicas->min, c.replicas->max};
  } else if (comp.role == policy::Role::kWorkload) {
    return Error::Invalid(where + ": a workload needs replicas {min, max}");
  }
  RETURN_IF_ERROR(ParseScaling(c, where, comp));
  RETURN_IF_ERROR(ParseOperations(c, where, comp));
  return comp;
}

policy::Phase ParsePhase(const v1alpha1::Phase& item) {
  policy::Phase phase;
  phase.name = item.name;
  phase.up_to = item.up_to;
  for (const auto& [name, b] : item.components)
    phase.components[name] = policy::PhaseBounds{b.min, b.max, b.replicas};
  return phase;
}

Result<policy::Phases> ParsePhases(const v1alpha1::Phases& ph) {
  policy::Phases phases;
  phases.metric = ph.metric;
  ASSIGN_OR_RETURN(phases.hold, Dur(ph.hold, "spec.phases.hold"));
  for (const v1alpha1::Phase& item : ph.list) phases.list.push_back(ParsePhase(item));
  return phases;
}

Result<policy::Alert> ParseAlert(const v1alpha1::Alert& a) {
  const std::string where = "spec.alerts." + a.name;
  policy::Alert alert;
  alert.name = a.name;
  alert.metric = a.metric;
  if (!a.above && !a.below) return Error::Invalid(where + ": an alert needs above or below");
  alert.above = a.above.has_value();
  alert.threshold = alert.above ? *a.above : *a.below;
  ASSIGN_OR_RETURN(alert.for_, Dur(a.for_, where + ".for"));
  alert.severity = v1alpha1::NameOf(*a.severity);
  return alert;
}

Status ParseLists(const v1alpha1::ScalingPolicySpec& spec, ParsedPolicy& p) {
  for (const v1alpha1::Metric& m : spec.metrics) {
    ASSIGN_OR_RETURN(auto def, ParseMetric(m, p));
    p.spec.metrics.push_back(def.name);
    if (def.type == MetricDef::Type::kResource) p.spec.resource_metrics[def.name] = def.component;
    p.metrics.push_back(std::move(def));
  }
  for (const v1alpha1::Component& c : spec.components) {
    const std::string where = "spec.components[" + std::to_string(p.spec.components.size()) + "]";
    ASSIGN_OR_RETURN(auto comp, ParseComponent(c, where, p));
    p.spec.components.push_back(std::move(comp));
  }
  if (spec.phases) {
    ASSIGN_OR_RETURN(p.spec.phases, ParsePhases(*spec.phases));
  }
  for (const v1alpha1::Alert& a : spec.alerts) {
    ASSIGN_OR_RETURN(auto alert, ParseAlert(a));
    p.spec.alerts.push_back(std::move(alert));
  }
  ASSIGN_OR_RETURN(p.spec.schedules, ParseSchedules(spec.schedules, p.spec.components));
  return OkStatus();
}

Status ParseSpec(const v1alpha1::ScalingPolicySpec& spec, ParsedPolicy& p) {
  ASSIGN_OR_RETURN(p.spec.interval, Dur(spec.interval, "spec.interval"));
  if (p.spec.interval < std::chrono::seconds(1))
    return Error::Invalid("spec.interval must be at least 1s");
  ASSIGN_OR_RETURN(p.spec.topology_step_timeout,
                   Dur(spec.topology_step_timeout, "spec.topologyStepTimeout"));
  p.spec.mode =
      *spec.mode == v1alpha1::Mode::kDryRun ? policy::Mode::kDryRun : policy::Mode::kEnforce;
  if (spec.sources) RETURN_IF_ERROR(ParseSources(*spec.sources, p));
  return ParseLists(spec, p);
}

}  // namespace

PauseRequest ReadPause(const Json& object, const policy::Spec& spec) {
  PauseRequest out;
  const std::string value =
      kube::StringAt(object, {"metadata", "annotations", kPausedAnnotation}, "");
  const bool all = value == "true";
  std::set<std::string> named;
  for (size_t start = 0; !all && start < value.size();) {
    size_t end = std::min(value.find(',', start), value.size());
    std::string name = value.substr(start, end - start);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (!name.empty() && name != "false") named.insert(name);
    start = end + 1;
  }
  for (const policy::Component& c : spec.components)
    if (all || named.erase(c.name)) out.components.push_back(c.name);
  out.unknown.assign(named.begin(), named.end());
  return out;
}

// The CRD refuses control characters too; this is for objects stored before it said so.
bool HasControlCharacter(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

Result<ParsedPolicy> ParsePolicy(const Json& object) {
  ParsedPolicy p;
  p.ns = kube::StringAt(object, {"metadata", "namespace"});
  p.name = kube::StringAt(object, {"metadata", "name"});
  p.uid = kube::StringAt(object, {"metadata", "uid"});
  p.generation = kube::IntAt(object, {"metadata", "generation"}).value_or(0);
  const Json* spec = kube::FieldAt(object, {"spec"});
  if (!spec || !spec->is_object()) return Error::Invalid("spec is missing");
  ASSIGN_OR_RETURN(const v1alpha1::ScalingPolicySpec decoded, v1alpha1::DecodeSpec(*spec));
  RETURN_IF_ERROR(ParseSpec(decoded, p));
  return p;
}

}  // namespace gearbox::reconcile
