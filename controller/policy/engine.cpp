// Evaluate(): the stages of stages.h, in order. See policy.h for the contract and docs/engine.md
// for the semantics and formulas.
#include <cmath>

#include "policy/stages.h"

namespace gearbox::policy {

const ComponentDecision* Result::Find(const std::string& component) const {
  for (const auto& c : components)
    if (c.name == component) return &c;
  return nullptr;
}

const Condition* Result::FindCondition(const std::string& type) const {
  for (const auto& c : conditions)
    if (c.type == type) return &c;
  return nullptr;
}

namespace internal {

Time Timers::Hold(const std::string& key) {
  auto it = before.find(key);
  Time since = it != before.end() && it->second <= now ? it->second : now;
  next[key] = since;
  return since;
}

std::optional<Time> Timers::Get(const std::string& key) const {
  auto it = before.find(key);
  if (it == before.end()) return std::nullopt;
  return it->second;
}

void Timers::Keep(const std::string& key) {
  auto it = before.find(key);
  if (it != before.end()) next[key] = it->second;
}

std::optional<double> Pass::Reading(const std::string& metric) const {
  auto it = observed.metrics.find(metric);
  if (it == observed.metrics.end() || !it->second.value || !std::isfinite(*it->second.value))
    return std::nullopt;
  return *it->second.value;
}

TargetReading Pass::Target(const std::string& component) const {
  auto it = observed.targets.find(component);
  if (it != observed.targets.end()) return it->second;
  TargetReading t;
  t.found = false;
  t.error = "not read";
  return t;
}

void Pass::Emit(EventKind kind, std::string note, std::string component, std::string type) {
  res.events.push_back(
      {std::move(type), ReasonOf(kind), std::move(note), std::move(component), kind});
}

const char* ReasonOf(EventKind kind) {
  switch (kind) {
    case EventKind::kPhaseSelected:
      return "PhaseSelected";
    case EventKind::kPhaseChanged:
      return "PhaseChanged";
    case EventKind::kPhasePending:
      return "PhasePending";
    case EventKind::kTopologyReady:
      return "TopologyReady";
    case EventKind::kTopologyResize:
      return "TopologyResize";
    case EventKind::kWouldResize:
      return "WouldResize";
    case EventKind::kScaledUp:
      return "ScaledUp";
    case EventKind::kScaledDown:
      return "ScaledDown";
    case EventKind::kWouldScaleUp:
      return "WouldScaleUp";
    case EventKind::kWouldScaleDown:
      return "WouldScaleDown";
    case EventKind::kAlertFiring:
      return "AlertFiring";
    case EventKind::kAlertResolved:
      return "AlertResolved";
    case EventKind::kOther:
      break;
  }
  return "Evaluated";
}

}  // namespace internal

Result Evaluate(const Spec& spec, const Observed& observed, const State& before, Time now) {
  Result res;
  res.dry_run = spec.mode == Mode::kDryRun;
  internal::Pass p{spec,    observed, before, now,   res, {before.timers, res.state.timers, now},
                   nullptr, nullptr,  {},     false, {}};
  if (spec.phases && !spec.phases->list.empty()) {
    internal::ChoosePhase(p);
    internal::PlanTopology(p);
  }
  for (const auto& c : spec.components) {
    res.components.push_back(c.role == Role::kTopology ? internal::DecideTopology(p, c)
                                                       : internal::DecideWorkload(p, c));
  }
  internal::EvaluateAlerts(p);
  internal::SetConditions(p);
  return res;
}

}  // namespace gearbox::policy
