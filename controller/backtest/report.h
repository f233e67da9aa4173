// What a backtest prints: a header (the policy, the range, the step, where each metric is replayed
// from, the starting replicas, what is assumed), a line per step (with --quiet only the steps at
// which something changed) followed by the Events of that step, and a summary per component; and
// the same per step as TSV, for hack/backtest-plot.py.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "backtest/history.h"
#include "backtest/replay.h"
#include "reconcile/policy_spec.h"

namespace gearbox::backtest {

// A backtest run: what was asked and what the replay made of it.
struct Backtest {
  std::string file;  // the policy file
  std::string prometheus;
  reconcile::ParsedPolicy policy;
  StepGrid grid;
  std::vector<MetricPlan> plans;
  std::map<std::string, Start> start;
  std::vector<StepRecord> steps;
};

struct ComponentSummary {
  std::string name;
  int scale_ups = 0;  // steps at which it grew
  int scale_downs = 0;
  double replica_minutes = 0;  // each step's replicas held for one step
  int lowest = 0;              // the fewest and the most replicas it had
  int highest = 0;
  int unreadable_steps = 0;  // steps at which a metric of its rules could not be read
};

struct Summary {
  std::vector<ComponentSummary> components;  // spec order
  int phase_changes = 0;
  std::map<std::string, int> unreadable_steps;  // by metric
};

Summary Summarize(const policy::Spec& spec, const std::vector<StepRecord>& steps,
                  policy::Duration step);

void PrintHeader(std::ostream& out, const Backtest& b);
// Every step, or with `quiet` the steps at which something changed.
void PrintSteps(std::ostream& out, const Backtest& b, bool quiet);
void PrintSummary(std::ostream& out, const Backtest& b);

// Per step: unix time, each metric's value (empty where unreadable), the phase, each component's
// replicas, min and max. An Error (kConfig) when the file cannot be written.
Status WriteTsv(const std::string& path, const Backtest& b);

}  // namespace gearbox::backtest
