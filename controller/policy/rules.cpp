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

// How far a rule that fired is past its threshold, as a factor on the replica count.
double UpRatio(const Rule& r, double v) {
  if (r.above) return r.threshold > 0 ? v / r.threshold : 2.0;
  return v > 0 ? r.threshold / v : 2.0;
}

double DownRatio(const Rule& r, double v) {
  if (!r.above) return r.threshold > 0 ? std::max(v, 0.0) / r.threshold : 0.5;
  return v > 0 ? r.threshold / v : 0.5;
}

// The largest ratio over the rules of [begin, end) that fired.
double LargestRatio(const Pass& p, int begin, int end, double (*ratio)(const Rule&, double)) {
  double largest = 0;
  for (int i = begin; i < end; ++i) {
    const RuleOutcome& o = p.out.rules[Pass::Ix(i)];
    if (o.fires) largest = std::max(largest, ratio(*p.c.rules[Pass::Ix(i)].rule, o.value));
  }
  return largest;
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

int RecommendUp(const Pass& p, int begin, int end, int current) {
  const double ratio = LargestRatio(p, begin, end, UpRatio);
  return Replicas(
      std::max(static_cast<double>(current) + 1, std::ceil(std::max(current, 1) * ratio - 1e-9)));
}

int RecommendDown(const Pass& p, int begin, int end, int current) {
  const double ratio = LargestRatio(p, begin, end, DownRatio);
  return std::max(0, std::min(current - 1, Replicas(std::ceil(current * ratio - 1e-9))));
}

}  // namespace gearbox::policy::internal
