// See sizing.h. Every count here is a recommendation: stabilize, rate-limit and clamp (limits.cpp,
// hpa_behavior.cpp) come after it.
#include "policy/sizing.h"

#include <algorithm>
#include <cmath>

#include "policy/rules.h"

namespace gearbox::policy::internal {

namespace {

// The pods a per-pod reading was averaged over: those the source says it measured (a resource
// metric leaves out pods not ready and pods whose usage it has no sample of yet), else the
// target's ready pods.
int MeasuredPods(const Pass& p, const CompiledRule& cr, int current, int ready) {
  const int pods = p.in.metrics[Pass::Ix(cr.metric)].pods;
  return std::clamp(pods >= 0 ? pods : ready, 0, current);
}

// What a rule's reading stands for, in units of its value: the total (perReplica), or the value
// per pod times the pods it was measured over. On the way down the pods not measured count as at
// `target` (as the HPA counts them), on the way up as nothing: so a step never counts pods that
// are still starting twice, and the reading and the multiplier cover the same pods.
double LoadOf(const CompiledRule& cr, const RuleOutcome& o, int current, int measured, bool up,
              double target) {
  if (cr.sizing == Sizing::kPerReplica) return o.value * std::max(current, 1);
  return o.value * measured + (up ? 0.0 : (current - measured) * target);
}

int CeilCount(double v) { return Replicas(std::ceil(v - 1e-9)); }

struct Sized {
  int count = -1;  // -1: no rule sized it
  int rule = -1;
  bool within = false;  // within a stated target's tolerance
};

// The count a proportional rule's reading asks for at its target.
Sized CountFor(const Pass& p, int i, int current, int ready, bool up) {
  const CompiledRule& cr = p.c.rules[Pass::Ix(i)];
  const double load = LoadOf(cr, p.out.rules[Pass::Ix(i)], current,
                             MeasuredPods(p, cr, current, ready), up, cr.target);
  if (cr.tolerance && current > 0 && std::abs(load / (current * cr.target) - 1) <= kTolerance)
    return {current, i, true};
  return {CeilCount(load / cr.target), i, false};
}

// The largest count the proportional rules of [begin, end) ask for: those that fired, or (not
// `fired_only`) every one that was read.
Sized Largest(const Pass& p, const Workload& w, int begin, int end, bool fired_only, bool up) {
  Sized best;
  for (int i = begin; i < end; ++i) {
    const RuleOutcome& o = p.out.rules[Pass::Ix(i)];
    if (p.c.rules[Pass::Ix(i)].sizing == Sizing::kGate || !o.available) continue;
    if (fired_only && !o.fires) continue;
    const Sized s = CountFor(p, i, w.t.current, w.t.ready, up);
    if (s.count > best.count) best = s;
  }
  return best;
}

// How far past its threshold the furthest gate that fired is, as a factor on the count.
double GateRatio(const Pass& p, const Workload& w) {
  double largest = 1;
  for (int i = w.cc.up_begin; i < w.cc.up_end; ++i) {
    const RuleOutcome& o = p.out.rules[Pass::Ix(i)];
    const Rule& r = *p.c.rules[Pass::Ix(i)].rule;
    if (!o.fires) continue;
    const double ratio = r.above ? (r.threshold > 0 ? o.value / r.threshold : 2.0)
                                 : (o.value > 0 ? r.threshold / o.value : 2.0);
    largest = std::max(largest, ratio);
  }
  return largest;
}

// The longest `for` of the gates that fired: a gate says nothing of how far to go, and its
// signal (a latency over a window, a queue's oldest wait) lags the pods it asked for, so after a
// step it must hold that long again before it takes another.
Duration GateSpacing(const Pass& p, const Workload& w) {
  Duration longest{0};
  for (int i = w.cc.up_begin; i < w.cc.up_end; ++i)
    if (p.out.rules[Pass::Ix(i)].fires && p.c.rules[Pass::Ix(i)].sizing == Sizing::kGate)
      longest = std::max(longest, p.c.rules[Pass::Ix(i)].rule->for_);
  return longest;
}

// Only gates fired: one bounded step, once the pods of the last one are ready and the gates'
// `for` has run again since it.
int GateStep(const Pass& p, Workload& w) {
  const int current = w.t.current;
  const std::optional<Time> last_up = p.Get(w.cc.last_up);
  if (w.t.ready < current && last_up && Since(*last_up, p.now) < kStartingPodsGrace) {
    w.d.sizing = SizingNote::kStartingPods;
    w.d.measured = w.t.ready;
    return current;
  }
  if (last_up && Since(*last_up, p.now) < GateSpacing(p, w)) {
    w.d.sizing = SizingNote::kGateSpacing;
    w.d.last_scale = *last_up;
    return current;
  }
  w.d.sizing = SizingNote::kGateStep;
  const int wanted = CeilCount(std::max(current, 1) * GateRatio(p, w));
  const int most = current + std::max(1, (current * kGateStepPercent + 99) / 100);
  return std::clamp(wanted, current + 1, most);
}

// The fewest replicas at which a proportional scale-up rule's reading stays at or under its
// threshold: a scale-down below it would fire the rule again.
int FewestUnderThreshold(const Pass& p, int i, int current, int ready) {
  const CompiledRule& cr = p.c.rules[Pass::Ix(i)];
  const double t = cr.rule->threshold;
  const int measured = MeasuredPods(p, cr, current, ready);
  return CeilCount(LoadOf(cr, p.out.rules[Pass::Ix(i)], current, measured, false, t) / t);
}

// Raises a scale-down recommendation to where no proportional scale-up rule would fire.
int GuardByScaleUpRules(const Pass& p, Workload& w, int rec) {
  for (int i = w.cc.up_begin; i < w.cc.up_end; ++i) {
    if (p.c.rules[Pass::Ix(i)].sizing == Sizing::kGate || !p.out.rules[Pass::Ix(i)].available)
      continue;
    const int fewest = FewestUnderThreshold(p, i, w.t.current, w.t.ready);
    if (fewest <= rec) continue;
    rec = fewest;
    w.d.sizing = SizingNote::kScaleUpGuard;
    w.d.sized_by = i;
    const CompiledRule& cr = p.c.rules[Pass::Ix(i)];
    const int measured = MeasuredPods(p, cr, w.t.current, w.t.ready);
    w.d.predicted =
        rec > 1 ? PredictedAt(cr, p.out.rules[Pass::Ix(i)], w.t.current, measured, rec - 1) : 0;
  }
  return rec;
}

}  // namespace

double PredictedAt(const CompiledRule& cr, const RuleOutcome& o, int current, int measured, int n) {
  return LoadOf(cr, o, current, measured, false, cr.rule->threshold) / std::max(n, 1);
}

int RecommendUp(const Pass& p, Workload& w) {
  const CompiledComponent& cc = w.cc;
  Sized s = Largest(p, w, cc.up_begin, cc.up_end, true, true);
  // A gate fired alone: a proportional reading still sizes the step when it asks for more.
  if (s.count < 0) {
    s = Largest(p, w, cc.up_begin, cc.up_end, false, true);
    if (s.count <= w.t.current) return GateStep(p, w);
  }
  w.d.sized_by = s.rule;
  w.d.measured = MeasuredPods(p, p.c.rules[Pass::Ix(s.rule)], w.t.current, w.t.ready);
  const bool starting = s.count <= w.t.current && w.d.measured < w.t.current;
  w.d.sizing = s.within   ? SizingNote::kWithinTolerance
               : starting ? SizingNote::kStartingPods
                          : SizingNote::kProportional;
  return s.count;
}

int RecommendDown(const Pass& p, Workload& w) {
  const int current = w.t.current;
  const Sized s = Largest(p, w, w.cc.down_begin, w.cc.down_end, true, false);
  int rec = current - 1;
  w.d.sizing = SizingNote::kGateStep;
  if (s.count >= 0) {
    rec = s.count;
    w.d.sized_by = s.rule;
    w.d.sizing = s.within ? SizingNote::kWithinTolerance : SizingNote::kProportional;
  }
  return std::clamp(GuardByScaleUpRules(p, w, rec), 0, std::max(current, 0));
}

}  // namespace gearbox::policy::internal
