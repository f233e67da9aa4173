// See replay.h.
#include "backtest/replay.h"

#include "policy/engine.h"

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

// The declared metrics at `step`, into their slots (every one of spec.metrics has one).
void ObserveMetrics(const policy::Engine& engine, const std::map<std::string, History>& histories,
                    size_t step, policy::Time now, policy::IndexedObserved& observed) {
  for (const auto& name : engine.spec().metrics) {
    policy::MetricReading& m = observed.metrics[static_cast<size_t>(engine.MetricSlot(name))];
    auto it = histories.find(name);
    if (it == histories.end() || step >= it->second.size()) {
      m = policy::MetricReading{std::nullopt, now, kNotReplayed};
    } else {
      m = it->second[step];
    }
  }
}

// The step in words: only what a record keeps is rendered (no status summary, no conditions).
StepRecord Record(const policy::Engine& engine, const policy::IndexedObserved& observed,
                  const policy::Evaluation& e) {
  const policy::Spec& spec = engine.spec();
  StepRecord record{e.now, {}, {}, {}, {}, {}};
  if (e.phase >= 0) record.phase = spec.phases->list[static_cast<size_t>(e.phase)].name;
  if (const auto& p = e.pending_phase)
    record.pending = policy::PendingPhase{spec.phases->list[static_cast<size_t>(p->phase)].name,
                                          p->since, p->switch_at};
  for (const auto& name : spec.metrics)
    record.metrics.push_back(observed.metrics[static_cast<size_t>(engine.MetricSlot(name))].value);
  for (size_t k = 0; k < e.components.size(); ++k) {
    const policy::ComponentOutcome& d = e.components[k];
    record.components.push_back(ComponentStep{d.current, d.desired, d.min, d.max,
                                              engine.Reason(e, observed, static_cast<int>(k))});
  }
  for (const policy::EventRecord& r : e.events)
    record.events.push_back(engine.RenderEvent(e, observed, r));
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
  const policy::Engine engine(spec);  // compiled once for the whole replay, as the reconciler
  policy::IndexedObserved observed = engine.NewObserved();
  for (size_t k = 0; k < spec.components.size(); ++k) {
    auto it = start.find(spec.components[k].name);
    const int r = it == start.end() ? 0 : it->second.replicas;
    observed.targets[k] = policy::TargetReading{true, r, r, ""};
  }
  policy::IndexedState state = engine.Index(policy::State{});
  policy::Evaluation e;
  std::vector<StepRecord> records;
  records.reserve(grid.count);
  for (size_t i = 0; i < grid.count; ++i) {
    ObserveMetrics(engine, histories, i, grid.At(i), observed);
    engine.Evaluate(observed, state, grid.At(i), e);
    records.push_back(Record(engine, observed, e));
    // Every write made at once, and nothing refused: the state the reconciler would keep.
    for (size_t k = 0; k < e.components.size(); ++k)
      if (e.components[k].change)
        observed.targets[k].current = observed.targets[k].ready = e.components[k].desired;
    engine.Commit(state, policy::Applied{}, e);
    std::swap(state, e.state);
  }
  return records;
}

}  // namespace gearbox::backtest
