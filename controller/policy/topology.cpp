// The topology stage: one change at a time per policy. Growing, the topology components move in
// spec order before the workloads get the bigger phase's bounds; shrinking, the workloads first,
// then the topology in reverse order. A step is in flight until its target reports the new size
// ready.
#include "policy/bounds.h"
#include "policy/stages.h"

namespace gearbox::policy::internal {

namespace {

std::optional<TopologyStep> Step(const Component& c, const TargetReading& t, int to,
                                 const Phase& phase) {
  return TopologyStep{c.name, t.current, to,
                      c.name + " " + std::to_string(t.current) + " -> " + std::to_string(to) +
                          " for phase " + phase.name};
}

std::optional<TopologyStep> GrowStep(Pass& p) {
  for (const auto& c : p.spec.components) {
    if (c.role != Role::kTopology) continue;
    auto target = TopologyTarget(c, p.committed);
    TargetReading t = p.Target(c.name);
    if (target && t.found && *target > t.current) return Step(c, t, *target, *p.committed);
  }
  return std::nullopt;
}

bool WorkloadsInside(Pass& p) {
  for (const auto& c : p.spec.components) {
    if (c.role != Role::kWorkload) continue;
    TargetReading t = p.Target(c.name);
    EffectiveBounds b = WorkloadBounds(c, p.committed);
    if (t.found && (t.current < b.min || t.current > b.max)) return false;
  }
  return true;
}

std::optional<TopologyStep> ShrinkStep(Pass& p) {
  for (auto it = p.spec.components.rbegin(); it != p.spec.components.rend(); ++it) {
    if (it->role != Role::kTopology) continue;
    auto target = TopologyTarget(*it, p.committed);
    TargetReading t = p.Target(it->name);
    if (target && t.found && *target < t.current) return Step(*it, t, *target, *p.committed);
  }
  return std::nullopt;
}

// The change in flight, unless it is done (its target ready at the new size) or its component
// left the spec.
std::optional<InFlight> StillInFlight(Pass& p) {
  std::optional<InFlight> in_flight = p.before.in_flight;
  if (!in_flight) return in_flight;
  bool known = false;
  for (const auto& c : p.spec.components)
    known = known || (c.name == in_flight->component && c.role == Role::kTopology);
  if (!known) return std::nullopt;
  TargetReading t = p.Target(in_flight->component);
  if (p.res.dry_run || !t.found || t.current != in_flight->to || t.ready < in_flight->to)
    return in_flight;
  p.Emit(EventKind::kTopologyReady,
         in_flight->component + " ready at " + std::to_string(t.ready) + "/" +
             std::to_string(in_flight->to) + " after " +
             FormatDuration(Since(in_flight->since, p.now)),
         in_flight->component);
  return std::nullopt;
}

// Takes the step: in flight from now (Enforce), or reported once (DryRun).
void Take(Pass& p, const TopologyStep& step, std::optional<InFlight>& in_flight) {
  p.res.topology_step = step;
  if (!p.res.dry_run) {
    in_flight = InFlight{step.component, step.from, step.to, p.now};
    p.Emit(EventKind::kTopologyResize, step.reason, step.component);
    return;
  }
  auto prev = p.before.dry_run_steps.find(step.component);
  if (prev == p.before.dry_run_steps.end() || prev->second != step.to)
    p.Emit(EventKind::kWouldResize, "DryRun: " + step.reason, step.component);
  p.res.state.dry_run_steps[step.component] = step.to;
}

}  // namespace

void PlanTopology(Pass& p) {
  const Phases& ph = *p.spec.phases;
  const int ci = PhaseIndex(ph, p.committed->name);
  int wi = PhaseIndex(ph, p.before.workload_phase);
  if (wi < 0 || p.res.dry_run || ci < wi) wi = ci;  // going down: the workloads shrink first
  std::optional<InFlight> in_flight = StillInFlight(p);
  if (!in_flight) {
    std::optional<TopologyStep> step = GrowStep(p);
    if (!step && ci > wi) wi = ci;  // the topology is ready: the workloads get the new bounds
    if (!step && wi == ci && WorkloadsInside(p)) step = ShrinkStep(p);
    if (step) Take(p, *step, in_flight);
  }
  p.res.state.in_flight = in_flight;
  p.workload_phase = &ph.list[static_cast<size_t>(wi)];
  p.res.state.workload_phase = p.workload_phase->name;
}

ComponentDecision DecideTopology(Pass& p, const Component& c) {
  ComponentDecision d;
  TargetReading t = p.Target(c.name);
  d.name = c.name;
  d.role = c.role;
  d.target_found = t.found;
  d.current = d.desired = t.current;
  d.ready = t.ready;
  auto target = TopologyTarget(c, p.committed);
  d.min = d.max = target.value_or(t.current);
  d.bounds_from = target ? "phase " + p.committed->name : "not sized by the current phase";
  const auto& step = p.res.topology_step;
  const auto& in_flight = p.res.state.in_flight;
  if (!t.found) {
    d.cause = Cause::kTargetUnreadable;
    d.reason = "target not readable: " + t.error;
  } else if (step && step->component == c.name) {
    d.cause = Cause::kTopologyStep;
    d.desired = step->to;
    d.change = !p.res.dry_run;
    d.reason = step->reason;
  } else if (in_flight && in_flight->component == c.name) {
    d.cause = Cause::kTopologyWaitingForReady;
    d.desired = in_flight->to;
    d.reason = "waiting for " + c.name + " to be ready: " + std::to_string(t.ready) + "/" +
               std::to_string(in_flight->to) + " ready";
  } else if (target && *target != t.current) {
    d.cause = Cause::kTopologyWaitsItsTurn;
    d.desired = *target;
    d.reason = in_flight ? "waits for the change of " + in_flight->component
                         : "waits for its turn (one topology change at a time)";
  } else {
    d.cause = target ? Cause::kTopologyAtPhaseSize : Cause::kTopologyNotSized;
    d.reason = target ? "at the size of phase " + p.committed->name : "no size in this phase";
  }
  return d;
}

}  // namespace gearbox::policy::internal
