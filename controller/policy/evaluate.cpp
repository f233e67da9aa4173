// Evaluate() of policy.h: the fast path of engine.h with the conversions from and to the map
// forms, for tests (the reconciler and the backtest keep an Engine). Decision's lookups are here
// too: the reconciler reads the Decision that Engine::Render makes.
#include "policy/engine.h"

namespace gearbox::policy {

const ComponentDecision* Decision::Find(const std::string& component) const {
  for (const auto& c : components)
    if (c.name == component) return &c;
  return nullptr;
}

const Condition* Decision::FindCondition(const std::string& type) const {
  for (const auto& c : conditions)
    if (c.type == type) return &c;
  return nullptr;
}

Decision Evaluate(const Spec& spec, const Observed& observed, const State& before, Time now) {
  const Engine engine(spec);
  const IndexedObserved in = engine.Index(observed);
  Evaluation e;
  engine.Evaluate(in, engine.Index(before), now, e);
  return engine.Render(e, in);
}

}  // namespace gearbox::policy
