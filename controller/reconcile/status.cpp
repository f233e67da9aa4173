#include "reconcile/status.h"

#include <cmath>
#include <functional>

#include "api/v1alpha1/codec.h"
#include "kube/json_fields.h"

namespace gearbox::reconcile {

using Json = web::json::value;
namespace v1alpha1 = gearbox::api::v1alpha1;

namespace {

v1alpha1::DateTime At(policy::Time t) { return {policy::FormatTime(t)}; }

// Readings are rounded to 4 significant digits so that noise below that does not rewrite status.
double Round(double v) { return policy::RoundForStatus(v); }

// The status as it was (its last decisions, its conditions' transition times), read through the
// API's decode; nothing when there was none or it cannot be read (then those start over).
v1alpha1::ScalingPolicyStatus OldStatus(const Json& status) {
  auto decoded = v1alpha1::DecodeStatus(status);
  return decoded ? *std::move(decoded) : v1alpha1::ScalingPolicyStatus{};
}

// The item of `items` whose `key` is `value`.
template <typename Item>
const Item* FindBy(const std::vector<Item>& items, std::string Item::*key,
                   const std::string& value) {
  for (const Item& item : items)
    if (item.*key == value) return &item;
  return nullptr;
}

std::vector<v1alpha1::Condition> Conditions(const v1alpha1::ScalingPolicyStatus& old,
                                            const std::vector<ConditionOverride>& list,
                                            int64_t generation, policy::Time now) {
  std::vector<v1alpha1::Condition> out;
  for (const auto& c : list) {
    v1alpha1::Condition condition{
        c.type,     c.status ? v1alpha1::ConditionStatus::kTrue : v1alpha1::ConditionStatus::kFalse,
        generation, At(now),
        c.reason,   c.message.substr(0, 32000)};
    const auto* was = FindBy(old.conditions, &v1alpha1::Condition::type, c.type);
    if (was && was->status == condition.status)
      condition.last_transition_time = was->last_transition_time;
    out.push_back(std::move(condition));
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

v1alpha1::PendingPhase PendingPhaseOf(const policy::PendingPhase& pending) {
  return {pending.name, At(pending.since), At(pending.switch_at)};
}

v1alpha1::TopologyStatus TopologyOf(const policy::State& state) {
  v1alpha1::TopologyStatus t;
  if (!state.workload_phase.empty()) t.workload_phase = state.workload_phase;
  if (state.in_flight) {
    const policy::InFlight& f = *state.in_flight;
    t.in_flight = v1alpha1::TopologyInFlight{f.component, f.from, f.to, At(f.since), std::nullopt};
    if (f.retries > 0) t.in_flight->retries = f.retries;
  }
  return t;
}

// The last decision: this one when it changes something (or, in DryRun, reports something new),
// else the one before.
std::optional<v1alpha1::LastDecision> LastDecisionOf(const v1alpha1::ComponentStatus* old,
                                                     const policy::ComponentDecision& d,
                                                     bool dry_run, policy::Time now) {
  const bool reported = old && old->last_decision && old->last_decision->to == d.desired;
  if (d.change || (dry_run && d.desired != d.current && !reported))
    return v1alpha1::LastDecision{At(now), d.current, d.desired,
                                  (dry_run ? "DryRun, not applied: " : "") + d.reason};
  if (old) return old->last_decision;
  return std::nullopt;
}

v1alpha1::ComponentStatus ComponentOf(const v1alpha1::ScalingPolicyStatus& old,
                                      const policy::ComponentDecision& d, bool dry_run,
                                      policy::Time now) {
  v1alpha1::ComponentStatus c;
  c.name = d.name;
  c.role = d.role == policy::Role::kTopology ? "topology" : "workload";
  c.current_replicas = d.current;
  c.desired_replicas = d.desired;
  c.ready_replicas = d.ready;
  c.min_replicas = d.min;
  c.max_replicas = d.max;
  c.bounds_from = d.bounds_from;
  const auto* was = FindBy(old.components, &v1alpha1::ComponentStatus::name, d.name);
  c.last_decision = LastDecisionOf(was, d, dry_run, now);
  for (const policy::Counting& cnt : d.counting)
    c.counting.push_back({cnt.rule, At(cnt.since), policy::FormatDuration(cnt.for_)});
  if (d.paused) c.paused = true;
  if (d.fallback_since) c.fallback_since = At(*d.fallback_since);
  return c;
}

v1alpha1::MetricStatus MetricOf(const std::string& name,
                                const std::map<std::string, MetricObservation>& readings) {
  v1alpha1::MetricStatus m;
  m.name = name;
  auto it = readings.find(name);
  if (it == readings.end()) {
    m.error = "not read";
    return m;
  }
  const auto& reading = it->second.reading;
  if (reading.ok() && std::isfinite(reading->value)) {
    m.value = Round(reading->value);
  } else {  // JSON has no NaN or infinity: one would make every status write fail
    m.error = reading.ok() ? "not a finite number" : ShownError(reading.error());
  }
  m.time = At(it->second.time);
  return m;
}

// The lists of the engine's result that status copies: firing alerts, open windows, timers.
void CopyLists(const policy::Decision& r, v1alpha1::ScalingPolicyStatus& st) {
  for (const policy::FiringAlert& a : r.alerts)
    st.alerts.push_back({a.name, At(a.since), Round(a.value)});
  for (const policy::OpenSchedule& s : r.schedules)
    st.schedules.push_back({s.name, At(s.opened_at), At(s.closes_at)});
  for (const auto& [key, since] : r.state.timers) st.timers.push_back({key, At(since)});
}

std::vector<policy::Condition> AsConditions(const std::vector<ConditionOverride>& list) {
  std::vector<policy::Condition> out;
  out.reserve(list.size());
  for (const auto& c : list) out.push_back({c.type, c.status, c.reason, c.message});
  return out;
}

// status.abstract: the engine's summary, then the conditions that are not in their good state
// (the reconciler's among them: a conflict, a write refused).
std::vector<std::string> Abstract(const std::vector<std::string>& summary,
                                  const std::vector<ConditionOverride>& conditions) {
  std::vector<std::string> lines = summary;
  for (auto& line : policy::ConditionLines(AsConditions(conditions))) lines.push_back(line);
  return lines;
}

// The engine's conditions, with the reconciler's of the same type in their place.
std::vector<ConditionOverride> Merged(const std::vector<policy::Condition>& engine,
                                      const std::vector<ConditionOverride>& overrides) {
  std::vector<ConditionOverride> conds;
  conds.reserve(engine.size() + overrides.size());
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

Json BuildStatus(const Json& old_status, const policy::Decision& r,
                 const std::map<std::string, MetricObservation>& readings,
                 const std::vector<std::string>& metric_order, int64_t generation,
                 const std::vector<ConditionOverride>& overrides, policy::Time now) {
  const v1alpha1::ScalingPolicyStatus old = OldStatus(old_status);
  v1alpha1::ScalingPolicyStatus st;
  st.observed_generation = generation;
  if (!r.phase.empty()) st.phase = r.phase;
  if (r.pending_phase) st.pending_phase = PendingPhaseOf(*r.pending_phase);
  if (!r.state.workload_phase.empty() || r.state.in_flight) st.topology = TopologyOf(r.state);
  for (const policy::ComponentDecision& d : r.components)
    st.components.push_back(ComponentOf(old, d, r.dry_run, now));
  for (const std::string& name : metric_order) st.metrics.push_back(MetricOf(name, readings));
  CopyLists(r, st);
  const std::vector<ConditionOverride> conditions = Merged(r.conditions, overrides);
  st.conditions = Conditions(old, conditions, generation, now);
  st.abstract = Abstract(r.summary, conditions);
  st.replica_counts = r.replica_counts;
  st.metric_values = r.metric_values;
  return v1alpha1::EncodeStatus(st);
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

// What a fingerprint leaves out, taken out of a copy of a status in place: the readings' times,
// then the readings.
void LeaveOut(Json& s, Leaving leaving) {
  if (!s.is_object()) return;
  EraseFromEach(s, "metrics", "time");
  if (leaving == Leaving::kTimes) return;
  EraseFromEach(s, "metrics", "value");
  EraseFromEach(s, "alerts", "value");
  kube::EraseField(s, "abstract");
  kube::EraseField(s, "metricValues");
}

// std::hash: fingerprints are compared only within the process that made them (the cache and the
// passes), never stored.
uint64_t Hash(const Json& s) { return std::hash<std::string>{}(s.serialize()); }

uint64_t Fingerprint(const Json& status, Leaving leaving) {
  const char* kept_as = leaving == Leaving::kTimes ? kFingerprint : kShape;
  if (const Json* kept = kube::FieldAt(status, {kept_as}); kept && kept->is_number())
    return kept->as_number().to_uint64();
  Json s = status;
  LeaveOut(s, leaving);
  return Hash(s);
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
  Json s = next;  // one copy (it runs on every pass), left out of in two steps
  LeaveOut(s, Leaving::kTimes);
  if (Fingerprint(old, Leaving::kTimes) == Hash(s)) return false;
  LeaveOut(s, Leaving::kReadings);
  if (Fingerprint(old, Leaving::kReadings) != Hash(s)) return true;
  const auto written = OldestReading(old);
  return !written || now - *written >= kReadingsRefreshedAfter;
}

Json CompactStatus(const Json& status) {
  if (!status.is_object() || IsCompactStatus(status)) return status;
  Json out = Json::object();
  out["conditions"] = KeptOf(status, "conditions", {"type", "status", "lastTransitionTime"});
  // Still a status the API's decode takes (BuildStatus reads the old one through it), which
  // requires a condition's reason and message: kept empty, a pass carries over only the rest.
  for (auto& condition : out["conditions"].as_array())
    for (const char* text : {"reason", "message"}) condition[text] = Json::string("");
  out["components"] = KeptOf(status, "components", {"name", "lastDecision"});
  out["metrics"] = KeptOf(status, "metrics", {"name", "time"});
  for (const char* key : {"phase", "timers", "topology"})
    if (const Json* v = kube::FieldAt(status, {key})) out[key] = *v;
  out[kFingerprint] = Json::number(Fingerprint(status, Leaving::kTimes));
  out[kShape] = Json::number(Fingerprint(status, Leaving::kReadings));
  return out;
}

bool IsCompactStatus(const Json& status) { return kube::FieldAt(status, {kFingerprint}); }

// The old status kept as it is (its timers and phase carry the engine's state across), with the
// conditions, the abstract and the generation of a policy that is not evaluated.
Json InvalidStatus(const Json& old_status, int64_t generation, const std::string& reason,
                   const std::string& message, policy::Time now) {
  const std::vector<ConditionOverride> conditions = {
      {"Ready", false, reason, message},
      {"AbleToScale", false, reason, "the policy is not evaluated"}};
  v1alpha1::ScalingPolicyStatus fresh;
  fresh.observed_generation = generation;
  fresh.conditions = Conditions(OldStatus(old_status), conditions, generation, now);
  fresh.abstract = Abstract({}, conditions);
  const Json encoded = v1alpha1::EncodeStatus(fresh);
  Json st = old_status.is_object() ? old_status : Json::object();
  kube::EraseField(st, kFingerprint);
  kube::EraseField(st, kShape);
  for (const char* field : {"observedGeneration", "conditions", "abstract"})
    st[field] = encoded.at(field);
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
