// See rules.h.
#include "convert/rules.h"

#include "convert/quantity.h"

namespace gearbox::convert {

namespace {

YAML::Node Rule(const SizedMetric& metric, const char* side, double threshold) {
  YAML::Node rule;
  rule["metric"] = Text(metric.name);
  rule[side] = FormatNumber(threshold);
  if (metric.per_replica) rule["perReplica"] = true;
  return rule;
}

std::string Percent(double tolerance) { return FormatNumber(tolerance * 100) + "%"; }

// One metric: allOf [above target × (1 + tolerance), above target]. Both fire only past the
// tolerance, and the larger ratio of the two, value/target, sizes the step exactly as the HPA.
void SingleMetricUp(const Draft& draft, YAML::Node up, const std::string& path,
                    Document& document) {
  const SizedMetric& metric = draft.metrics.front();
  up["allOf"].push_back(Rule(metric, "above", metric.target * (1 + draft.tolerance_up)));
  up["allOf"].push_back(Rule(metric, "above", metric.target));
  document.notes[path + ".allOf[0].above"].push_back("the HPA's " + Percent(draft.tolerance_up) +
                                                     " tolerance: no scale-up until this");
  document.notes[path + ".allOf[1].above"].push_back(
      "the HPA's target: the step is ceil(replicas x value / target), as the HPA's");
}

// Several metrics: the HPA takes the largest count any of them asks for, which is anyOf's largest
// ratio; but a rule set cannot gate each metric by its tolerance and size it by its target at
// once, so the gate wins (no step within the tolerance) and the step is sized on it.
void SeveralMetricsUp(const Draft& draft, YAML::Node up, const std::string& path,
                      Document& document) {
  for (std::size_t i = 0; i < draft.metrics.size(); ++i) {
    const SizedMetric& metric = draft.metrics[i];
    up["anyOf"].push_back(Rule(metric, "above", metric.target * (1 + draft.tolerance_up)));
    if (draft.tolerance_up > 0)
      document.notes[path + ".anyOf[" + std::to_string(i) + "].above"].push_back(
          "target " + FormatNumber(metric.target) + " plus the HPA's " +
          Percent(draft.tolerance_up) +
          " tolerance; steps to ceil(replicas x value / this), a little less than the HPA's "
          "(several metrics: no rule sizes on the target itself)");
  }
}

// The HPA scales down only when every metric asks for fewer replicas: allOf, each below its
// target less the tolerance.
void Down(const Draft& draft, YAML::Node down, const std::string& path, Document& document) {
  for (std::size_t i = 0; i < draft.metrics.size(); ++i) {
    const SizedMetric& metric = draft.metrics[i];
    down["allOf"].push_back(Rule(metric, "below", metric.target * (1 - draft.tolerance_down)));
    if (draft.tolerance_down > 0)
      document.notes[path + ".allOf[" + std::to_string(i) + "].below"].push_back(
          "target less the HPA's " + Percent(draft.tolerance_down) +
          " tolerance; lands at ceil(replicas x value / " + FormatNumber(metric.target) +
          ") as the HPA (the scale-up threshold less the tolerance)");
  }
}

}  // namespace

void WriteRules(const Draft& draft, YAML::Node component, const std::string& path,
                Document& document) {
  if (draft.metrics.empty()) return;
  YAML::Node up = component["scaleUp"];
  if (draft.metrics.size() == 1 && draft.tolerance_up > 0)
    SingleMetricUp(draft, up, path + ".scaleUp", document);
  else
    SeveralMetricsUp(draft, up, path + ".scaleUp", document);
  Down(draft, component["scaleDown"], path + ".scaleDown", document);
}

}  // namespace gearbox::convert
