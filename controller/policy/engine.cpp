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
}

}  // namespace
}  // namespace internal

void Engine::Evaluate(const IndexedObserved& in, const IndexedState& before, Time now,
                      Evaluation& out) const {
  internal::Reset(*c_, now, out);
  internal::Pass p{*c_, in, before, now, out, out.state};
  if (c_->has_phases()) {
    internal::ChoosePhase(p);
    internal::PlanTopology(p);
  }
  for (size_t k = 0; k < c_->components.size(); ++k) {
    if (c_->components[k].topology()) {
      internal::DecideTopology(p, static_cast<int>(k));
    } else {
      internal::DecideWorkload(p, static_cast<int>(k));
    }
  }
  internal::EvaluateAlerts(p);
  internal::SetConditions(p);
}

}  // namespace gearbox::policy
