#include "reconcile/status.h"

#include <cmath>
#include <functional>

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

namespace {

// Where a compact status keeps the fingerprints of the status it was made from: not field names
// the CRD has, so never ones a status written by anyone could hold.
constexpr const char* kFingerprint = "#fingerprint";  // all of it but the readings' times
constexpr const char* kShape = "#shape";              // all of it but the readings

// What a fingerprint leaves out: the readings' times (SameStatus), or the readings altogether:
// their values, their times and the texts that quote them (the abstract, metricValues).
enum class Leaving { kTimes, kReadings };

void EraseFromEach(Json& status, const char* array, const char* key) {
  if (!status.has_array_field(array)) return;
  for (auto& item : status[array].as_array()) kube::EraseField(item, key);
}

// std::hash: fingerprints are compared only within the process that made them (the cache and the
// passes), never stored.
uint64_t Fingerprint(const Json& status, Leaving leaving) {
  const char* kept_as = leaving == Leaving::kTimes ? kFingerprint : kShape;
  if (const Json* kept = kube::FieldAt(status, {kept_as}); kept && kept->is_number())
    return kept->as_number().to_uint64();
  Json s = status;
  if (s.is_object()) {
    EraseFromEach(s, "metrics", "time");
    if (leaving == Leaving::kReadings) {
      EraseFromEach(s, "metrics", "value");
      EraseFromEach(s, "alerts", "value");
      kube::EraseField(s, "abstract");
      kube::EraseField(s, "metricValues");
    }
  }
  return std::hash<std::string>{}(s.serialize());
}

// Of each element of status[array], only `keys` (the fields a pass reads).
Json KeptOf(const Json& status, const char* array, std::initializer_list<const char*> keys) {
  Json out = Json::array();
  const Json* items = kube::FieldAt(status, {array});
  if (!items || !items->is_array()) return out;
  size_t i = 0;
  for (const auto& item : items->as_array()) {
    Json kept = Json::object();
    for (const char* key : keys)
      if (const Json* v = kube::FieldAt(item, {key})) kept[key] = *v;
    out[i++] = std::move(kept);
  }
  return out;
}

// Whether every value of next[array] is within kValueTolerance of the one of the same name in old.
bool ValuesNear(const Json& old, const Json& next, const char* array) {
  const Json* values = kube::FieldAt(next, {array});
  if (!values || !values->is_array()) return true;
  for (const auto& item : values->as_array()) {
    const Json* value = kube::FieldAt(item, {"value"});
    if (!value) continue;
    const Json* written = FindByField(old, array, "name", kube::StringAt(item, {"name"}));
    const Json* was = written ? kube::FieldAt(*written, {"value"}) : nullptr;
    if (!was || !was->is_number() || !value->is_number()) return false;
    const double a = was->as_double(), b = value->as_double();
    if (std::fabs(b - a) > kValueTolerance * std::fabs(a)) return false;
  }
  return true;
}

// When the oldest reading in the status was made; nullopt when it has none.
std::optional<policy::Time> OldestReading(const Json& status) {
  std::optional<policy::Time> oldest;
  const Json* metrics = kube::FieldAt(status, {"metrics"});
  if (!metrics || !metrics->is_array()) return oldest;
  for (const auto& m : metrics->as_array()) {
    auto at = policy::ParseTime(kube::StringAt(m, {"time"}));
    if (at && (!oldest || *at < *oldest)) oldest = at;
  }
  return oldest;
}

}  // namespace

bool StatusNeedsWrite(const Json& old, const Json& next, policy::Time now) {
  if (Fingerprint(old, Leaving::kTimes) == Fingerprint(next, Leaving::kTimes)) return false;
  if (Fingerprint(old, Leaving::kReadings) != Fingerprint(next, Leaving::kReadings)) return true;
  if (!ValuesNear(old, next, "metrics") || !ValuesNear(old, next, "alerts")) return true;
  const auto written = OldestReading(old);
  return !written || now - *written >= kReadingsRefreshedAfter;
}

Json CompactStatus(const Json& status) {
  if (!status.is_object() || IsCompactStatus(status)) return status;
  Json out = Json::object();
  out["conditions"] = KeptOf(status, "conditions", {"type", "status", "lastTransitionTime"});
  out["components"] = KeptOf(status, "components", {"name", "lastDecision"});
  out["metrics"] = KeptOf(status, "metrics", {"name", "value", "time"});
  out["alerts"] = KeptOf(status, "alerts", {"name", "value"});
  for (const char* key : {"phase", "timers", "topology"})
    if (const Json* v = kube::FieldAt(status, {key})) out[key] = *v;
  out[kFingerprint] = Json::number(Fingerprint(status, Leaving::kTimes));
  out[kShape] = Json::number(Fingerprint(status, Leaving::kReadings));
  return out;
}

bool IsCompactStatus(const Json& status) { return kube::FieldAt(status, {kFingerprint}); }

Json InvalidStatus(const Json& old_status, int64_t generation, const std::string& reason,
                   const std::string& message, policy::Time now) {
  Json st = old_status.is_object() ? old_status : Json::object();
  kube::EraseField(st, kFingerprint);
  kube::EraseField(st, kShape);
  st["observedGeneration"] = Json::number(static_cast<int64_t>(generation));
  const std::vector<ConditionOverride> conditions = {
      {"Ready", false, reason, message},
      {"AbleToScale", false, reason, "the policy is not evaluated"}};
  st["conditions"] = Conditions(old_status, conditions, generation, now);
  st["abstract"] = Abstract({}, conditions);
  return st;
}

bool SameStatus(const Json& a, const Json& b) {
  return Fingerprint(a, Leaving::kTimes) == Fingerprint(b, Leaving::kTimes);
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
