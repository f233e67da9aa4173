// Commit: the state carried to the next evaluation follows what was written. For a component
// whose write was not made, the state is as if the change had not been decided: its last-scale
// timers do not move (its rules' timers, which a step never restarts, run on), the change spends
// none of the rate limit's budget, and a topology step it was to take is not in flight. The rest of
// the evaluation (its other components, its recommendations) stands. The map form serves the tests
// (with Evaluate()); the controller commits on the slot form.
#include "policy/compiled.h"

namespace gearbox::policy {

namespace {

// The timer `key` as it was before: kept when it ran, gone when it did not.
void Restore(const State& before, const std::string& key, State& next) {
  auto it = before.timers.find(key);
  if (it == before.timers.end()) {
    next.timers.erase(key);
  } else {
    next.timers[key] = it->second;
  }
}

void Unwind(const State& before, const Decision& evaluated, const ComponentDecision& d,
            State& next) {
  if (d.role == Role::kTopology) {
    if (next.in_flight && next.in_flight->component == d.name && evaluated.topology_step &&
        evaluated.topology_step->component == d.name)
      next.in_flight.reset();
    return;
  }
  Restore(before, d.name + "/lastScaleUp", next);
  Restore(before, d.name + "/lastScaleDown", next);
  auto events = next.scale_events.find(d.name);
  if (d.change && events != next.scale_events.end() && !events->second.empty()) {
    events->second.pop_back();  // the change this evaluation recorded
    if (events->second.empty()) next.scale_events.erase(events);
  }
}

}  // namespace

State Commit(const State& before, const Decision& evaluated, const Applied& applied) {
  State next = evaluated.state;
  for (const auto& name : applied.not_applied)
    if (const ComponentDecision* d = evaluated.Find(name)) Unwind(before, evaluated, *d, next);
  return next;
}

// The same on the slot forms; `evaluated` is an evaluation of this engine from `before`.
void Engine::Commit(const IndexedState& before, const Applied& applied,
                    Evaluation& evaluated) const {
  IndexedState& next = evaluated.state;
  if (evaluated.components.size() != c_->components.size()) return;  // not one of this engine's
  for (const auto& name : applied.not_applied) {
    const int k = ComponentSlot(name);
    if (k < 0) continue;
    const internal::CompiledComponent& cc = c_->components[static_cast<size_t>(k)];
    const ComponentOutcome& d = evaluated.components[static_cast<size_t>(k)];
    if (cc.topology()) {
      if (next.in_flight && next.in_flight->component == k && evaluated.topology_step &&
          evaluated.topology_step->component == k)
        next.in_flight.reset();
      continue;
    }
    for (int timer : {cc.last_up, cc.last_down}) {
      const auto t = static_cast<size_t>(timer);
      next.timers[t] = t < before.timers.size() ? before.timers[t] : IndexedState::kNotRunning;
    }
    auto& events = next.scale_events[static_cast<size_t>(k)];
    if (d.change && !events.empty()) events.pop_back();
  }
}

}  // namespace gearbox::policy
