// See thresholds.h.
#include "cli/thresholds.h"

#include "cli/text.h"
#include "kube/json_fields.h"
#include "policy/duration.h"

namespace gearbox::cli {

using Json = web::json::value;

namespace {

// A rule or an alert clause: {metric, above | below, for?, perReplica?}.
Threshold ClauseOf(const Json& clause) {
  Threshold t;
  t.metric = kube::StringAt(clause, {"metric"});
  t.above = kube::FieldAt(clause, {"above"}) != nullptr;
  const Json* value = kube::FieldAt(clause, {t.above ? "above" : "below"});
  t.value = value && value->is_number() ? value->as_double() : 0;
  const Json* per_replica = kube::FieldAt(clause, {"perReplica"});
  t.per_replica = per_replica && per_replica->is_boolean() && per_replica->as_bool();
  t.for_text = kube::StringAt(clause, {"for"});
  return t;
}

// The rules of `set` (scaleUp or scaleDown) of one component, under anyOf or allOf.
void AddRules(const Json& component, const char* set, std::vector<Threshold>& out) {
  for (const char* combinator : {"anyOf", "allOf"}) {
    const Json* rules = kube::FieldAt(component, {set, combinator});
    if (!rules || !rules->is_array()) continue;
    for (const auto& rule : rules->as_array()) {
      Threshold t = ClauseOf(rule);
      t.component = kube::StringAt(component, {"name"});
      t.set = set;
      out.push_back(std::move(t));
    }
  }
}

const Json* FindNamed(const Json& status, const char* list, const std::string& name) {
  const Json* items = kube::FieldAt(status, {list});
  if (!items || !items->is_array()) return nullptr;
  for (const auto& item : items->as_array())
    if (kube::StringAt(item, {"name"}) == name) return &item;
  return nullptr;
}

// How far a `for` has counted, from the component's status.counting: "1m40s of 5m", or "" when
// the rule is not counting (its `for` has passed, or it does not hold).
std::string CountedText(const Threshold& t, const Json& component, WallTime now) {
  const Json* counting = kube::FieldAt(component, {"counting"});
  if (!counting || !counting->is_array()) return "";
  for (const auto& entry : counting->as_array()) {
    if (kube::StringAt(entry, {"rule"}) == CountingName(t)) return CountedSoFar(entry, now);
  }
  return "";
}

std::string ClauseText(const Threshold& t) {
  std::string text = std::string(t.above ? "> " : "< ") + Num(t.value);
  if (t.per_replica) text += "/replica";
  if (!t.for_text.empty()) text += " for " + t.for_text;
  const std::string owner =
      t.alert.empty() ? t.component + (t.set == "scaleUp" ? " up" : " down") : "alert " + t.alert;
  return text + " (" + owner + ")";
}

// Where the reading stands for a rule: "no", "met", or how far its `for` has counted.
std::string RuleStanding(const Threshold& t, bool past, const Json& component, WallTime now) {
  if (!past) return "no";
  const std::string counted = t.for_text.empty() ? "" : CountedText(t, component, now);
  return counted.empty() ? "met" : counted;
}

}  // namespace

std::vector<Threshold> ThresholdsOf(const Json& spec) {
  std::vector<Threshold> out;
  if (const Json* components = kube::FieldAt(spec, {"components"});
      components && components->is_array())
    for (const auto& component : components->as_array()) {
      AddRules(component, "scaleUp", out);
      AddRules(component, "scaleDown", out);
    }
  if (const Json* alerts = kube::FieldAt(spec, {"alerts"}); alerts && alerts->is_array())
    for (const auto& alert : alerts->as_array()) {
      Threshold t = ClauseOf(alert);
      t.alert = kube::StringAt(alert, {"name"});
      out.push_back(std::move(t));
    }
  return out;
}

std::string CountingName(const Threshold& t) {
  return t.set + " " + t.metric + (t.per_replica ? " per replica" : "") +
         (t.above ? " > " : " < ") + Num(t.value);
}

std::string CountedSoFar(const Json& counting, WallTime now) {
  const auto since = ParseRfc3339(kube::StringAt(counting, {"since"}));
  const auto counted = since ? std::chrono::duration_cast<std::chrono::seconds>(now - *since)
                             : std::chrono::seconds(0);
  return policy::FormatDuration(counted) + " of " + kube::StringAt(counting, {"for"});
}

std::string StandingText(const Threshold& t, double reading, const Json& status, WallTime now) {
  const Json* component = t.alert.empty() ? FindNamed(status, "components", t.component) : nullptr;
  const int replicas = component ? kube::Int32At(*component, {"currentReplicas"}).value_or(0) : 0;
  std::string shown;
  if (t.per_replica && replicas > 0) {
    reading /= replicas;  // the rule compares the value per replica (docs/api.md, Rule)
    shown = Num(reading) + ", ";
  }
  const bool past = t.above ? reading > t.value : reading < t.value;
  std::string standing;
  if (!t.alert.empty())
    standing = FindNamed(status, "alerts", t.alert) ? "fires" : (past ? "counting" : "no");
  else
    standing = RuleStanding(t, past, component ? *component : Json::object(), now);
  return ClauseText(t) + ": " + shown + standing;
}

}  // namespace gearbox::cli
