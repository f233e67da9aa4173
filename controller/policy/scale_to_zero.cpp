// scaleToZero: a workload that rests at 0 replicas (queue workers). At 0 only its activations can
// wake it (its CPU cannot be read with no pods); from 1 its rules scale it, never below 1, and it
// goes back to 0 once no activation has held, with every activation read, for the cooldown.
// Neither move waits for the rate limits or the stabilization windows (as KEDA's 0 <-> 1).
#include "policy/hpa_behavior.h"
#include "policy/rules.h"
#include "policy/workload.h"

namespace gearbox::policy::internal {

namespace {

struct Activity {
  bool holds = false;    // an activation's metric is above its threshold
  bool all_read = true;  // every activation's metric was read
};

Activity ReadActivity(const Pass& p, const Workload& w) {
  Activity a;
  const std::vector<Activation>& spec = w.cc.spec->scale_to_zero->activation;
  for (size_t i = 0; i < spec.size(); ++i) {
    const std::optional<double> v = p.Reading(w.cc.activation[i]);
    a.all_read = a.all_read && v.has_value();
    a.holds = a.holds || (v && *v > spec[i].above);
  }
  return a;
}

// At 0: woken by an activation (to what the scale-up rules ask when they fire, else to 1), or
// resting. Missing data wakes nothing.
bool AtZero(Pass& p, Workload& w, const Activity& a) {
  if (!a.holds) {
    w.d.cause = Cause::kRestingAtZero;
    return true;
  }
  if (w.up_fires) {
    w.cc.spec->hpa ? ScaleInHpaForm(p, w) : ScaleUp(p, w);  // its own behavior limits the wake
  } else {
    w.d.cause = Cause::kWokenFromZero;
    w.d.desired = std::min(1, w.b.max);
  }
  return true;
}

}  // namespace

bool DecideScaleToZero(Pass& p, Workload& w) {
  const std::optional<ScaleToZero>& z = w.cc.spec->scale_to_zero;
  if (!z || w.b.min > 0) return false;  // a phase or a schedule that sets a minimum wins
  const Activity a = ReadActivity(p, w);
  if (w.t.current == 0) return AtZero(p, w, a);
  if (a.holds || !a.all_read) return false;
  w.d.idle_since = p.Hold(w.cc.idle_timer);
  if (w.up_fires || Since(w.d.idle_since, p.now) < z->cooldown) return false;
  w.d.cause = Cause::kIdleToZero;
  w.d.desired = 0;
  return true;
}

}  // namespace gearbox::policy::internal
