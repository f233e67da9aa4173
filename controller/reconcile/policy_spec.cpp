#include "reconcile/policy_spec.h"

#include <stdexcept>

namespace gearbox::reconcile {

using Json = web::json::value;

namespace {

struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string Str(const Json& o, const char* field, const std::string& fallback = "") {
  return o.has_string_field(field) ? o.at(field).as_string() : fallback;
}

double Num(const Json& o, const char* field) { return o.at(field).as_double(); }

int Int(const Json& o, const char* field, int fallback) {
  return o.has_number_field(field) ? o.at(field).as_integer() : fallback;
}

policy::Duration Dur(const Json& o, const char* field, const std::string& fallback,
                     const std::string& where) {
  std::string text = Str(o, field, fallback);
  std::string error;
  auto d = policy::ParseDuration(text, &error);
  if (!d) throw Bad(where + "." + field + ": " + error);
  return *d;
}

std::optional<SecretKeyRef> SecretRef(const Json& o, const char* field) {
  if (!o.has_object_field(field)) return std::nullopt;
  return SecretKeyRef{Str(o.at(field), "name"), Str(o.at(field), "key")};
}

policy::Rule ParseRule(const Json& r, const std::string& where) {
  policy::Rule rule;
  rule.metric = Str(r, "metric");
  if (r.has_field("above")) {
    rule.above = true;
    rule.threshold = Num(r, "above");
  } else if (r.has_field("below")) {
    rule.above = false;
    rule.threshold = Num(r, "below");
  } else {
    throw Bad(where + ": a rule needs above or below");
  }
  rule.for_ = Dur(r, "for", "0s", where);
  rule.per_replica = r.has_boolean_field("perReplica") && r.at("perReplica").as_bool();
  return rule;
}

policy::RuleSet ParseRuleSet(const Json& s, const std::string& where) {
  policy::RuleSet set;
  set.all_of = s.has_array_field("allOf");
  const char* field = set.all_of ? "allOf" : "anyOf";
  if (!s.has_array_field(field)) throw Bad(where + ": needs anyOf or allOf");
  int i = 0;
  for (const auto& r : s.at(field).as_array())
    set.rules.push_back(ParseRule(r, where + "." + field + "[" + std::to_string(i++) + "]"));
  return set;
}

policy::Limits ParseLimits(const Json& b, const char* field, policy::Limits defaults,
                           const std::string& where) {
  if (!b.has_object_field(field)) return defaults;
  const Json& l = b.at(field);
  policy::Limits out = defaults;
  out.max_pods = Int(l, "maxPods", defaults.max_pods);
  out.max_percent = Int(l, "maxPercent", defaults.max_percent);
  if (l.has_string_field("stabilizationWindow"))
    out.stabilization_window = Dur(l, "stabilizationWindow", "0s", where + "." + field);
  return out;
}

}  // namespace

std::optional<ParsedPolicy> ParsePolicy(const Json& object, std::string* error) {
  try {
    ParsedPolicy p;
    const Json& meta = object.at("metadata");
    p.ns = Str(meta, "namespace");
    p.name = Str(meta, "name");
    p.uid = Str(meta, "uid");
    p.generation =
        meta.has_number_field("generation") ? meta.at("generation").as_number().to_int64() : 0;
    if (!object.has_object_field("spec")) throw Bad("spec is missing");
    const Json& spec = object.at("spec");
    policy::Spec& s = p.spec;
    s.interval = Dur(spec, "interval", "15s", "spec");
    if (s.interval < std::chrono::seconds(1)) throw Bad("spec.interval must be at least 1s");
    s.mode =
        Str(spec, "mode", "Enforce") == "DryRun" ? policy::Mode::kDryRun : policy::Mode::kEnforce;
    if (spec.has_object_field("sources")) {
      const Json& src = spec.at("sources");
      if (src.has_object_field("prometheus")) {
        const Json& pr = src.at("prometheus");
        p.prometheus = PrometheusSourceDef{Str(pr, "url"), SecretRef(pr, "bearerTokenSecretRef"),
                                           SecretRef(pr, "caSecretRef"),
                                           Dur(pr, "timeout", "5s", "spec.sources.prometheus")};
      }
      if (src.has_object_field("redis")) {
        const Json& r = src.at("redis");
        p.redis = RedisSourceDef{Str(r, "url"), SecretRef(r, "passwordSecretRef"),
                                 Dur(r, "timeout", "2s", "spec.sources.redis")};
      }
    }
    if (spec.has_array_field("metrics")) {
      for (const auto& m : spec.at("metrics").as_array()) {
        MetricDef d;
        d.name = Str(m, "name");
        if (m.has_object_field("resource")) {
          d.type = MetricDef::Type::kResource;
          d.resource = Str(m.at("resource"), "name", "cpu");
          d.component = Str(m.at("resource"), "component");
        } else if (m.has_object_field("prometheus")) {
          d.type = MetricDef::Type::kPrometheus;
          d.query = Str(m.at("prometheus"), "query");
          if (!p.prometheus) throw Bad("metric " + d.name + " needs spec.sources.prometheus");
        } else if (m.has_object_field("queue")) {
          d.type = MetricDef::Type::kQueue;
          const Json& q = m.at("queue");
          d.queue =
              metrics::QueueSpec{Str(q, "flavor"), Str(q, "name"), Str(q, "measure", "backlog"),
                                 Str(q, "prefix", "bull"), Str(q, "group")};
          if (!p.redis) throw Bad("metric " + d.name + " needs spec.sources.redis");
        } else {
          throw Bad("metric " + d.name + " has no source");
        }
        s.metrics.push_back(d.name);
        p.metrics.push_back(d);
      }
    }
    int ci = 0;
    for (const auto& c : spec.at("components").as_array()) {
      std::string where = "spec.components[" + std::to_string(ci++) + "]";
      policy::Component comp;
      comp.name = Str(c, "name");
      comp.role = Str(c, "role", "workload") == "topology" ? policy::Role::kTopology
                                                           : policy::Role::kWorkload;
      const Json& t = c.at("target");
      p.targets[comp.name] =
          TargetRef{Str(t, "apiVersion"), Str(t, "kind"), Str(t, "name"), Str(t, "replicasField")};
      if (c.has_object_field("replicas")) {
        comp.replicas = policy::Bounds{c.at("replicas").at("min").as_integer(),
                                       c.at("replicas").at("max").as_integer()};
      } else if (comp.role == policy::Role::kWorkload) {
        throw Bad(where + ": a workload needs replicas {min, max}");
      }
      if (c.has_object_field("scaleUp"))
        comp.scale_up = ParseRuleSet(c.at("scaleUp"), where + ".scaleUp");
      if (c.has_object_field("scaleDown"))
        comp.scale_down = ParseRuleSet(c.at("scaleDown"), where + ".scaleDown");
      if (c.has_object_field("behavior")) {
        comp.up = ParseLimits(c.at("behavior"), "scaleUp", comp.up, where + ".behavior");
        comp.down = ParseLimits(c.at("behavior"), "scaleDown", comp.down, where + ".behavior");
      }
      s.components.push_back(comp);
    }
    if (spec.has_object_field("phases")) {
      const Json& ph = spec.at("phases");
      policy::Phases phases;
      phases.metric = Str(ph, "metric");
      phases.hold = Dur(ph, "hold", "10m", "spec.phases");
      for (const auto& item : ph.at("list").as_array()) {
        policy::Phase phase;
        phase.name = Str(item, "name");
        if (item.has_field("upTo")) phase.up_to = item.at("upTo").as_double();
        if (item.has_object_field("components")) {
          for (const auto& [name, b] : item.at("components").as_object()) {
            policy::PhaseBounds pb;
            if (b.has_field("min")) pb.min = b.at("min").as_integer();
            if (b.has_field("max")) pb.max = b.at("max").as_integer();
            if (b.has_field("replicas")) pb.replicas = b.at("replicas").as_integer();
            phase.components[name] = pb;
          }
        }
        phases.list.push_back(phase);
      }
      s.phases = phases;
    }
    if (spec.has_array_field("alerts")) {
      for (const auto& a : spec.at("alerts").as_array()) {
        policy::Alert alert;
        alert.name = Str(a, "name");
        alert.metric = Str(a, "metric");
        alert.above = a.has_field("above");
        alert.threshold = alert.above ? Num(a, "above") : Num(a, "below");
        alert.for_ = Dur(a, "for", "0s", "spec.alerts." + alert.name);
        alert.severity = Str(a, "severity", "Warning");
        s.alerts.push_back(alert);
      }
    }
    return p;
  } catch (const Bad& e) {
    if (error) *error = e.what();
  } catch (const std::exception& e) {
    if (error) *error = std::string("the spec cannot be read: ") + e.what();
  }
  return std::nullopt;
}

}  // namespace gearbox::reconcile
