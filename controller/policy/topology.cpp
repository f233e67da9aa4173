// The topology stage: one change at a time per policy. Growing, the topology components move in
// spec order before the workloads get the bigger phase's bounds; shrinking, the workloads first,
// then the topology in reverse order. A step is in flight until its target reports the new size
// ready.
#include "policy/stages.h"

namespace gearbox::policy::internal {

namespace {

// The step a topology component takes toward the size `phase` gives it, if it must move the way
// `grow` says.
std::optional<Evaluation::Step> StepOf(Pass& p, int k, int phase, bool grow) {
  const CompiledComponent& cc = p.c.components[Pass::Ix(k)];
  if (!cc.topology()) return std::nullopt;
  const std::optional<int> size = cc.SizeIn(phase);
  const TargetReading& t = p.Target(k);
  if (!size || !t.found || *size == t.current || (*size > t.current) != grow) return std::nullopt;
  return Evaluation::Step{k, t.current, *size};
}

std::optional<Evaluation::Step> GrowStep(Pass& p, int phase) {
  for (int k = 0; k < static_cast<int>(p.c.components.size()); ++k)
    if (auto step = StepOf(p, k, phase, true)) return step;
  return std::nullopt;
}

std::optional<Evaluation::Step> ShrinkStep(Pass& p, int phase) {
  for (int k = static_cast<int>(p.c.components.size()) - 1; k >= 0; --k)
    if (auto step = StepOf(p, k, phase, false)) return step;
  return std::nullopt;
}

bool WorkloadsInside(Pass& p, int phase) {
  for (size_t k = 0; k < p.c.components.size(); ++k) {
    const CompiledComponent& cc = p.c.components[k];
    const TargetReading& t = p.Target(static_cast<int>(k));
    const EffectiveBounds& b = cc.BoundsIn(phase);
    if (!cc.topology() && t.found && (t.current < b.min || t.current > b.max)) return false;
  }
  return true;
}

// Whether a step's target has reached it: at the new size with, growing, at least that many
// ready; shrinking, exactly that many ready (the removed instances gone, the rest ready), so that
// the next step never starts while this one is still settling.
bool Reached(const TargetReading& t, const IndexedState::Flight& f) {
  if (t.current != f.to) return false;
  return f.to >= f.from ? t.ready >= f.to : t.ready == f.to;
}

// A step not ready within topologyStepTimeout is reported and written again (never skipped):
// the write may have been lost, or undone by the target's own operator.
void Retry(Pass& p, IndexedState::Flight& f, const TargetReading& t) {
  p.Emit({.kind = EventKind::kTopologyStepTimedOut,
          .component = f.component,
          .from = t.current,
          .to = f.to,
          .ready = t.ready,
          .since = f.since});
  p.out.topology_step = Evaluation::Step{f.component, t.current, f.to};
  f.since = p.now;
  ++f.retries;
}

// The change in flight, unless it is done (its target has reached it) or its component left the
// spec; one that timed out is taken again.
std::optional<IndexedState::Flight> StillInFlight(Pass& p) {
  std::optional<IndexedState::Flight> f = p.before.in_flight;
  if (!f) return f;
  const int k = f->component;
  if (k < 0 || k >= static_cast<int>(p.c.components.size()) ||
      !p.c.components[Pass::Ix(k)].topology())
    return std::nullopt;
  const TargetReading& t = p.Target(k);
  if (p.out.dry_run || !t.found) return f;
  if (!Reached(t, *f)) {
    if (Since(f->since, p.now) >= p.c.spec.topology_step_timeout && !p.Paused(k)) Retry(p, *f, t);
    return f;
  }
  p.Emit({.kind = EventKind::kTopologyReady,
          .component = k,
          .to = f->to,
          .ready = t.ready,
          .since = f->since});
  return std::nullopt;
}

// Takes the step: in flight from now (Enforce), or reported once (DryRun).
void Take(Pass& p, const Evaluation::Step& step, std::optional<IndexedState::Flight>& in_flight) {
  p.out.topology_step = step;
  const EventRecord r{.component = step.component, .from = step.from, .to = step.to};
  if (!p.out.dry_run) {
    in_flight = IndexedState::Flight{step.component, step.from, step.to, p.now};
    EventRecord resize = r;
    resize.kind = EventKind::kTopologyResize;
    p.Emit(resize);
    return;
  }
  const auto& prev = p.before.dry_run_steps[Pass::Ix(step.component)];
  if (!prev || *prev != step.to) {
    EventRecord would = r;
    would.kind = EventKind::kWouldResize;
    p.Emit(would);
  }
  p.next.dry_run_steps[Pass::Ix(step.component)] = step.to;
}

}  // namespace

void PlanTopology(Pass& p) {
  const int ci = p.out.phase;
  int wi = p.before.workload_phase;
  if (wi < 0 || p.out.dry_run || ci < wi) wi = ci;  // going down: the workloads shrink first
  std::optional<IndexedState::Flight> in_flight = StillInFlight(p);
  if (!in_flight) {
    std::optional<Evaluation::Step> step = GrowStep(p, ci);
    if (!step && ci > wi) wi = ci;  // the topology is ready: the workloads get the new bounds
    if (!step && wi == ci && WorkloadsInside(p, ci)) step = ShrinkStep(p, ci);
    if (step && !p.Paused(step->component)) Take(p, *step, in_flight);  // paused: not taken
  }
  p.next.in_flight = in_flight;
  p.workload_phase = p.next.workload_phase = wi;
}

void DecideTopology(Pass& p, int k) {
  ComponentOutcome& d = p.Outcome(k);
  const TargetReading& t = p.Target(k);
  const std::optional<int> size = p.c.components[Pass::Ix(k)].SizeIn(p.out.phase);
  d.target_found = t.found;
  d.current = d.desired = t.current;
  d.ready = t.ready;
  d.min = d.max = size.value_or(t.current);
  d.bounds_from = size ? BoundsFrom::kPhaseSize : BoundsFrom::kNotSized;
  d.bounds_phase = p.out.phase;
  NotePause(p, k);
  const auto& step = p.out.topology_step;
  const auto& in_flight = p.next.in_flight;
  if (!t.found) {
    d.cause = Cause::kTargetUnreadable;
  } else if (step && step->component == k) {
    d.cause = Cause::kTopologyStep;
    d.desired = step->to;
    d.change = !p.out.dry_run;
  } else if (in_flight && in_flight->component == k) {
    d.cause = Cause::kTopologyWaitingForReady;
    d.desired = in_flight->to;
  } else if (size && *size != t.current) {
    d.cause = Cause::kTopologyWaitsItsTurn;
    d.desired = *size;
    d.waits_for = in_flight ? in_flight->component : -1;
  } else {
    d.cause = size ? Cause::kTopologyAtPhaseSize : Cause::kTopologyNotSized;
  }
}

}  // namespace gearbox::policy::internal
