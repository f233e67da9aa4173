// See policy_spec.h. Each part of the spec has its own reader returning a Result; cpprestsdk's
// JSON throws on a field of the wrong type, and that is caught once, in ParsePolicy.
#include "reconcile/policy_spec.h"

#include <algorithm>
#include <set>

#include "kube/json_fields.h"
#include "metrics/redis_cluster.h"
#include "reconcile/schedule_spec.h"

namespace gearbox::reconcile {

using Json = web::json::value;

namespace {

std::string Str(const Json& o, const char* field, const std::string& fallback = "") {
  return kube::StringAt(o, {field}, fallback);
}

int Int(const Json& o, const char* field, int fallback) {
  return kube::Int32At(o, {field}).value_or(fallback);
}

// A required integer; an error names it when it is missing or not an int (the CRD bounds every
// number, so this is for objects that did not come through it).
Result<int> RequiredInt(const Json& o, const char* field, const std::string& where) {
  auto v = kube::Int32At(o, {field});
  if (!v) return Error::Invalid(where + "." + field + " must be an integer");
  return *v;
}

Result<policy::Duration> Dur(const Json& o, const char* field, const std::string& fallback,
                             const std::string& where) {
  auto d = policy::ParseDuration(Str(o, field, fallback));
  if (!d) return Error::Invalid(where + "." + field + ": " + d.error().message);
  return *d;
}

std::optional<SecretKeyRef> SecretRef(const Json& o, const char* field) {
  return SecretRefAt(o, field);
}

Result<policy::Rule> ParseRule(const Json& r, const std::string& where) {
  policy::Rule rule;
  rule.metric = Str(r, "metric");
  if (!r.has_field("above") && !r.has_field("below"))
    return Error::Invalid(where + ": a rule needs above or below");
  rule.above = r.has_field("above");
  rule.threshold = r.at(rule.above ? "above" : "below").as_double();
  ASSIGN_OR_RETURN(rule.for_, Dur(r, "for", "0s", where));
  rule.per_replica = r.has_boolean_field("perReplica") && r.at("perReplica").as_bool();
  if (r.has_number_field("target")) {
    rule.target = r.at("target").as_double();
    if (!(*rule.target > 0)) return Error::Invalid(where + ".target must be above 0");
  }
  return rule;
}

Result<policy::RuleSet> ParseRuleSet(const Json& s, const std::string& where) {
  policy::RuleSet set;
  set.all_of = s.has_array_field("allOf");
  const char* field = set.all_of ? "allOf" : "anyOf";
  if (!s.has_array_field(field)) return Error::Invalid(where + ": needs anyOf or allOf");
  int i = 0;
  for (const auto& r : s.at(field).as_array()) {
    ASSIGN_OR_RETURN(auto rule,
                     ParseRule(r, where + "." + field + "[" + std::to_string(i++) + "]"));
    set.rules.push_back(std::move(rule));
  }
  return set;
}

Result<policy::Limits> ParseLimits(const Json& b, const char* field, policy::Limits defaults,
                                   const std::string& where) {
  if (!b.has_object_field(field)) return defaults;
  const Json& l = b.at(field);
  policy::Limits out = defaults;
  out.max_pods = Int(l, "maxPods", defaults.max_pods);
  out.max_percent = Int(l, "maxPercent", defaults.max_percent);
  if (l.has_string_field("stabilizationWindow")) {
    ASSIGN_OR_RETURN(out.stabilization_window,
                     Dur(l, "stabilizationWindow", "0s", where + "." + field));
  }
  if (l.has_string_field("period")) {
    ASSIGN_OR_RETURN(out.period, Dur(l, "period", "0s", where + "." + field));
  }
  return out;
}

bool HasAnyField(const Json& o, std::initializer_list<const char*> fields) {
  for (const char* f : fields)
    if (o.has_field(f)) return true;
  return false;
}

// behavior in the HPA form: one Pods or Percent policy with its periodSeconds.
Result<policy::RatePolicy> ParseRatePolicy(const Json& item, const std::string& where) {
  const std::string type = Str(item, "type");
  if (type != "Pods" && type != "Percent")
    return Error::Invalid(where + ".type must be Pods or Percent, not \"" + type + "\"");
  ASSIGN_OR_RETURN(int value, RequiredInt(item, "value", where));
  ASSIGN_OR_RETURN(int period, RequiredInt(item, "periodSeconds", where));
  if (value < 1 || period < 1) return Error::Invalid(where + ": value and periodSeconds are >= 1");
  return policy::RatePolicy{type == "Percent", value, std::chrono::seconds(period)};
}

Result<policy::SelectPolicy> ParseSelectPolicy(const Json& l, const std::string& where) {
  const std::string select = Str(l, "selectPolicy", "Max");
  if (select == "Max") return policy::SelectPolicy::kMax;
  if (select == "Min") return policy::SelectPolicy::kMin;
  if (select == "Disabled") return policy::SelectPolicy::kDisabled;
  return Error::Invalid(where + ".selectPolicy must be Max, Min or Disabled");
}

// One block in the HPA form; the HPA's defaults for what it omits (and for a missing block).
Result<policy::HpaRules> ParseHpaRules(const Json& b, const char* field, policy::HpaRules out,
                                       const std::string& where) {
  if (!b.has_object_field(field)) return out;
  const Json& l = b.at(field);
  const std::string at = where + "." + field;
  if (auto window = kube::Int32At(l, {"stabilizationWindowSeconds"}))
    out.stabilization_window = std::chrono::seconds(*window);
  ASSIGN_OR_RETURN(out.select, ParseSelectPolicy(l, at));
  if (!l.has_field("policies")) return out;
  // The HPA refuses an empty list too: without a policy nothing could move.
  if (!l.has_array_field("policies") || l.at("policies").as_array().size() == 0)
    return Error::Invalid(at + ".policies must list at least one policy");
  out.policies.clear();
  for (const auto& item : l.at("policies").as_array()) {
    const std::string each = at + ".policies[" + std::to_string(out.policies.size()) + "]";
    ASSIGN_OR_RETURN(auto rate, ParseRatePolicy(item, each));
    out.policies.push_back(rate);
  }
  return out;
}

// A block's form: Gearbox's when it has one of Gearbox's fields, else the HPA's. An empty block is
// the HPA's: it is what a pasted HPA block without fields is, and the HPA reads it as its
// defaults (Gearbox's form has nothing to gain from `{}`: leaving the block out says the same).
Result<bool> InHpaForm(const Json& block, const std::string& at) {
  const bool hpa = HasAnyField(block, {"policies", "selectPolicy", "stabilizationWindowSeconds"});
  const bool gearbox =
      HasAnyField(block, {"maxPods", "maxPercent", "stabilizationWindow", "period"});
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
Result<std::optional<policy::HpaBehavior>> ParseHpaBehavior(const Json& b,
                                                            const std::string& where) {
  bool hpa = false, gearbox = false;
  for (const char* field : {"scaleUp", "scaleDown"}) {
    if (!b.has_object_field(field)) continue;
    ASSIGN_OR_RETURN(const bool in_hpa_form, InHpaForm(b.at(field), where + "." + field));
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
  ASSIGN_OR_RETURN(out.up, ParseHpaRules(b, "scaleUp", policy::HpaScaleUpDefaults(), where));
  ASSIGN_OR_RETURN(out.down, ParseHpaRules(b, "scaleDown", policy::HpaScaleDownDefaults(), where));
  return std::optional<policy::HpaBehavior>{out};
}

// spec.sources.rabbitmq: the management API and its user.
Status ParseRabbitSource(const Json& src, ParsedPolicy& p) {
  if (!src.has_object_field("rabbitmq")) return OkStatus();
  const Json& r = src.at("rabbitmq");
  ASSIGN_OR_RETURN(auto timeout, Dur(r, "timeout", "5s", "spec.sources.rabbitmq"));
  p.rabbitmq =
      RabbitSourceDef{Str(r, "url"), SecretRef(r, "usernameSecretRef"),
                      SecretRef(r, "passwordSecretRef"), SecretRef(r, "caSecretRef"), timeout};
  return OkStatus();
}

// --- Redis Cluster and Sentinel, PostgreSQL (spec.sources.redis.{cluster,sentinel},
// spec.sources.postgresql) ---

// A list of "host:port" addresses, each checked to parse; at least one.
Result<std::vector<std::string>> ServerAddresses(const Json& o, const std::string& where) {
  if (!o.has_array_field("addresses") || o.at("addresses").as_array().size() == 0)
    return Error::Invalid(where + ".addresses needs at least one host:port");
  std::vector<std::string> out;
  for (const auto& a : o.at("addresses").as_array()) {
    const std::string at = where + ".addresses[" + std::to_string(out.size()) + "]";
    if (!a.is_string()) return Error::Invalid(at + " must be a string");
    auto parsed = metrics::ParseRedisAddress(a.as_string());
    if (!parsed) return Error::Invalid(at + ": " + parsed.error().message);
    out.push_back(a.as_string());
  }
  return out;
}

Status ParseRedisTopology(const Json& r, RedisSourceDef& def) {
  const std::string where = "spec.sources.redis";
  const int ways =
      !def.url.empty() + r.has_object_field("cluster") + r.has_object_field("sentinel");
  if (ways != 1) return Error::Invalid(where + ": give exactly one of url, cluster and sentinel");
  if (r.has_object_field("cluster")) {
    ASSIGN_OR_RETURN(auto addresses, ServerAddresses(r.at("cluster"), where + ".cluster"));
    def.cluster = RedisClusterDef{std::move(addresses)};
  }
  if (r.has_object_field("sentinel")) {
    const Json& s = r.at("sentinel");
    RedisSentinelDef sentinel;
    ASSIGN_OR_RETURN(sentinel.addresses, ServerAddresses(s, where + ".sentinel"));
    sentinel.master_name = Str(s, "masterName");
    if (sentinel.master_name.empty())
      return Error::Invalid(where + ".sentinel.masterName is required");
    sentinel.username = Str(s, "username");
    sentinel.password = SecretRef(s, "passwordSecretRef");
    sentinel.database = Int(s, "database", 0);
    def.sentinel = std::move(sentinel);
  }
  return OkStatus();
}

// Its timeouts: each within (0, 30s], the statement's below the whole's (connecting is cut at
// the whole's too).
Status PostgresTimeouts(const Json& pg, PostgresSourceDef& def, const std::string& where) {
  ASSIGN_OR_RETURN(def.connect_timeout, Dur(pg, "connectTimeout", "5s", where));
  ASSIGN_OR_RETURN(def.statement_timeout, Dur(pg, "statementTimeout", "5s", where));
  ASSIGN_OR_RETURN(def.timeout, Dur(pg, "timeout", "10s", where));
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

Result<PostgresSourceDef> ParsePostgresSource(const Json& pg) {
  const std::string where = "spec.sources.postgresql";
  PostgresSourceDef def;
  def.connection = SecretRef(pg, "connectionSecretRef");
  def.host = Str(pg, "host");
  def.port = Int(pg, "port", 5432);
  def.database = Str(pg, "database");
  def.user = Str(pg, "user");
  def.password = SecretRef(pg, "passwordSecretRef");
  def.sslmode = Str(pg, "sslmode");
  if (def.connection.has_value() == !def.host.empty())
    return Error::Invalid(where + ": give either connectionSecretRef or host");
  if (!def.host.empty() && (def.database.empty() || def.user.empty()))
    return Error::Invalid(where + ": with host, database and user are required");
  if (def.port < 1 || def.port > 65535) return Error::Invalid(where + ".port must be 1..65535");
  static const std::set<std::string> kSslModes = {"",        "disable",   "allow",      "prefer",
                                                  "require", "verify-ca", "verify-full"};
  if (!kSslModes.count(def.sslmode))
    return Error::Invalid(where +
                          ".sslmode must be disable, allow, prefer, require, verify-ca "
                          "or verify-full");
  def.ca = SecretRef(pg, "caSecretRef");
  if (def.ca && def.sslmode != "verify-ca" && def.sslmode != "verify-full")
    return Error::Invalid(where +
                          ".caSecretRef needs sslmode verify-ca or verify-full (the CA is what "
                          "checks the server's certificate)");
  RETURN_IF_ERROR(PostgresTimeouts(pg, def, where));
  return def;
}

// --- end of Redis Cluster and Sentinel, PostgreSQL ---

Status ParseSources(const Json& spec, ParsedPolicy& p) {
  if (!spec.has_object_field("sources")) return OkStatus();
  const Json& src = spec.at("sources");
  if (src.has_object_field("prometheus")) {
    const Json& pr = src.at("prometheus");
    ASSIGN_OR_RETURN(auto timeout, Dur(pr, "timeout", "5s", "spec.sources.prometheus"));
    p.prometheus = PrometheusSourceDef{Str(pr, "url"), SecretRef(pr, "bearerTokenSecretRef"),
                                       SecretRef(pr, "caSecretRef"), timeout};
    RETURN_IF_ERROR(ParsePrometheusAuth(pr, *p.prometheus));
  }
  if (src.has_object_field("redis")) {
    const Json& r = src.at("redis");
    ASSIGN_OR_RETURN(auto timeout, Dur(r, "timeout", "2s", "spec.sources.redis"));
    p.redis = RedisSourceDef{Str(r, "url"), SecretRef(r, "passwordSecretRef"),
                             timeout,       Str(r, "username"),
                             std::nullopt,  std::nullopt,
                             std::nullopt};
    if (r.has_object_field("tls")) {
      const Json& t = r.at("tls");
      p.redis->tls = RedisTlsDef{SecretRef(t, "caSecretRef"), SecretRef(t, "certSecretRef"),
                                 SecretRef(t, "keySecretRef"), Str(t, "serverName")};
    }
    RETURN_IF_ERROR(ParseRedisTopology(r, *p.redis));
  }
  if (src.has_object_field("postgresql")) {
    ASSIGN_OR_RETURN(p.postgresql, ParsePostgresSource(src.at("postgresql")));
  }
  RETURN_IF_ERROR(ParseRabbitSource(src, p));
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

Result<MetricsApiDef> ParseMetricsApi(const Json& a, const std::string& where) {
  MetricsApiDef d{Str(a, "url"),
                  Str(a, "valueLocation"),
                  SecretRef(a, "bearerTokenSecretRef"),
                  SecretRef(a, "usernameSecretRef"),
                  SecretRef(a, "passwordSecretRef"),
                  SecretRef(a, "caSecretRef"),
                  {}};
  ASSIGN_OR_RETURN(d.timeout, Dur(a, "timeout", "5s", where));
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
Result<bool> ParseHttpOrPodMetric(const Json& m, const ParsedPolicy& p, MetricDef& d) {
  const std::string where = "spec.metrics[" + d.name + "]";
  if (m.has_object_field("metricsApi")) {
    d.type = MetricDef::Type::kMetricsApi;
    ASSIGN_OR_RETURN(d.metrics_api, ParseMetricsApi(m.at("metricsApi"), where + ".metricsApi"));
  } else if (m.has_object_field("rabbitmq")) {
    d.type = MetricDef::Type::kRabbitmq;
    const Json& r = m.at("rabbitmq");
    d.rabbit = metrics::RabbitQueueSpec{Str(r, "vhost", "/"), Str(r, "queue"),
                                        Str(r, "measure", "messages")};
    if (!p.rabbitmq) return Error::Invalid("metric " + d.name + " needs spec.sources.rabbitmq");
    if (HasControlCharacter(d.rabbit.vhost) || HasControlCharacter(d.rabbit.queue))
      return Error::Invalid(where + ".rabbitmq: the queue or vhost has a control character");
  } else if (m.has_object_field("podCount")) {
    d.type = MetricDef::Type::kPodCount;
    d.pod_selector = Str(m.at("podCount"), "selector");
    if (d.pod_selector.empty() || HasControlCharacter(d.pod_selector))
      return Error::Invalid(where + ".podCount.selector must be a label selector");
  } else {
    return false;
  }
  return true;
}

Result<MetricDef> ParseMetric(const Json& m, const ParsedPolicy& p) {
  MetricDef d;
  d.name = Str(m, "name");
  if (m.has_object_field("resource")) {
    d.type = MetricDef::Type::kResource;
    d.resource = Str(m.at("resource"), "name", "cpu");
    d.component = Str(m.at("resource"), "component");
  } else if (m.has_object_field("prometheus")) {
    d.type = MetricDef::Type::kPrometheus;
    d.query = Str(m.at("prometheus"), "query");
    if (!p.prometheus) return Error::Invalid("metric " + d.name + " needs spec.sources.prometheus");
  } else if (m.has_object_field("queue")) {
    d.type = MetricDef::Type::kQueue;
    const Json& q = m.at("queue");
    d.queue = metrics::QueueSpec{Str(q, "flavor"), Str(q, "name"), Str(q, "measure", "backlog"),
                                 Str(q, "prefix", "bull"), Str(q, "group")};
    if (!p.redis) return Error::Invalid("metric " + d.name + " needs spec.sources.redis");
    RETURN_IF_ERROR(NoControlCharacters(d));
  } else if (m.has_object_field("postgresql")) {
    d.type = MetricDef::Type::kPostgres;
    d.sql = Str(m.at("postgresql"), "query");
    if (d.sql.empty()) return Error::Invalid("metric " + d.name + ": postgresql.query is empty");
    if (!p.postgresql) return Error::Invalid("metric " + d.name + " needs spec.sources.postgresql");
  } else {
    ASSIGN_OR_RETURN(const bool found, ParseHttpOrPodMetric(m, p, d));
    if (!found) return Error::Invalid("metric " + d.name + " has no source");
  }
  return d;
}

Result<policy::Fallback> ParseFallback(const Json& f, const std::string& where) {
  policy::Fallback out;
  ASSIGN_OR_RETURN(out.failure_threshold, RequiredInt(f, "failureThreshold", where));
  ASSIGN_OR_RETURN(out.replicas, RequiredInt(f, "replicas", where));
  if (out.failure_threshold < 1) return Error::Invalid(where + ".failureThreshold must be >= 1");
  return out;
}

Result<policy::ScaleToZero> ParseScaleToZero(const Json& z, const std::string& where) {
  policy::ScaleToZero out;
  ASSIGN_OR_RETURN(out.cooldown, Dur(z, "cooldown", "5m", where));
  if (!z.has_array_field("activation") || z.at("activation").as_array().size() == 0)
    return Error::Invalid(where + ".activation needs at least one metric");
  for (const auto& a : z.at("activation").as_array()) {
    if (!a.has_field("above")) return Error::Invalid(where + ".activation: a metric needs above");
    out.activation.push_back({Str(a, "metric"), a.at("above").as_double()});
  }
  return out;
}

// Pause, fallback and scaleToZero.
Status ParseOperations(const Json& c, const std::string& where, policy::Component& comp) {
  if (c.has_object_field("fallback")) {
    ASSIGN_OR_RETURN(comp.fallback, ParseFallback(c.at("fallback"), where + ".fallback"));
  }
  if (c.has_object_field("scaleToZero")) {
    ASSIGN_OR_RETURN(comp.scale_to_zero,
                     ParseScaleToZero(c.at("scaleToZero"), where + ".scaleToZero"));
    if (!comp.replicas || comp.replicas->min != 0)
      return Error::Invalid(where + ": scaleToZero needs replicas.min 0");
  }
  return OkStatus();
}

Result<policy::Component> ParseComponent(const Json& c, const std::string& where, ParsedPolicy& p) {
  policy::Component comp;
  comp.name = Str(c, "name");
  comp.role =
      Str(c, "role", "workload") == "topology" ? policy::Role::kTopology : policy::Role::kWorkload;
  const Json& t = c.at("target");
  p.targets[comp.name] =
      TargetRef{Str(t, "apiVersion"), Str(t, "kind"), Str(t, "name"), Str(t, "replicasField")};
  if (c.has_object_field("replicas")) {
    ASSIGN_OR_RETURN(int min, RequiredInt(c.at("replicas"), "min", where + ".replicas"));
    ASSIGN_OR_RETURN(int max, RequiredInt(c.at("replicas"), "max", where + ".replicas"));
    comp.replicas = policy::Bounds{min, max};
  } else if (comp.role == policy::Role::kWorkload) {
    return Error::Invalid(where + ": a workload needs replicas {min, max}");
  }
  if (c.has_object_field("scaleUp")) {
    ASSIGN_OR_RETURN(comp.scale_up, ParseRuleSet(c.at("scaleUp"), where + ".scaleUp"));
  }
  if (c.has_object_field("scaleDown")) {
    ASSIGN_OR_RETURN(comp.scale_down, ParseRuleSet(c.at("scaleDown"), where + ".scaleDown"));
  }
  if (c.has_object_field("behavior")) {
    const Json& b = c.at("behavior");
    ASSIGN_OR_RETURN(comp.up, ParseLimits(b, "scaleUp", comp.up, where + ".behavior"));
    ASSIGN_OR_RETURN(comp.down, ParseLimits(b, "scaleDown", comp.down, where + ".behavior"));
    ASSIGN_OR_RETURN(comp.hpa, ParseHpaBehavior(b, where + ".behavior"));
  }
  RETURN_IF_ERROR(ParseOperations(c, where, comp));
  return comp;
}

policy::Phase ParsePhase(const Json& item) {
  policy::Phase phase;
  phase.name = Str(item, "name");
  if (item.has_field("upTo")) phase.up_to = item.at("upTo").as_double();
  if (!item.has_object_field("components")) return phase;
  for (const auto& [name, b] : item.at("components").as_object()) {
    policy::PhaseBounds pb;
    if (b.has_field("min")) pb.min = kube::Int32At(b, {"min"});
    if (b.has_field("max")) pb.max = kube::Int32At(b, {"max"});
    if (b.has_field("replicas")) pb.replicas = kube::Int32At(b, {"replicas"});
    phase.components[name] = pb;
  }
  return phase;
}

Result<policy::Phases> ParsePhases(const Json& ph) {
  policy::Phases phases;
  phases.metric = Str(ph, "metric");
  ASSIGN_OR_RETURN(phases.hold, Dur(ph, "hold", "10m", "spec.phases"));
  for (const auto& item : ph.at("list").as_array()) phases.list.push_back(ParsePhase(item));
  return phases;
}

Result<policy::Alert> ParseAlert(const Json& a) {
  policy::Alert alert;
  alert.name = Str(a, "name");
  alert.metric = Str(a, "metric");
  alert.above = a.has_field("above");
  alert.threshold = a.at(alert.above ? "above" : "below").as_double();
  ASSIGN_OR_RETURN(alert.for_, Dur(a, "for", "0s", "spec.alerts." + alert.name));
  alert.severity = Str(a, "severity", "Warning");
  return alert;
}

Status ParseLists(const Json& spec, ParsedPolicy& p) {
  if (spec.has_array_field("metrics")) {
    for (const auto& m : spec.at("metrics").as_array()) {
      ASSIGN_OR_RETURN(auto def, ParseMetric(m, p));
      p.spec.metrics.push_back(def.name);
      if (def.type == MetricDef::Type::kResource) p.spec.resource_metrics[def.name] = def.component;
      p.metrics.push_back(std::move(def));
    }
  }
  int i = 0;
  for (const auto& c : spec.at("components").as_array()) {
    std::string where = "spec.components[" + std::to_string(i++) + "]";
    ASSIGN_OR_RETURN(auto comp, ParseComponent(c, where, p));
    p.spec.components.push_back(std::move(comp));
  }
  if (spec.has_object_field("phases")) {
    ASSIGN_OR_RETURN(p.spec.phases, ParsePhases(spec.at("phases")));
  }
  if (spec.has_array_field("alerts")) {
    for (const auto& a : spec.at("alerts").as_array()) {
      ASSIGN_OR_RETURN(auto alert, ParseAlert(a));
      p.spec.alerts.push_back(std::move(alert));
    }
  }
  ASSIGN_OR_RETURN(p.spec.schedules, ParseSchedules(spec, p.spec.components));
  return OkStatus();
}

Result<ParsedPolicy> ParseObject(const Json& object) {
  ParsedPolicy p;
  const Json& meta = object.at("metadata");
  p.ns = Str(meta, "namespace");
  p.name = Str(meta, "name");
  p.uid = Str(meta, "uid");
  p.generation = kube::IntAt(meta, {"generation"}).value_or(0);
  if (!object.has_object_field("spec")) return Error::Invalid("spec is missing");
  const Json& spec = object.at("spec");
  ASSIGN_OR_RETURN(p.spec.interval, Dur(spec, "interval", "15s", "spec"));
  if (p.spec.interval < std::chrono::seconds(1))
    return Error::Invalid("spec.interval must be at least 1s");
  ASSIGN_OR_RETURN(p.spec.topology_step_timeout, Dur(spec, "topologyStepTimeout", "10m", "spec"));
  p.spec.mode =
      Str(spec, "mode", "Enforce") == "DryRun" ? policy::Mode::kDryRun : policy::Mode::kEnforce;
  RETURN_IF_ERROR(ParseSources(spec, p));
  RETURN_IF_ERROR(ParseLists(spec, p));
  return p;
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

std::optional<SecretKeyRef> SecretRefAt(const Json& o, const char* field) {
  if (!o.has_object_field(field)) return std::nullopt;
  return SecretKeyRef{Str(o.at(field), "name"), Str(o.at(field), "key")};
}

Result<ParsedPolicy> ParsePolicy(const Json& object) {
  try {
    return ParseObject(object);
  } catch (const std::exception& e) {  // web::json throws on a missing field or a wrong type
    return Error::Invalid(std::string("the spec cannot be read: ") + e.what());
  }
}

}  // namespace gearbox::reconcile
