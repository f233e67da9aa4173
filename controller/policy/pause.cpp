// Pause: a component paused by the annotation gearbox.dev/paused is decided and reported as usual
// (its rules keep counting, so that it resumes with its timers intact) but nothing is written
// (workload.cpp, topology.cpp). Its timer "<component>/paused" runs while it is paused and is
// durable, so the Events mark the pause and the resume once, across restarts.
#include "policy/stages.h"

namespace gearbox::policy::internal {

void NotePause(Pass& p, int k) {
  const int timer = p.c.components[Pass::Ix(k)].paused_timer;
  const bool paused = p.Paused(k);
  p.Outcome(k).paused = paused;
  if (paused) {
    p.Hold(timer);
    if (!p.Had(timer)) p.Emit({.kind = EventKind::kPaused, .component = k});
  } else if (p.Had(timer)) {
    p.Emit({.kind = EventKind::kResumed, .component = k});
  }
}

}  // namespace gearbox::policy::internal
