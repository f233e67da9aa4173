// The replay: the pure engine evaluated at each step of a grid, on the metrics' histories, as the
// reconciler would have evaluated the policy at those times. It assumes what the controller
// cannot know after the fact: every write it asked for was made at once (a target's current and
// ready replicas are its desired ones from the next step on, a resized topology target included),
// and the state is committed as the reconciler commits it. A policy in DryRun is replayed as
// Enforce: the question is what it would have done.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backtest/range_query.h"
#include "policy/policy.h"

namespace gearbox::backtest {

// A component's replicas at the first step, and where the number comes from: "--replicas",
// "replicas.min", "phase Small" (a topology component's size in the first phase) or "no size".
struct Start {
  int replicas = 0;
  std::string from;
};

// Every component's start; an Error (kInvalid) when `given` names a component the spec does not
// have or a negative count.
Result<std::map<std::string, Start>> StartingReplicas(const policy::Spec& spec,
                                                      const std::map<std::string, int>& given);

struct ComponentStep {
  int before = 0;  // the replicas the step found
  int after = 0;   // the replicas once its write was made (desired)
  int min = 0;     // the effective bounds at the step
  int max = 0;
  std::string reason;  // why `after` is what it is
};

struct StepRecord {
  policy::Time at{};
  std::vector<std::optional<double>> metrics;  // by spec.metrics; none: unreadable at this step
  std::string phase;
  std::optional<policy::PendingPhase> pending;
  std::vector<ComponentStep> components;  // spec order
  std::vector<policy::Event> events;      // what changed at this step

  // Something happened: an Event, or a component's replicas moved.
  bool Changed() const;
};

// One record per step of `grid`. A metric without a history (none given) is unreadable at every
// step, as is a metric at a step its history has no value for.
std::vector<StepRecord> Replay(const policy::Spec& spec, const StepGrid& grid,
                               const std::map<std::string, History>& histories,
                               const std::map<std::string, Start>& start);

}  // namespace gearbox::backtest
