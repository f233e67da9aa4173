// The phase stage: the phase metric against each phase's upTo picks the phase wanted; the first
// evaluation takes it at once, later ones only after it has been wanted for `hold`.
#include "policy/bounds.h"
#include "policy/stages.h"
#include "policy/text.h"

namespace gearbox::policy::internal {

namespace {

// The first phase whose upTo lies above the value; the last phase when none does.
int WantedPhase(const Phases& ph, double v) {
  for (size_t i = 0; i < ph.list.size(); ++i)
    if (ph.list[i].up_to && v < *ph.list[i].up_to) return static_cast<int>(i);
  return static_cast<int>(ph.list.size()) - 1;
}

// "users 5000 < 10000, >= 1000": why phase `to` fits the value.
std::string Why(const Phases& ph, double v, int to) {
  const Phase& p = ph.list[static_cast<size_t>(to)];
  std::string s = ph.metric + " " + Num(v);
  if (p.up_to) s += " < " + Num(*p.up_to);
  if (to > 0 && ph.list[static_cast<size_t>(to) - 1].up_to)
    s += (p.up_to ? ", >= " : " >= ") + Num(*ph.list[static_cast<size_t>(to) - 1].up_to);
  return s;
}

// The phase after a change is wanted: `want` once held for `hold`, else still `ci`.
int HoldOrChange(Pass& p, const Phases& ph, int ci, int want, double v) {
  const Phase& wanted = ph.list[static_cast<size_t>(want)];
  const std::string key = "phase/" + wanted.name;
  bool started = !p.timers.Had(key);
  Time since = p.timers.Hold(key);
  if (Since(since, p.now) >= ph.hold) {
    p.Emit(EventKind::kPhaseChanged, ph.list[static_cast<size_t>(ci)].name + " -> " + wanted.name +
                                         ": " + Why(ph, v, want) + " for " +
                                         FormatDuration(ph.hold));
    p.res.state.timers.erase(key);
    return want;
  }
  p.res.pending_phase = PendingPhase{wanted.name, since, since + ph.hold};
  if (started)
    p.Emit(EventKind::kPhasePending,
           wanted.name + " in " + FormatDuration(ph.hold) + " if it holds: " + Why(ph, v, want));
  return ci;
}

}  // namespace

void ChoosePhase(Pass& p) {
  const Phases& ph = *p.spec.phases;
  int ci = PhaseIndex(ph, p.before.phase);
  std::optional<double> v = p.Reading(ph.metric);
  int want = v ? WantedPhase(ph, *v) : ci;
  if (ci < 0 && want < 0) want = 0;  // nothing known yet: start from the first phase
  if (ci < 0) {                      // the first evaluation: no hold
    ci = want;
    p.Emit(EventKind::kPhaseSelected,
           "phase " + ph.list[static_cast<size_t>(ci)].name +
               (v ? ": " + Why(ph, *v, ci) : ": " + ph.metric + " not available yet"));
  } else if (want != ci) {
    ci = HoldOrChange(p, ph, ci, want, *v);
  }
  p.committed = &ph.list[static_cast<size_t>(ci)];
  p.res.state.phase = p.committed->name;
  p.res.phase = p.committed->name;
}

}  // namespace gearbox::policy::internal
