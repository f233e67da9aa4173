// The alert stage: an alert fires when its metric has been past its threshold for `for`; an
// Event marks when it starts firing and when it stops, never each evaluation in between.
#include "policy/stages.h"
#include "policy/text.h"

namespace gearbox::policy::internal {

namespace {

void EvaluateAlert(Pass& p, const Alert& a) {
  std::optional<double> v = p.Reading(a.metric);
  bool fires = false;
  if (v && (a.above ? *v > a.threshold : *v < a.threshold))
    fires = Since(p.timers.Hold("alert/" + a.name), p.now) >= a.for_;
  const std::string firing_key = "alertFiring/" + a.name;
  const bool was = p.timers.Had(firing_key);
  const std::string value = v ? Num(*v) : "unavailable";
  if (fires) {
    std::string text = a.name + ": " + a.metric + " " + value + (a.above ? " above " : " below ") +
                       Num(a.threshold);
    if (a.for_.count() > 0) text += " for " + FormatDuration(a.for_);
    p.res.alerts.push_back({a.name, a.severity, p.timers.Hold(firing_key), *v});
    p.firing.push_back(text);
    if (!was) p.Emit(EventKind::kAlertFiring, text, "", a.severity);
  } else if (was) {
    p.Emit(EventKind::kAlertResolved, a.name + " resolved: " + a.metric + " " + value);
  }
}

}  // namespace

void EvaluateAlerts(Pass& p) {
  for (const auto& a : p.spec.alerts) EvaluateAlert(p, a);
}

}  // namespace gearbox::policy::internal
