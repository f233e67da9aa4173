// See warnings.h. Each warning names the component and the rule, and says what will happen.
#include "policy/warnings.h"

#include <cmath>

#include "policy/text.h"

namespace gearbox::policy::internal {

namespace {

const CompiledRule& RuleAt(const Compiled& c, int i) { return c.rules[static_cast<size_t>(i)]; }

bool RaisedBySchedule(const Compiled& c, int component) {
  for (const CompiledSchedule& cs : c.schedules)
    if (cs.mins[static_cast<size_t>(component)] >= 0) return true;
  return false;
}

// A workload with scaleUp rules and none to scale down (a workload without any rules that a
// schedule raises returns to its minimum instead: workload.cpp).
void NoScaleDownPath(const Compiled& c, int k, std::vector<std::string>& out) {
  const CompiledComponent& cc = c.components[static_cast<size_t>(k)];
  const Component& comp = *cc.spec;
  if (cc.topology() || !comp.scale_up || comp.scale_down || comp.scale_to_zero) return;
  out.push_back(comp.name + ": scaleUp rules and no scaleDown rules: it never scales back down" +
                (RaisedBySchedule(c, k) ? ", not even when a schedule's window closes" : "") +
                " (add scaleDown rules)");
}

// A stated target on the wrong side of its own rule's threshold.
void TargetsOutsideThresholds(const Compiled& c, const CompiledComponent& cc,
                              std::vector<std::string>& out) {
  for (int i = cc.up_begin; i < cc.down_end; ++i) {
    const Rule& r = *RuleAt(c, i).rule;
    if (!r.target) continue;
    const bool up = i < cc.up_end;
    const std::string rule =
        cc.spec->name + ": " + RuleText(r, up) + " with target " + Num(*r.target);
    if (up && r.above && *r.target > r.threshold)
      out.push_back(rule +
                    ": the target is above the threshold, so a step it fires sizes "
                    "to fewer pods than there are and nothing moves");
    if (!up && !r.above && *r.target < r.threshold)
      out.push_back(rule +
                    ": the target is below the threshold, so the rule still holds "
                    "where it lands and keeps scaling down");
  }
}

// A scale-down rule that lands on or past its scale-up rule, or thresholds one pod apart: from
// n replicas a one-pod step multiplies a proportional reading by n / (n - 1).
void ThresholdsTooClose(const Compiled& c, const CompiledComponent& cc, int up, int down,
                        std::vector<std::string>& out) {
  const CompiledRule &u = RuleAt(c, up), &d = RuleAt(c, down);
  const double hi = u.rule->threshold, lo = d.rule->threshold;
  const std::string what =
      cc.spec->name + ": " + RuleText(*d.rule, false) + " and " + RuleText(*u.rule, true);
  if (d.target > hi) {
    out.push_back(what + ": a scale-down lands at " + Num(d.target) +
                  ", above the scale-up threshold; it stops under it instead");
    return;
  }
  const int flips = hi > lo ? static_cast<int>(std::ceil(hi / (hi - lo))) - 1 : 0;
  if (lo >= hi || flips >= 2)
    out.push_back(what + ": one replica fewer takes the value from under " + Num(lo) + " to over " +
                  Num(hi) +
                  (lo >= hi ? "" : " at " + std::to_string(flips) + " replicas or fewer") +
                  ", so scale-downs stop there (thresholds too close)");
}

void PairsOnOneMetric(const Compiled& c, const CompiledComponent& cc,
                      std::vector<std::string>& out) {
  for (int i = cc.up_begin; i < cc.up_end; ++i) {
    if (RuleAt(c, i).sizing == Sizing::kGate) continue;
    for (int j = cc.down_begin; j < cc.down_end; ++j)
      if (RuleAt(c, j).metric == RuleAt(c, i).metric && RuleAt(c, j).sizing == RuleAt(c, i).sizing)
        ThresholdsTooClose(c, cc, i, j, out);
  }
}

}  // namespace

std::vector<std::string> SpecWarnings(const Compiled& c) {
  std::vector<std::string> out;
  for (size_t k = 0; k < c.components.size(); ++k) {
    const CompiledComponent& cc = c.components[k];
    if (cc.topology()) continue;
    NoScaleDownPath(c, static_cast<int>(k), out);
    TargetsOutsideThresholds(c, cc, out);
    PairsOnOneMetric(c, cc, out);
  }
  return out;
}

}  // namespace gearbox::policy::internal
