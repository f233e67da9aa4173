// See rules.h.
#include "policy/rules.h"

#include <algorithm>
#include <cmath>

#include "policy/stages.h"

namespace gearbox::policy::internal {

namespace {

RuleOutcome EvaluateRule(const Rule& r, const std::string& key, const Observed& observed,
                         int current, Timers& timers) {
  RuleOutcome o;
  o.rule = &r;
  auto it = observed.metrics.find(r.metric);
  if (it == observed.metrics.end() || !it->second.value || !std::isfinite(*it->second.value))
    return o;
  o.available = true;
  o.value = *it->second.value;
  if (r.per_replica) o.value /= std::max(current, 1);
  o.holds = r.above ? o.value > r.threshold : o.value < r.threshold;
  if (o.holds) {
    o.since = timers.Hold(key);
    o.fires = Since(o.since, timers.now) >= r.for_;
  }
  return o;
}

double RuleUpRatio(const RuleOutcome& o) {
  const Rule& r = *o.rule;
  if (r.above) return r.threshold > 0 ? o.value / r.threshold : 2.0;
  return o.value > 0 ? r.threshold / o.value : 2.0;
}

double RuleDownRatio(const RuleOutcome& o) {
  const Rule& r = *o.rule;
  if (!r.above) return r.threshold > 0 ? std::max(o.value, 0.0) / r.threshold : 0.5;
  return o.value > 0 ? r.threshold / o.value : 0.5;
}

}  // namespace

SetOutcome EvaluateSet(const RuleSet& set, const std::string& key_prefix, const Observed& observed,
                       int current, Timers& timers) {
  SetOutcome out;
  bool all = true, any = false;
  for (size_t i = 0; i < set.rules.size(); ++i) {
    const Rule& r = set.rules[i];
    RuleOutcome o =
        EvaluateRule(r, key_prefix + std::to_string(i) + "/" + r.metric, observed, current, timers);
    if (!o.available) out.missing.push_back(r.metric);
    all = all && o.fires;
    any = any || o.fires;
    out.rules.push_back(o);
  }
  out.fires = !set.rules.empty() && (set.all_of ? all : any);
  return out;
}

double UpRatio(const SetOutcome& s) {
  double ratio = 0;
  for (const auto& o : s.rules)
    if (o.fires) ratio = std::max(ratio, RuleUpRatio(o));
  return ratio;
}

double DownRatio(const SetOutcome& s) {
  double ratio = 0;
  for (const auto& o : s.rules)
    if (o.fires) ratio = std::max(ratio, RuleDownRatio(o));
  return ratio;
}

}  // namespace gearbox::policy::internal
