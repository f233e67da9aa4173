// See rules.h.
#include "policy/rules.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gearbox::policy::internal {

namespace {

RuleOutcome EvaluateRule(Pass& p, const CompiledRule& cr, int current) {
  RuleOutcome o;
  const std::optional<double> v = p.Reading(cr.metric);
  if (!v) return o;
  const Rule& r = *cr.rule;
  o.available = true;
  o.value = r.per_replica ? *v / std::max(current, 1) : *v;
  o.holds = r.above ? o.value > r.threshold : o.value < r.threshold;
  if (o.holds) {
    o.since = p.Hold(cr.timer);
    o.fires = Since(o.since, p.now) >= r.for_;
  }
  return o;
}

}  // namespace

int Replicas(double v) {
  constexpr double kMost = std::numeric_limits<int>::max();
  if (!(v > 0)) return 0;  // also NaN
  return v >= kMost ? std::numeric_limits<int>::max() : static_cast<int>(v);
}

bool EvaluateRules(Pass& p, int begin, int end, bool all_of, int current) {
  bool all = true, any = false;
  for (int i = begin; i < end; ++i) {
    const RuleOutcome o = EvaluateRule(p, p.c.rules[Pass::Ix(i)], current);
    all = all && o.fires;
    any = any || o.fires;
    p.out.rules[Pass::Ix(i)] = o;
  }
  return end > begin && (all_of ? all : any);
}

}  // namespace gearbox::policy::internal
