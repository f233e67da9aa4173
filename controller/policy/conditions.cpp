// The conditions stage, as the HPA names them where they mean the same: Ready, MetricsAvailable,
// AbleToScale, ScalingLimited, AlertFiring. Their messages are made by render.cpp.
#include "policy/stages.h"

namespace gearbox::policy::internal {

namespace {

ConditionStatus Ready(const Pass& p) {
  for (const ComponentOutcome& d : p.out.components)
    if (!d.target_found) return {"Ready", false, "TargetNotFound"};
  return {"Ready", true, "Evaluated"};
}

ConditionStatus MetricsAvailable(const Pass& p) {
  for (int slot : p.c.declared)
    if (!p.Reading(slot) && !p.AtRest(slot))
      return {"MetricsAvailable", false, "MetricUnavailable"};
  return {"MetricsAvailable", true, "AllMetricsAvailable"};
}

ConditionStatus AbleToScale(const Pass& p) {
  for (const ComponentOutcome& d : p.out.components)
    if (d.paused) return {"AbleToScale", false, "Paused"};
  if (p.out.dry_run) return {"AbleToScale", true, "DryRun"};
  if (const auto& f = p.next.in_flight) {
    if (f->retries > 0) return {"AbleToScale", false, "TopologyStepTimedOut", f->component, f->to};
    return {"AbleToScale", true, "TopologyChangeInFlight", f->component, f->to};
  }
  return {"AbleToScale", true, "ReadyForNewScale"};
}

ConditionStatus ScalingLimited(const Pass& p) {
  bool held = false;
  for (const ComponentOutcome& d : p.out.components) {
    if (d.limits & kCappedAtMaximum) return {"ScalingLimited", true, "TooManyReplicas"};
    held = held || (d.limits & kHeldAtMinimum);
  }
  if (held) return {"ScalingLimited", true, "TooFewReplicas"};
  return {"ScalingLimited", false, "DesiredWithinRange"};
}

}  // namespace

// A Warning Event when a declared metric becomes unreadable: its timer runs while it cannot be
// read (durable in status.timers, so a restart does not report it again) and says since when.
void NoteUnavailableMetrics(Pass& p) {
  for (size_t i = 0; i < p.c.declared.size(); ++i) {
    const int timer = p.c.unavailable_timers[i];
    if (p.Reading(p.c.declared[i]) || p.AtRest(p.c.declared[i])) continue;
    p.Hold(timer);
    if (!p.Had(timer))
      p.Emit({.kind = EventKind::kMetricUnavailable, .metric = static_cast<int>(i)});
  }
}

void SetConditions(Pass& p) {
  auto& out = p.out.conditions;
  out.push_back(Ready(p));
  out.push_back(MetricsAvailable(p));
  out.push_back(AbleToScale(p));
  out.push_back(ScalingLimited(p));
  out.push_back(p.out.alerts.empty() ? ConditionStatus{"AlertFiring", false, "NoAlerts"}
                                     : ConditionStatus{"AlertFiring", true, "AlertsFiring"});
}

}  // namespace gearbox::policy::internal
