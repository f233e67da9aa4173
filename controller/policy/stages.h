// The stages of one evaluation, in the order Evaluate() (engine.cpp) runs them, and the working
// state they hand on. Internal to policy/: callers see policy.h only.
//
//   ChoosePhase      phase.cpp      the phase metric against upTo, changed only after `hold`
//   PlanTopology     topology.cpp   the one topology step to take now, up in order, down reversed
//   per component:
//     DecideTopology   topology.cpp   a topology component: its step, or why it waits
//     DecideWorkload   workload.cpp   a workload: recommend (rules.cpp) -> stabilize -> rate-limit
//                                     -> clamp to bounds (bounds.cpp) -> the change and its Event
//   EvaluateAlerts   alerts.cpp
//   SetConditions    conditions.cpp
// Text for people (reasons, Event notes) is made from the numbers by the functions in text.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"

namespace gearbox::policy::internal {

// The timers of one evaluation: only those touched now are carried over, so a timer whose
// condition stopped holding (or whose rule left the spec) is gone.
struct Timers {
  const std::map<std::string, Time>& before;
  std::map<std::string, Time>& next;
  Time now;

  // Starts (or continues) the timer `key`; returns since when it has run.
  Time Hold(const std::string& key);
  bool Had(const std::string& key) const { return before.count(key) > 0; }
  std::optional<Time> Get(const std::string& key) const;
  void Keep(const std::string& key);
  void Set(const std::string& key, Time t) { next[key] = t; }
};

struct Pass {
  const Spec& spec;
  const Observed& observed;
  const State& before;
  Time now;
  Result& res;
  Timers timers;
  const Phase* committed = nullptr;       // the phase chosen; it sizes the topology
  const Phase* workload_phase = nullptr;  // the phase whose bounds the workloads follow
  std::vector<std::string> limited;       // for ScalingLimited
  bool limited_up = false;
  std::vector<std::string> firing;  // alerts that fire, as text

  // The metric's value, when it was read and is a finite number.
  std::optional<double> Reading(const std::string& metric) const;
  TargetReading Target(const std::string& component) const;
  void Emit(EventKind kind, std::string note, std::string component = "",
            std::string type = "Normal");
};

inline Duration Since(Time from, Time now) {
  return std::chrono::duration_cast<Duration>(now - from);
}

void ChoosePhase(Pass& p);
void PlanTopology(Pass& p);
ComponentDecision DecideTopology(Pass& p, const Component& c);
ComponentDecision DecideWorkload(Pass& p, const Component& c);
void EvaluateAlerts(Pass& p);
void SetConditions(Pass& p);

// The Event reason of each kind: "ScaledUp", "TopologyResize", ...
const char* ReasonOf(EventKind kind);

}  // namespace gearbox::policy::internal
