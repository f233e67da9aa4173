// See replay.h.
#include "backtest/replay.h"

namespace gearbox::backtest {

namespace {

const char* const kNotReplayed = "not replayed: not in Prometheus, and no --query was given for it";

// A topology component starts at its size in the first phase that gives it one.
std::optional<Start> FirstPhaseSize(const policy::Spec& spec, const std::string& component) {
  if (!spec.phases) return std::nullopt;
  for (const auto& phase : spec.phases->list) {
    auto it = phase.components.find(component);
    if (it == phase.components.end()) continue;
    if (it->second.replicas) return Start{*it->second.replicas, "phase " + phase.name};
    if (it->second.min) return Start{*it->second.min, "phase " + phase.name + " min"};
  }
  return std::nullopt;
}

Start DefaultStart(const policy::Spec& spec, const policy::Component& c) {
  if (c.replicas) return Start{c.replicas->min, "replicas.min"};
  return FirstPhaseSize(spec, c.name).value_or(Start{0, "no size"});
}

void ObserveMetrics(const policy::Spec& spec, const std::map<std::string, History>& histories,
                    size_t step, policy::Time now, policy::Observed& observed) {
  for (const auto& name : spec.metrics) {
    auto it = histories.find(name);
    if (it == histories.end() || step >= it->second.size()) {
      observed.metrics[name] = policy::MetricReading{std::nullopt, now, kNotReplayed};
    } else {
      observed.metrics[name] = it->second[step];
    }
  }
}

StepRecord Record(const policy::Spec& spec, const policy::Observed& observed,
                  const policy::Result& r, policy::Time now) {
  StepRecord record{now, {}, r.phase, r.pending_phase, {}, r.events};
  for (const auto& name : spec.metrics) record.metrics.push_back(observed.metrics.at(name).value);
  for (const auto& d : r.components)
    record.components.push_back(ComponentStep{d.current, d.desired, d.min, d.max, d.reason});
  return record;
}

}  // namespace

bool StepRecord::Changed() const {
  if (!events.empty()) return true;
  for (const auto& c : components)
    if (c.after != c.before) return true;
  return false;
}

Result<std::map<std::string, Start>> StartingReplicas(const policy::Spec& spec,
                                                      const std::map<std::string, int>& given) {
  std::map<std::string, Start> start;
  for (const auto& c : spec.components) start[c.name] = DefaultStart(spec, c);
  for (const auto& [name, replicas] : given) {
    if (!start.count(name)) return Error::Invalid("--replicas " + name + ": no such component");
    if (replicas < 0) return Error::Invalid("--replicas " + name + ": must be 0 or more");
    start[name] = Start{replicas, "--replicas"};
  }
  return start;
}

std::vector<StepRecord> Replay(const policy::Spec& policy_spec, const StepGrid& grid,
                               const std::map<std::string, History>& histories,
                               const std::map<std::string, Start>& start) {
  policy::Spec spec = policy_spec;
  spec.mode = policy::Mode::kEnforce;
  std::map<std::string, int> replicas;
  for (const auto& [name, s] : start) replicas[name] = s.replicas;
  policy::Observed observed;
  policy::State state;
  std::vector<StepRecord> records;
  records.reserve(grid.count);
  for (size_t i = 0; i < grid.count; ++i) {
    const policy::Time now = grid.At(i);
    ObserveMetrics(spec, histories, i, now, observed);
    for (const auto& c : spec.components)
      observed.targets[c.name] =
          policy::TargetReading{true, replicas[c.name], replicas[c.name], ""};
    const policy::Result r = policy::Evaluate(spec, observed, state, now);
    records.push_back(Record(spec, observed, r, now));
    // Every write made at once, and nothing refused: the state the reconciler would keep.
    for (const auto& d : r.components)
      if (d.change) replicas[d.name] = d.desired;
    state = policy::Commit(state, r, policy::Applied{});
  }
  return records;
}

}  // namespace gearbox::backtest
