// Whether a component's rules hold and fire (their `for` timers), and by how much a rule that
// fired is past its threshold: the recommendation stage's inputs.
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"

namespace gearbox::policy::internal {

struct Timers;

struct RuleOutcome {
  const Rule* rule = nullptr;
  bool available = false;
  double value = 0;  // after perReplica
  bool holds = false;
  bool fires = false;
  Time since{};
};

struct SetOutcome {
  std::vector<RuleOutcome> rules;
  bool fires = false;
  std::vector<std::string> missing;  // metrics that could not be read
};

// Evaluates anyOf/allOf with the timers under `key_prefix` ("app/scaleUp/").
SetOutcome EvaluateSet(const RuleSet& set, const std::string& key_prefix, const Observed& observed,
                       int current, Timers& timers);

// How far the metric is past its threshold, as a factor on the replica count (docs/engine.md):
// the largest over the rules that fired.
double UpRatio(const SetOutcome& s);
double DownRatio(const SetOutcome& s);

}  // namespace gearbox::policy::internal
