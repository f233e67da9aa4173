// The components and the recent decisions of `kubectl gearbox status` (status_sections.h).
#include <algorithm>

#include "cli/status_sections.h"
#include "cli/text.h"
#include "cli/thresholds.h"
#include "kube/json_fields.h"

namespace gearbox::cli {

using Json = web::json::value;

namespace {

int IntField(const Json& component, const char* field) {
  return kube::Int32At(component, {field}).value_or(0);
}

// "4 → 5 (4 ready)", "3", "3 (2 ready)".
std::string ReplicasText(const Json& c) {
  const int current = IntField(c, "currentReplicas"), desired = IntField(c, "desiredReplicas");
  const int ready = IntField(c, "readyReplicas");
  std::string text = std::to_string(current);
  if (desired != current) text += " → " + std::to_string(desired);
  if (ready != current || desired != current) text += " (" + std::to_string(ready) + " ready)";
  return text;
}

// A workload's "3..5 (phase Medium)"; a topology component's "phase Medium" (its size).
std::string BoundsText(const Json& c) {
  const std::string from = kube::StringAt(c, {"boundsFrom"});
  if (kube::StringAt(c, {"role"}) == "topology") return from;
  return std::to_string(IntField(c, "minReplicas")) + ".." +
         std::to_string(IntField(c, "maxReplicas")) + (from.empty() ? "" : " (" + from + ")");
}

// When the replicas are to change: which way, and the reason of the decision that set them.
std::string MovingText(const Json& c) {
  const int current = IntField(c, "currentReplicas"), desired = IntField(c, "desiredReplicas");
  std::string text = desired > current ? "scaling up" : "scaling down";
  if (kube::Int32At(c, {"lastDecision", "to"}) == desired)
    text += ": " + kube::StringAt(c, {"lastDecision", "reason"});
  return text;
}

// What the component is doing and why, in the order that overrides the others: paused, a
// topology step in flight, a fallback, a change, or steady.
std::string DoingText(const Json& c, const Json& status, WallTime now) {
  const std::string name = kube::StringAt(c, {"name"});
  const Json* paused = kube::FieldAt(c, {"paused"});
  if (paused && paused->is_boolean() && paused->as_bool())
    return "paused by gearbox.dev/paused: decided, not written";
  const Json* in_flight = kube::FieldAt(status, {"topology", "inFlight"});
  if (in_flight && kube::StringAt(*in_flight, {"component"}) == name)
    return "resizing " + std::to_string(IntField(*in_flight, "from")) + " → " +
           std::to_string(IntField(*in_flight, "to")) + " for " +
           Age(Since(kube::StringAt(*in_flight, {"since"}), now)) + ", waiting until ready";
  const std::string fallback_since = kube::StringAt(c, {"fallbackSince"});
  if (!fallback_since.empty())
    return "at its fallback size: its metrics unread for " + Age(Since(fallback_since, now));
  if (IntField(c, "desiredReplicas") != IntField(c, "currentReplicas")) return MovingText(c);
  if (kube::StringAt(c, {"role"}) == "topology") return "at its size";
  return IntField(c, "currentReplicas") == IntField(c, "maxReplicas") ? "steady, at its maximum"
                                                                      : "steady";
}

// "counting: scaleUp p95 > 0.5, 1m40s of 5m" rows under the component.
void AddCountingRows(const Json& c, WallTime now, std::vector<Row>& rows) {
  for (const auto& entry : ArrayAt(c, "counting").as_array())
    rows.push_back(
        {"", "", "",
         "counting: " + kube::StringAt(entry, {"rule"}) + ", " + CountedSoFar(entry, now)});
}

}  // namespace

std::vector<std::string> ComponentLines(const Json& status, WallTime now) {
  std::vector<Row> rows{{"COMPONENT", "REPLICAS", "BOUNDS", "DOING"}};
  for (const auto& c : ArrayAt(status, "components").as_array()) {
    rows.push_back(
        {kube::StringAt(c, {"name"}), ReplicasText(c), BoundsText(c), DoingText(c, status, now)});
    AddCountingRows(c, now, rows);
  }
  return rows.size() > 1 ? Columns(rows) : std::vector<std::string>{};
}

std::vector<std::string> DecisionLines(const Json& status, WallTime now) {
  std::vector<std::pair<std::string, Row>> decisions;  // by time, to sort them
  for (const auto& c : ArrayAt(status, "components").as_array()) {
    const Json* d = kube::FieldAt(c, {"lastDecision"});
    if (!d || !d->is_object()) continue;
    const std::string time = kube::StringAt(*d, {"time"});
    decisions.push_back(
        {time,
         {Age(Since(time, now)) + " ago", kube::StringAt(c, {"name"}),
          std::to_string(IntField(*d, "from")) + " → " + std::to_string(IntField(*d, "to")),
          kube::StringAt(*d, {"reason"})}});
  }
  if (decisions.empty()) return {};
  // RFC 3339 times in UTC, as the controller writes them, sort as text.
  std::sort(decisions.begin(), decisions.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<Row> rows{{"DECIDED", "COMPONENT", "CHANGE", "REASON"}};
  for (auto& decision : decisions) rows.push_back(std::move(decision.second));
  return Columns(rows);
}

}  // namespace gearbox::cli
