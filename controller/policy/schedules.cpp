// The schedules stage: which windows are open now, computed once per evaluation; their Events
// when they open or close; and the minimum they raise in a workload's bounds. A window's timer
// "schedule/<name>" holds the start of the window open now, so that a restart neither repeats an
// opening nor loses a closing (status.timers).
#include "policy/stages.h"

namespace gearbox::policy::internal {

namespace {

// The window recorded before closed before `now`'s window opened (or none is open): a closing,
// even when the controller was not running at the moment it closed.
bool ClosedSince(Time was, const Schedule& s, const std::optional<Window>& open) {
  return !open || was + s.duration <= open->opened;
}

}  // namespace

void OpenSchedules(Pass& p) {
  p.out.schedules.clear();
  for (size_t i = 0; i < p.c.schedules.size(); ++i) {
    const CompiledSchedule& cs = p.c.schedules[i];
    const int index = static_cast<int>(i);
    const std::optional<Time> was = p.Get(cs.timer);
    const std::optional<Window> open = OpenWindow(*cs.spec, p.now);
    const bool closed = was && ClosedSince(*was, *cs.spec, open);
    if (closed) p.Emit({.kind = EventKind::kScheduleClosed, .since = *was, .schedule = index});
    if (!open) continue;
    if (!was || closed)
      p.Emit({.kind = EventKind::kScheduleOpened, .since = open->opened, .schedule = index});
    p.Set(cs.timer, open->opened);
    p.out.schedules.push_back({index, *open});
  }
}

// The highest minimum of the open windows, when it is above the bounds' own; never above the
// maximum (then the maximum, and schedule_capped says so).
EffectiveBounds ScheduledBounds(const Pass& p, int component, const EffectiveBounds& b) {
  EffectiveBounds out = b;
  for (const ScheduleOutcome& o : p.out.schedules) {
    const int min = p.c.schedules[Pass::Ix(o.schedule)].mins[Pass::Ix(component)];
    if (min <= out.min) continue;
    out.min = min;
    out.schedule = o.schedule;
  }
  if (out.schedule >= 0 && out.min > out.max) {
    out.min = out.max;
    out.schedule_capped = true;
  }
  return out;
}

}  // namespace gearbox::policy::internal
