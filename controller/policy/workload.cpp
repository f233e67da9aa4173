// The workload stage, for one component: its rules are evaluated, the bounds come first, then
// scale-up over scale-down (limits.cpp takes a recommendation to a count), and a change is
// recorded with its Event and the timers it moves.
#include "policy/workload.h"
#include "policy/hpa_behavior.h"
#include "policy/rules.h"

namespace gearbox::policy::internal {

namespace {

// The metrics of the component's rules that could not be read, each counted once.
int MissingMetrics(const Pass& p, const CompiledComponent& cc) {
  int missing = 0;
  for (int i = cc.up_begin; i < cc.down_end; ++i) {
    if (p.out.rules[Pass::Ix(i)].available || p.AtRest(p.c.rules[Pass::Ix(i)].metric)) continue;
    bool counted = false;
    for (int j = cc.up_begin; j < i && !counted; ++j)
      counted = !p.out.rules[Pass::Ix(j)].available &&
                p.c.rules[Pass::Ix(j)].metric == p.c.rules[Pass::Ix(i)].metric;
    missing += !counted;
  }
  return missing;
}

void EvaluateWorkloadRules(Pass& p, Workload& w) {
  const Component& c = *w.cc.spec;
  p.Keep(w.cc.last_up);
  p.Keep(w.cc.last_down);
  if (c.scale_up)
    w.up_fires = EvaluateRules(p, w.cc.up_begin, w.cc.up_end, c.scale_up->all_of, w.t.current);
  if (c.scale_down)
    w.down_fires =
        EvaluateRules(p, w.cc.down_begin, w.cc.down_end, c.scale_down->all_of, w.t.current);
  w.d.missing = MissingMetrics(p, w.cc);
}

bool AnyCounting(const Pass& p, const CompiledComponent& cc) {
  for (int i = cc.up_begin; i < cc.down_end; ++i) {
    const RuleOutcome& o = p.out.rules[Pass::Ix(i)];
    if (o.holds && !o.fires && p.c.rules[Pass::Ix(i)].rule->for_.count() > 0) return true;
  }
  return false;
}

// KEDA's cron semantics: a workload only schedules raise has no rule to take it down again, so
// it returns to its minimum once their windows close, paced by its scale-down stabilization and
// rate limits as a scale-down of its rules would be.
void ReturnToMinimum(Pass& p, Workload& w) {
  const int minimum = RulesMinimum(w);
  w.cc.spec->hpa ? MoveInHpaForm(p, w, minimum, false) : ScaleDownTo(p, w, minimum);
  w.d.cause = Cause::kReturnToMinimum;
  w.d.stays = w.d.desired == w.t.current;
}

// A current count outside the bounds is brought back inside them, whatever the rules say.
bool DecideBounds(Workload& w) {
  if (w.t.current < w.b.min) {
    w.d.cause = Cause::kBelowMinimum;
    w.d.desired = w.b.min;
    return true;
  }
  if (w.t.current > w.b.max) {
    w.d.cause = Cause::kAboveMaximum;
    w.d.desired = w.b.max;
    return true;
  }
  return false;
}

// Scale-up over scale-down; a schedule-only workload then returns to its minimum.
void DecideByRules(Pass& p, Workload& w) {
  if (w.up_fires) {
    w.cc.spec->hpa ? ScaleInHpaForm(p, w) : ScaleUp(p, w);
  } else if (w.down_fires && w.d.missing > 0) {
    // The HPA form records no recommendation then, as the HPA whose metrics fail.
    w.d.cause = Cause::kScaleDownBlockedByMissingMetric;
  } else if (w.down_fires) {
    w.cc.spec->hpa ? ScaleInHpaForm(p, w) : ScaleDown(p, w);
  } else if (w.cc.schedule_only && w.t.current > RulesMinimum(w)) {
    ReturnToMinimum(p, w);
  } else {
    // As the HPA, whose sync fails then, nothing is recorded while a metric cannot be read.
    if (w.cc.spec->hpa && w.d.missing == 0) RecordCurrent(p, w);
    w.d.cause = AnyCounting(p, w.cc) ? Cause::kCounting : Cause::kNoRuleFires;
  }
}

// The order of precedence: the fallback, the bounds, scaleToZero, then the rules.
void Decide(Pass& p, Workload& w) {
  if (!w.t.found) {
    w.d.cause = Cause::kTargetUnreadable;
    return;
  }
  if (DecideFallback(p, w) || DecideBounds(w) || DecideScaleToZero(p, w)) return;
  DecideByRules(p, w);
}

// A change: its Event, and the timers it moves (Enforce); reported once (DryRun); neither while
// paused (status shows what it would do, and nothing moves, so that it resumes where it was).
void RecordChange(Pass& p, Workload& w) {
  const bool up = w.d.desired > w.d.current;
  if (w.d.paused) return;
  if (p.out.dry_run) {
    const std::optional<int>& prev = p.before.dry_run_steps[Pass::Ix(w.k)];
    if (!prev || *prev != w.d.desired)
      p.Emit(
          {.kind = up ? EventKind::kWouldScaleUp : EventKind::kWouldScaleDown, .component = w.k});
    p.next.dry_run_steps[Pass::Ix(w.k)] = w.d.desired;
    return;
  }
  w.d.change = true;
  p.Emit({.kind = up ? EventKind::kScaledUp : EventKind::kScaledDown, .component = w.k});
  p.next.scale_events[Pass::Ix(w.k)].push_back({p.now, w.d.desired - w.d.current});
  // The rules' timers run on: a rule that still holds after a step keeps acting, sized by what
  // its reading asks for (the starting pods counted as in sizing.h); the stabilization windows and
  // rate limits pace it.
  p.Set(up ? w.cc.last_up : w.cc.last_down, p.now);
}

}  // namespace

void DecideWorkload(Pass& p, int k) {
  const CompiledComponent& cc = p.c.components[Pass::Ix(k)];
  const EffectiveBounds bounds = ScheduledBounds(p, k, cc.BoundsIn(p.workload_phase));
  Workload w{k, cc, p.Target(k), bounds, p.Outcome(k)};
  w.d.target_found = w.t.found;
  w.d.current = w.d.desired = w.d.recommended = w.t.current;
  w.d.ready = w.t.ready;
  w.d.min = w.b.min;
  w.d.max = w.b.max;
  w.d.bounds_from = w.b.from;
  w.d.bounds_phase = p.workload_phase;
  w.d.bounds_schedule = bounds.schedule;
  w.d.schedule_capped = bounds.schedule_capped;
  CarryScaleEvents(p, w);
  cc.spec->hpa ? CarryRecommendations(p, w) : CarryDownRecommendations(p, w);
  EvaluateWorkloadRules(p, w);
  NotePause(p, k);
  Decide(p, w);
  if (w.t.found && w.d.desired != w.t.current) RecordChange(p, w);
}

}  // namespace gearbox::policy::internal
