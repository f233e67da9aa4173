// See exported_metrics.h.
#include "reconcile/exported_metrics.h"

#include <algorithm>

namespace gearbox::reconcile {

namespace {

void AddThresholds(const std::string& component, const char* direction,
                   const std::optional<policy::RuleSet>& rules,
                   std::vector<telemetry::Threshold>& out) {
  if (!rules) return;
  for (const auto& r : rules->rules)
    out.push_back({component, direction, r.metric, r.above ? "above" : "below", r.threshold});
}

bool Ready(const policy::Decision& result, const std::vector<ConditionOverride>& overrides) {
  bool ready = false;
  if (const auto* c = result.FindCondition("Ready")) ready = c->status;
  for (const auto& o : overrides)
    if (o.type == "Ready") ready = o.status;
  return ready;
}

std::vector<telemetry::AlertState> Alerts(const policy::Spec& spec,
                                          const policy::Decision& result) {
  std::vector<telemetry::AlertState> out;
  out.reserve(spec.alerts.size());
  for (const auto& a : spec.alerts) {
    const bool firing = std::any_of(result.alerts.begin(), result.alerts.end(),
                                    [&](const policy::FiringAlert& f) { return f.name == a.name; });
    out.push_back({a.name, a.severity, firing});
  }
  return out;
}

void ExportComponents(telemetry::PolicySeries& series, const policy::Spec& spec,
                      const policy::Decision& result) {
  for (size_t i = 0; i < result.components.size() && i < spec.components.size(); ++i) {
    const policy::ComponentDecision& d = result.components[i];
    if (d.name != spec.components[i].name) continue;  // never: both are in spec order
    if (d.target_found) series.SetReplicas(i, {d.current, d.desired, d.min, d.max});
    if (d.desired == d.current || !d.target_found) continue;
    series.CountDecision(i, d.desired > d.current, DecisionCause(spec.components[i], d),
                         result.dry_run);
  }
}

}  // namespace

telemetry::PolicyShape ShapeOf(const policy::Spec& spec) {
  telemetry::PolicyShape shape;
  shape.metrics = spec.metrics;
  for (const auto& c : spec.components) {
    shape.components.push_back(c.name);
    AddThresholds(c.name, "up", c.scale_up, shape.thresholds);
    AddThresholds(c.name, "down", c.scale_down, shape.thresholds);
  }
  return shape;
}

const char* DecisionCause(const policy::Component& component, const policy::ComponentDecision& d) {
  if (d.role == policy::Role::kTopology) return "topology";
  const policy::Bounds own = component.replicas.value_or(policy::Bounds{0, d.max});
  switch (d.cause) {
    case policy::Cause::kBelowMinimum:
      return d.min > own.min ? "phase" : "bounds";
    case policy::Cause::kAboveMaximum:
      return d.max < own.max ? "phase" : "bounds";
    case policy::Cause::kFallback:
      return "fallback";
    case policy::Cause::kWokenFromZero:
    case policy::Cause::kIdleToZero:
      return "scale_to_zero";
    case policy::Cause::kReturnToMinimum:
      return "schedule";
    default:
      return "rule";
  }
}

void ExportEvaluation(telemetry::PolicySeries& series, const ParsedPolicy& p, int64_t generation,
                      const policy::Decision& result,
                      const std::map<std::string, MetricObservation>& readings,
                      const std::vector<ConditionOverride>& overrides) {
  if (!series.HasShape(generation)) series.SetShape(generation, ShapeOf(p.spec));
  series.SetPhase(result.phase);
  series.SetReady(Ready(result, overrides));
  ExportComponents(series, p.spec, result);
  for (size_t i = 0; i < p.spec.metrics.size(); ++i) {
    auto it = readings.find(p.spec.metrics[i]);
    const bool read = it != readings.end() && it->second.reading;
    series.SetValue(i, read ? std::optional<double>(it->second.reading->value) : std::nullopt);
  }
  series.SetAlerts(Alerts(p.spec, result));
}

}  // namespace gearbox::reconcile
