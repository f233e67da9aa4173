// Engine::Evaluate: the stages of stages.h, in order, over the slots of a compiled spec.
#include <cmath>

#include "policy/stages.h"

namespace gearbox::policy {
namespace internal {

std::optional<Time> Pass::Get(int timer) const {
  const Time t = before.timers[Ix(timer)];
  if (t == IndexedState::kNotRunning) return std::nullopt;
  return t;
}

Time Pass::Hold(int timer) {
  const Time was = before.timers[Ix(timer)];
  const Time since = was != IndexedState::kNotRunning && was <= now ? was : now;
  next.timers[Ix(timer)] = since;
  return since;
}

std::optional<double> Pass::Reading(int metric) const {
  const auto& m = in.metrics[Ix(metric)];
  if (!m.value || !std::isfinite(*m.value)) return std::nullopt;
  return *m.value;
}

namespace {

// Empties `out` for a new evaluation, keeping the capacity of its vectors.
void Reset(const Compiled& c, Time now, Evaluation& out) {
  const size_t n = c.components.size();
  out.now = now;
  out.dry_run = c.spec.mode == Mode::kDryRun;
  out.phase = -1;
  out.pending_phase.reset();
  out.components.assign(n, ComponentOutcome{});
  out.rules.assign(c.rules.size(), RuleOutcome{});
  out.topology_step.reset();
  out.alerts.clear();
  out.conditions.clear();
  out.events.clear();
  IndexedState& s = out.state;
  s.timers.assign(c.timer_keys.size(), IndexedState::kNotRunning);
  s.phase = s.workload_phase = -1;
  s.in_flight.reset();
  s.down_recommendations.resize(n);
  s.scale_events.resize(n);
  for (size_t k = 0; k < n; ++k) {
    s.down_recommendations[k].clear();
    s.scale_events[k].clear();
  }
  s.dry_run_steps.assign(n, std::nullopt);
  s.failed_reads.assign(n, 0);
}

int PhaseCount(const Compiled& c) {
  return c.spec.phases ? static_cast<int>(c.spec.phases->list.size()) : 0;
}

// Whether the inputs are sized as this spec's slots: NewObserved()/Index() and the evaluations of
// this engine make them so.
bool Fits(const Compiled& c, const IndexedObserved& in, const IndexedState& s) {
  const size_t n = c.components.size();
  const auto in_range = [](int i, int size) { return i >= -1 && i < size; };
  return in.metrics.size() == c.metrics.size() && in.targets.size() == n &&
         s.timers.size() == c.timer_keys.size() && s.down_recommendations.size() == n &&
         s.scale_events.size() == n && s.dry_run_steps.size() == n && s.failed_reads.size() == n &&
         in_range(s.phase, PhaseCount(c)) && in_range(s.workload_phase, PhaseCount(c)) &&
         (!s.in_flight || in_range(s.in_flight->component, static_cast<int>(n)));
}

// The inputs cut or padded to this spec's slots: what lies beyond them is dropped, what is
// missing was not read or not running.
void Conform(const Compiled& c, IndexedObserved& in, IndexedState& s) {
  const size_t n = c.components.size();
  in.metrics.resize(c.metrics.size(), MetricReading{std::nullopt, Time{}, "not read"});
  in.targets.resize(n, TargetReading{false, 0, 0, "not read"});
  s.timers.resize(c.timer_keys.size(), IndexedState::kNotRunning);
  s.down_recommendations.resize(n);
  s.scale_events.resize(n);
  s.dry_run_steps.resize(n);
  s.failed_reads.resize(n);
  if (s.phase >= PhaseCount(c)) s.phase = -1;
  if (s.workload_phase >= PhaseCount(c)) s.workload_phase = -1;
  if (s.in_flight && s.in_flight->component >= static_cast<int>(n)) s.in_flight->component = -1;
}

}  // namespace
}  // namespace internal

void Engine::Evaluate(const IndexedObserved& in, const IndexedState& before, Time now,
                      Evaluation& out) const {
  if (&before == &out.state || !internal::Fits(*c_, in, before)) {
    IndexedObserved in_copy = in;
    IndexedState before_copy = before;
    internal::Conform(*c_, in_copy, before_copy);
    Evaluate(in_copy, before_copy, now, out);
    return;
  }
  internal::Reset(*c_, now, out);
  internal::Pass p{*c_, in, before, now, out, out.state};
  if (c_->has_phases()) {
    internal::ChoosePhase(p);
    internal::PlanTopology(p);
  }
  internal::OpenSchedules(p);
  for (size_t k = 0; k < c_->components.size(); ++k) {
    if (c_->components[k].topology()) {
      internal::DecideTopology(p, static_cast<int>(k));
    } else {
      internal::DecideWorkload(p, static_cast<int>(k));
    }
  }
  internal::EvaluateAlerts(p);
  internal::NoteUnavailableMetrics(p);
  internal::SetConditions(p);
}

}  // namespace gearbox::policy
