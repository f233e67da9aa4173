// The metrics of `kubectl gearbox status` against their thresholds (status_sections.h).
#include "cli/status_sections.h"
#include "cli/text.h"
#include "cli/thresholds.h"
#include "kube/json_fields.h"

namespace gearbox::cli {

using Json = web::json::value;

namespace {

double UpTo(const Json& phase) {
  const Json* up_to = kube::FieldAt(phase, {"upTo"});
  return up_to && up_to->is_number() ? up_to->as_double() : 0;
}

// "selects phase Large (10000..100000)": the first phase whose upTo is above the reading, else
// the last (docs/api.md, phases). The hold is the headline's pending phase.
std::string PhaseSelected(const Json& phases, double reading) {
  const auto& list = ArrayAt(phases, "list").as_array();
  std::string lower;
  for (auto it = list.begin(); it != list.end(); ++it) {
    const bool last = std::next(it) == list.end();
    if (!last && reading >= UpTo(*it)) {
      lower = Num(UpTo(*it));
      continue;
    }
    const std::string range = last            ? ">= " + lower
                              : lower.empty() ? "< " + Num(UpTo(*it))
                                              : lower + ".." + Num(UpTo(*it));
    return "selects phase " + kube::StringAt(*it, {"name"}) + " (" + range + ")";
  }
  return "";
}

// What the reading is compared with: each threshold's standing, and the phase it selects.
std::vector<std::string> Standings(const Json& policy, const std::string& metric, double reading,
                                   WallTime now) {
  const Json& spec = *kube::FieldAt(policy, {"spec"});
  const Json& status = *kube::FieldAt(policy, {"status"});
  std::vector<std::string> standings;
  for (const Threshold& t : ThresholdsOf(spec))
    if (t.metric == metric) standings.push_back(StandingText(t, reading, status, now));
  const Json* phases = kube::FieldAt(spec, {"phases"});
  if (phases && kube::StringAt(*phases, {"metric"}) == metric)
    standings.push_back(PhaseSelected(*phases, reading));
  return standings;
}

void AddMetricRows(const Json& policy, const Json& metric, WallTime now, std::vector<Row>& rows) {
  const std::string name = kube::StringAt(metric, {"name"});
  const Json* value = kube::FieldAt(metric, {"value"});
  if (!value || !value->is_number()) {
    rows.push_back({name, "?", "unavailable: " + kube::StringAt(metric, {"error"}, "not read")});
    return;
  }
  const std::vector<std::string> standings = Standings(policy, name, value->as_double(), now);
  rows.push_back({name, Num(value->as_double()), standings.empty() ? "" : standings.front()});
  for (size_t i = 1; i < standings.size(); ++i) rows.push_back({"", "", standings[i]});
}

}  // namespace

std::vector<std::string> MetricLines(const Json& policy, WallTime now) {
  if (!kube::FieldAt(policy, {"spec"}) || !kube::FieldAt(policy, {"status"})) return {};
  std::vector<Row> rows{{"METRIC", "VALUE", "AGAINST"}};
  for (const auto& metric : ArrayAt(policy.at("status"), "metrics").as_array())
    AddMetricRows(policy, metric, now, rows);
  return rows.size() > 1 ? Columns(rows) : std::vector<std::string>{};
}

}  // namespace gearbox::cli
