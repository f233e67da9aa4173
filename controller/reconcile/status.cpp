#include "reconcile/status.h"

#include <cmath>

#include "kube/json_fields.h"

namespace gearbox::reconcile {

using Json = web::json::value;

namespace {

Json S(const std::string& s) { return Json::string(s); }

// Readings are rounded to 4 significant digits so that noise below that does not rewrite status.
double Round(double v) { return policy::RoundForStatus(v); }

const Json* FindByField(const Json& array_parent, const char* array, const char* field,
                        const std::string& value) {
  if (!array_parent.is_object() || !array_parent.has_array_field(array)) return nullptr;
  for (const auto& item : array_parent.at(array).as_array()) {
    if (item.has_string_field(field) && item.at(field).as_string() == value) return &item;
  }
  return nullptr;
}

// A JSON array of `items`, each made by `to_json`.
template <typename Items, typename ToJson>
Json ArrayOf(const Items& items, ToJson to_json) {
  Json out = Json::array();
  size_t i = 0;
  for (const auto& item : items) out[i++] = to_json(item);
  return out;
}

Json Conditions(const Json& old_status, const std::vector<ConditionOverride>& list,
                int64_t generation, policy::Time now) {
  Json out = Json::array();
  size_t i = 0;
  for (const auto& c : list) {
    Json j = Json::object();
    j["type"] = S(c.type);
    j["status"] = S(c.status ? "True" : "False");
    j["observedGeneration"] = Json::number(static_cast<int64_t>(generation));
    j["reason"] = S(c.reason);
    j["message"] = S(c.message.substr(0, 32000));
    const Json* old = FindByField(old_status, "conditions", "type", c.type);
    bool same = old && old->has_string_field("status") &&
                old->at("status").as_string() == j["status"].as_string() &&
                old->has_string_field("lastTransitionTime");
    j["lastTransitionTime"] = same ? old->at("lastTransitionTime") : S(policy::FormatTime(now));
    out[i++] = j;
  }
  return out;
}

}  // namespace

std::string ShownError(const Error& error) {
  if (error.message.size() <= kMaxShownError) return error.message;
  size_t end = kMaxShownError - 3;
  while (end > 0 && (static_cast<unsigned char>(error.message[end]) & 0xC0) == 0x80)
    --end;  // not in the middle of a UTF-8 character: status must stay valid JSON
  return error.message.substr(0, end) + "...";
}

namespace {

Json PendingPhaseJson(const policy::PendingPhase& pending) {
  Json p = Json::object();
  p["name"] = S(pending.name);
  p["since"] = S(policy::FormatTime(pending.since));
  p["switchAt"] = S(policy::FormatTime(pending.switch_at));
  return p;
}

Json TopologyJson(const policy::State& state) {
  Json t = Json::object();
  if (!state.workload_phase.empty()) t["workloadPhase"] = S(state.workload_phase);
  if (state.in_flight) {
    Json f = Json::object();
    f["component"] = S(state.in_flight->component);
    f["from"] = Json::number(state.in_flight->from);
    f["to"] = Json::number(state.in_flight->to);
    f["since"] = S(policy::FormatTime(state.in_flight->since));
    if (state.in_flight->retries > 0) f["retries"] = Json::number(state.in_flight->retries);
    t["inFlight"] = f;
  }
  return t;
}

// The last decision: this one when it changes something (or, in DryRun, reports something new),
// else the one before.
std::optional<Json> LastDecision(const Json& old_status, const policy::ComponentDecision& d,
                                 bool dry_run, policy::Time now) {
  const Json* old = FindByField(old_status, "components", "name", d.name);
  bool reported = old && kube::Int32At(*old, {"lastDecision", "to"}) == d.desired;
  if (d.change || (dry_run && d.desired != d.current && !reported)) {
    Json ld = Json::object();
    ld["time"] = S(policy::FormatTime(now));
    ld["from"] = Json::number(d.current);
    ld["to"] = Json::number(d.desired);
    ld["reason"] = S((dry_run ? "DryRun, not applied: " : "") + d.reason);
    return ld;
  }
  if (old && old->has_object_field("lastDecision")) return old->at("lastDecision");
  return std::nullopt;
}

Json CountingJson(const std::vector<policy::Counting>& counting) {
  return ArrayOf(counting, [](const policy::Counting& cnt) {
    Json j = Json::object();
    j["rule"] = S(cnt.rule);
    j["since"] = S(policy::FormatTime(cnt.since));
    j["for"] = S(policy::FormatDuration(cnt.for_));
    return j;
  });
}

Json ComponentJson(const Json& old_status, const policy::ComponentDecision& d, bool dry_run,
                   policy::Time now) {
  Json c = Json::object();
  c["name"] = S(d.name);
  c["role"] = S(d.role == policy::Role::kTopology ? "topology" : "workload");
  c["currentReplicas"] = Json::number(d.current);
  c["desiredReplicas"] = Json::number(d.desired);
  c["readyReplicas"] = Json::number(d.ready);
  c["minReplicas"] = Json::number(d.min);
  c["maxReplicas"] = Json::number(d.max);
  c["boundsFrom"] = S(d.bounds_from);
  if (auto ld = LastDecision(old_status, d, dry_run, now)) c["lastDecision"] = *ld;
  if (!d.counting.empty()) c["counting"] = CountingJson(d.counting);
  if (d.paused) c["paused"] = Json::boolean(true);
  if (d.fallback_since) c["fallbackSince"] = S(policy::FormatTime(*d.fallback_since));
  return c;
}

Json MetricsJson(const std::map<std::string, MetricObservation>& readings,
                 const std::vector<std::string>& metric_order) {
  return ArrayOf(metric_order, [&](const std::string& name) {
    Json m = Json::object();
    m["name"] = S(name);
    auto it = readings.find(name);
    if (it == readings.end()) {
      m["error"] = S("not read");
      return m;
    }
    const auto& reading = it->second.reading;
    if (reading.ok() && std::isfinite(reading->value)) {
      m["value"] = Json::number(Round(reading->value));
    } else {  // JSON has no NaN or infinity: one would make every status write fail
      m["error"] = S(reading.ok() ? "not a finite number" : ShownError(reading.error()));
    }
    m["time"] = S(policy::FormatTime(it->second.time));
    return m;
  });
}

Json AlertsJson(const std::vector<policy::FiringAlert>& alerts) {
  return ArrayOf(alerts, [](const policy::FiringAlert& a) {
    Json j = Json::object();
    j["name"] = S(a.name);
    j["since"] = S(policy::FormatTime(a.since));
    j["value"] = Json::number(Round(a.value));
    return j;
  });
}

// status.schedules: the windows open now.
Json SchedulesJson(const std::vector<policy::OpenSchedule>& schedules) {
  return ArrayOf(schedules, [](const policy::OpenSchedule& s) {
    return Json::object({{"name", S(s.name)},
                         {"openedAt", S(policy::FormatTime(s.opened_at))},
                         {"closesAt", S(policy::FormatTime(s.closes_at))}});
  });
}

Json TimersJson(const std::map<std::string, policy::Time>& timers) {
  return ArrayOf(timers, [](const auto& timer) {
    Json j = Json::object();
    j["key"] = S(timer.first);
    j["since"] = S(policy::FormatTime(timer.second));
    return j;
  });
}

Json Strings(const std::vector<std::string>& lines) {
  return ArrayOf(lines, [](const std::string& line) { return S(line); });
}

std::vector<policy::Condition> AsConditions(const std::vector<ConditionOverride>& list) {
  std::vector<policy::Condition> out;
  out.reserve(list.size());
  for (const auto& c : list) out.push_back({c.type, c.status, c.reason, c.message});
  return out;
}

// status.abstract: the engine's summary, then the conditions that are not in their good state
// (the reconciler's among them: a conflict, a write refused).
Json Abstract(const std::vector<std::string>& summary,
              const std::vector<ConditionOverride>& conditions) {
  std::vector<std::string> lines = summary;
  for (auto& line : policy::ConditionLines(AsConditions(conditions))) lines.push_back(line);
  return Strings(lines);
}

// The engine's conditions, with the reconciler's of the same type in their place.
std::vector<ConditionOverride> Merged(const std::vector<policy::Condition>& engine,
                                      const std::vector<ConditionOverride>& overrides) {
  std::vector<ConditionOverride> conds;
  for (const auto& c : engine) conds.push_back({c.type, c.status, c.reason, c.message});
  for (const auto& o : overrides) {
    bool replaced = false;
    for (auto& c : conds) {
      if (c.type != o.type) continue;
      c = o;
      replaced = true;
    }
    if (!replaced) conds.push_back(o);
  }
  return conds;
}

}  // namespace

Json BuildStatus(const Json& old_status, const policy::Result& r,
                 const std::map<std::string, MetricObservation>& readings,
                 const std::vector<std::string>& metric_order, int64_t generation,
                 const std::vector<ConditionOverride>& overrides, policy::Time now) {
  Json st = Json::object();
  st["observedGeneration"] = Json::number(static_cast<int64_t>(generation));
  if (!r.phase.empty()) st["phase"] = S(r.phase);
  if (r.pending_phase) st["pendingPhase"] = PendingPhaseJson(*r.pending_phase);
  if (!r.state.workload_phase.empty() || r.state.in_flight) st["topology"] = TopologyJson(r.state);
  st["components"] = ArrayOf(r.components, [&](const policy::ComponentDecision& d) {
    return ComponentJson(old_status, d, r.dry_run, now);
  });
  st["metrics"] = MetricsJson(readings, metric_order);
  if (!r.alerts.empty()) st["alerts"] = AlertsJson(r.alerts);
  if (!r.schedules.empty()) st["schedules"] = SchedulesJson(r.schedules);
  st["timers"] = TimersJson(r.state.timers);
  const std::vector<ConditionOverride> conditions = Merged(r.conditions, overrides);
  st["conditions"] = Conditions(old_status, conditions, generation, now);
  st["abstract"] = Abstract(r.summary, conditions);
  st["replicaCounts"] = S(r.replica_counts);
  st["metricValues"] = S(r.metric_values);
  return st;
}

Json InvalidStatus(const Json& old_status, int64_t generation, const std::string& reason,
                   const std::string& message, policy::Time now) {
  Json st = old_status.is_object() ? old_status : Json::object();
  st["observedGeneration"] = Json::number(static_cast<int64_t>(generation));
  const std::vector<ConditionOverride> conditions = {
      {"Ready", false, reason, message},
      {"AbleToScale", false, reason, "the policy is not evaluated"}};
  st["conditions"] = Conditions(old_status, conditions, generation, now);
  st["abstract"] = Abstract({}, conditions);
  return st;
}

bool SameStatus(const Json& a, const Json& b) {
  auto strip = [](Json s) {
    if (s.is_object() && s.has_array_field("metrics")) {
      for (auto& m : s["metrics"].as_array()) {
        if (m.has_field("time")) m.erase("time");
      }
    }
    return s.serialize();
  };
  return strip(a) == strip(b);
}

policy::State StateFromStatus(const Json& status) {
  policy::State s;
  if (!status.is_object()) return s;
  if (status.has_string_field("phase")) s.phase = status.at("phase").as_string();
  if (status.has_array_field("timers")) {
    for (const auto& t : status.at("timers").as_array()) {
      if (!t.has_string_field("key") || !t.has_string_field("since")) continue;
      auto since = policy::ParseTime(t.at("since").as_string());
      if (since) s.timers[t.at("key").as_string()] = *since;
    }
  }
  if (status.has_object_field("topology")) {
    const Json& t = status.at("topology");
    if (t.has_string_field("workloadPhase")) s.workload_phase = t.at("workloadPhase").as_string();
    if (t.has_object_field("inFlight")) {
      const Json& f = t.at("inFlight");
      policy::InFlight in;
      in.component = f.has_string_field("component") ? f.at("component").as_string() : "";
      in.from = kube::Int32At(f, {"from"}).value_or(0);
      in.to = kube::Int32At(f, {"to"}).value_or(0);
      in.retries = kube::Int32At(f, {"retries"}).value_or(0);
      auto since =
          f.has_string_field("since") ? policy::ParseTime(f.at("since").as_string()) : std::nullopt;
      in.since = since.value_or(policy::Time{});
      if (!in.component.empty()) s.in_flight = in;
    }
  }
  return s;
}

}  // namespace gearbox::reconcile
