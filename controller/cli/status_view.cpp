// See status_view.h.
#include "cli/status_view.h"

#include <algorithm>

#include "cli/status_sections.h"
#include "cli/text.h"
#include "kube/json_fields.h"

namespace gearbox::cli {

using Json = web::json::value;

namespace {

// "storefront in shop: Enforce, phase Medium → Large at 10:39:00Z (in 6m) if users holds".
std::string Headline(const Json& policy, WallTime now) {
  static const Json kNoStatus = Json::object();
  const Json* found = kube::FieldAt(policy, {"status"});
  const Json& status = found ? *found : kNoStatus;
  std::string line = kube::StringAt(policy, {"metadata", "name"}) + " in " +
                     kube::StringAt(policy, {"metadata", "namespace"}) + ": " +
                     kube::StringAt(policy, {"spec", "mode"}, "Enforce");
  const std::string phase = kube::StringAt(status, {"phase"});
  if (!phase.empty()) line += ", phase " + phase;
  if (const Json* pending = kube::FieldAt(status, {"pendingPhase"})) {
    const std::string at = kube::StringAt(*pending, {"switchAt"});
    line += " → " + kube::StringAt(*pending, {"name"}) + " at " + at.substr(11) + " (in " +
            Age(-Since(at, now)) + ") if " + kube::StringAt(policy, {"spec", "phases", "metric"}) +
            " holds";
  }
  const auto generation = kube::IntAt(policy, {"metadata", "generation"});
  const auto observed = kube::IntAt(status, {"observedGeneration"});
  if (!observed) return line + "; not evaluated yet";
  if (generation && *observed < *generation)
    line += "; status of generation " + std::to_string(*observed) + ", spec is " +
            std::to_string(*generation);
  return line;
}

// A condition worth a line: Ready or AbleToScale not True, ScalingLimited True. MetricsAvailable
// and AlertFiring are said by the metric rows and the alert lines.
bool NotInItsGoodState(const Json& condition) {
  const std::string type = kube::StringAt(condition, {"type"});
  const bool is_true = kube::StringAt(condition, {"status"}) == "True";
  if (type == "Ready" || type == "AbleToScale") return !is_true;
  return type == "ScalingLimited" && is_true;
}

std::vector<std::string> ConditionLines(const Json& status) {
  std::vector<std::string> lines;
  for (const auto& c : ArrayAt(status, "conditions").as_array())
    if (NotInItsGoodState(c))
      lines.push_back(kube::StringAt(c, {"type"}) + " " + kube::StringAt(c, {"status"}) + " (" +
                      kube::StringAt(c, {"reason"}) + "): " + kube::StringAt(c, {"message"}));
  return lines;
}

// The alerts firing and the schedule windows open, one line each.
std::vector<std::string> AlertAndScheduleLines(const Json& status, WallTime now) {
  std::vector<std::string> lines;
  for (const auto& a : ArrayAt(status, "alerts").as_array()) {
    const Json* value = kube::FieldAt(a, {"value"});
    lines.push_back("Alert " + kube::StringAt(a, {"name"}) + " firing for " +
                    Age(Since(kube::StringAt(a, {"since"}), now)) +
                    (value && value->is_number() ? ": value " + Num(value->as_double()) : ""));
  }
  for (const auto& s : ArrayAt(status, "schedules").as_array())
    lines.push_back("Schedule " + kube::StringAt(s, {"name"}) + " open until " +
                    kube::StringAt(s, {"closesAt"}));
  return lines;
}

}  // namespace

const Json& ArrayAt(const Json& object, const char* field) {
  static const Json kEmpty = Json::array();
  const Json* value = kube::FieldAt(object, {field});
  return value && value->is_array() ? *value : kEmpty;
}

std::chrono::seconds Since(const std::string& time, WallTime now) {
  const auto t = ParseRfc3339(time);
  return t ? std::chrono::duration_cast<std::chrono::seconds>(now - *t) : std::chrono::seconds(0);
}

std::string StatusView(const Json& policy, WallTime now) {
  const Json* status = kube::FieldAt(policy, {"status"});
  std::vector<std::string> lines{Headline(policy, now)};
  if (!status || !status->is_object()) return JoinLines(lines);
  for (auto& line : ConditionLines(*status)) lines.push_back(std::move(line));
  for (auto& line : AlertAndScheduleLines(*status, now)) lines.push_back(std::move(line));
  for (const auto& section :
       {ComponentLines(*status, now), MetricLines(policy, now), DecisionLines(*status, now)}) {
    if (section.empty()) continue;
    lines.emplace_back();
    lines.insert(lines.end(), section.begin(), section.end());
  }
  return JoinLines(lines);
}

}  // namespace gearbox::cli
