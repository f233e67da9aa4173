// The phase stage: the phase metric against each phase's upTo picks the phase wanted; the first
// evaluation takes it at once, later ones only after it has been wanted for `hold`.
#include "policy/stages.h"

namespace gearbox::policy::internal {

namespace {

// The first phase whose upTo lies above the value; the last phase when none does.
int WantedPhase(const Phases& ph, double v) {
  for (size_t i = 0; i < ph.list.size(); ++i)
    if (ph.list[i].up_to && v < *ph.list[i].up_to) return static_cast<int>(i);
  return static_cast<int>(ph.list.size()) - 1;
}

// The phase after a change is wanted: `want` once held for `hold`, else still `ci`.
int HoldOrChange(Pass& p, int ci, int want, double v) {
  const Duration hold = p.c.spec.phases->hold;
  const int timer = p.c.phase_timers[Pass::Ix(want)];
  const bool started = !p.Had(timer);
  const Time since = p.Hold(timer);
  if (Since(since, p.now) >= hold) {
    p.Emit({.kind = EventKind::kPhaseChanged, .phase_from = ci, .phase_to = want, .value = v});
    p.Stop(timer);
    return want;
  }
  p.out.pending_phase = Evaluation::Pending{want, since, since + hold};
  if (started) p.Emit({.kind = EventKind::kPhasePending, .phase_to = want, .value = v});
  return ci;
}

}  // namespace

void ChoosePhase(Pass& p) {
  const Phases& ph = *p.c.spec.phases;
  int ci = p.before.phase;
  const std::optional<double> v = p.Reading(p.c.phase_metric);
  int want = v ? WantedPhase(ph, *v) : ci;
  if (ci < 0 && want < 0) want = 0;  // nothing known yet: start from the first phase
  if (ci < 0) {                      // the first evaluation: no hold
    ci = want;
    p.Emit({.kind = EventKind::kPhaseSelected, .phase_to = ci, .value = v});
  } else if (want != ci) {
    ci = HoldOrChange(p, ci, want, *v);
  }
  p.out.phase = p.next.phase = ci;
}

}  // namespace gearbox::policy::internal
