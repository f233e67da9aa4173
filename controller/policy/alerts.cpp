// The alert stage: an alert fires when its metric has been past its threshold for `for`; an
// Event marks when it starts firing and when it stops, never each evaluation in between.
#include "policy/stages.h"

namespace gearbox::policy::internal {

namespace {

void EvaluateAlert(Pass& p, int i) {
  const CompiledAlert& ca = p.c.alerts[Pass::Ix(i)];
  const Alert& a = *ca.spec;
  const std::optional<double> v = p.Reading(ca.metric);
  bool fires = false;
  if (v && (a.above ? *v > a.threshold : *v < a.threshold))
    fires = Since(p.Hold(ca.timer), p.now) >= a.for_;
  const bool was = p.Had(ca.firing_timer);
  if (fires) {
    p.out.alerts.push_back({i, p.Hold(ca.firing_timer), *v});
    if (!was) p.Emit({.kind = EventKind::kAlertFiring, .alert = i, .value = v});
  } else if (was) {
    p.Emit({.kind = EventKind::kAlertResolved, .alert = i, .value = v});
  }
}

}  // namespace

void EvaluateAlerts(Pass& p) {
  for (size_t i = 0; i < p.c.alerts.size(); ++i) EvaluateAlert(p, static_cast<int>(i));
}

}  // namespace gearbox::policy::internal
