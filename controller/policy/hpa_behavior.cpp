// See hpa_behavior.h. The HPA keeps a recommendation per sync and the scale events per
// direction; here both live in the engine's state (down_recommendations, scale_events), so they
// are as durable as the shorthand's: not at all (a restart starts the windows and budgets over).
#include "policy/hpa_behavior.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "policy/rules.h"
#include "policy/sizing.h"

namespace gearbox::policy {

HpaRules HpaScaleUpDefaults() {
  using std::chrono::seconds;
  return {Duration{0},
          SelectPolicy::kMax,
          {{.percent = true, .value = 100, .period = seconds(15)},
           {.percent = false, .value = 4, .period = seconds(15)}}};
}

HpaRules HpaScaleDownDefaults() {
  using std::chrono::seconds;
  return {
      seconds(300), SelectPolicy::kMax, {{.percent = true, .value = 100, .period = seconds(15)}}};
}

namespace internal {

namespace {

// The count at the start of a policy's period: the current count less the changes made within
// it (added ones out, removed ones back), as the HPA's getReplicasChangePerPeriod counts them.
double StartOfPolicyPeriod(const Pass& p, const Workload& w, Duration period) {
  double start = w.t.current;  // wide: many large changes must not wrap around
  for (const ScaleEvent& e : p.before.scale_events[Pass::Ix(w.k)])
    if (Since(e.at, p.now) < period) start -= e.delta;
  return start;
}

// What moved within the longest period, for the reason's words.
int MovedWithin(const Pass& p, const Workload& w, const HpaRules& r) {
  Duration longest{0};
  for (const RatePolicy& rp : r.policies) longest = std::max(longest, rp.period);
  double total = 0;
  for (const ScaleEvent& e : p.before.scale_events[Pass::Ix(w.k)])
    if (Since(e.at, p.now) < longest) total += std::abs(static_cast<double>(e.delta));
  return Replicas(total);
}

// Up: each policy proposes start + value (Pods) or ceil(start x (1 + value/100)) (Percent), the
// rounding up so that a small count still grows; Max takes the highest, Min the lowest; Disabled
// allows none. A budget spent by earlier changes holds the count, never lowers it.
int ScaleUpLimit(const Pass& p, const Workload& w, const HpaRules& r) {
  const int current = w.t.current;
  if (r.select == SelectPolicy::kDisabled || r.policies.empty()) return current;
  const bool max = r.select == SelectPolicy::kMax;
  double limit = max ? -1 : INT_MAX;
  for (const RatePolicy& rp : r.policies) {
    const double start = StartOfPolicyPeriod(p, w, rp.period);
    const double proposed =
        rp.percent ? std::ceil(start * (1 + rp.value / 100.0)) : start + rp.value;
    limit = max ? std::max(limit, proposed) : std::min(limit, proposed);
  }
  return std::max(current, Replicas(limit));
}

// Down: each policy proposes start - value (Pods) or start x (1 - value/100) truncated
// (Percent); Max takes the lowest (the biggest change), Min the highest; Disabled allows none.
int ScaleDownLimit(const Pass& p, const Workload& w, const HpaRules& r) {
  const int current = w.t.current;
  if (r.select == SelectPolicy::kDisabled || r.policies.empty()) return current;
  const bool max = r.select == SelectPolicy::kMax;
  double limit = max ? INT_MAX : -1;
  for (const RatePolicy& rp : r.policies) {
    const double start = StartOfPolicyPeriod(p, w, rp.period);
    const double proposed =
        rp.percent ? std::trunc(start * (1 - rp.value / 100.0)) : start - rp.value;
    limit = max ? std::min(limit, proposed) : std::max(limit, proposed);
  }
  return std::min(current, Replicas(limit));
}

// The current count brought inside [the lowest recommendation within the scale-up window, the
// highest within the scale-down window], this evaluation's included (and recorded). A window
// holds the recommendations younger than it, as the HPA's "after now - window".
int StabilizeOverWindows(Pass& p, Workload& w, int rec) {
  const HpaBehavior& b = *w.cc.spec->hpa;
  auto& recs = p.next.down_recommendations[Pass::Ix(w.k)];
  int lowest = rec, highest = rec;
  for (const auto& [when, n] : recs) {
    if (Since(when, p.now) < b.up.stabilization_window) lowest = std::min(lowest, n);
    if (Since(when, p.now) < b.down.stabilization_window) highest = std::max(highest, n);
  }
  recs.emplace_back(p.now, rec);
  if (rec > w.t.current && lowest < rec) w.d.limits |= kUpStabilizationWindow;
  if (rec < w.t.current && highest > rec) w.d.limits |= kStabilizationWindow;
  return std::min(std::max(w.t.current, lowest), highest);
}

// The policies' limit, then the effective bounds, in the direction of the change.
int LimitByPolicies(Pass& p, Workload& w, int stabilized) {
  const HpaBehavior& b = *w.cc.spec->hpa;
  const bool up = stabilized > w.t.current;
  const HpaRules& r = up ? b.up : b.down;
  const int limit = up ? ScaleUpLimit(p, w, r) : ScaleDownLimit(p, w, r);
  int desired = up ? std::min(stabilized, limit) : std::max(stabilized, limit);
  if (desired != stabilized) {
    w.d.limits |= kLimitedPerStep;
    w.d.step_allowed = std::abs(limit - w.t.current);
    w.d.moved = MovedWithin(p, w, r);
  }
  if (desired > w.b.max) {
    desired = w.b.max;
    w.d.limits |= kCappedAtMaximum;
  } else if (desired < RulesMinimum(w)) {  // scaleToZero: only its cooldown goes below 1
    desired = RulesMinimum(w);
    w.d.limits |= kHeldAtMinimum;
  }
  return desired;
}

}  // namespace

Duration LongestPeriod(const HpaBehavior& b) {
  Duration longest{0};
  for (const HpaRules* r : {&b.up, &b.down})
    for (const RatePolicy& rp : r->policies) longest = std::max(longest, rp.period);
  return longest;
}

void CarryRecommendations(Pass& p, const Workload& w) {
  const HpaBehavior& b = *w.cc.spec->hpa;
  const Duration keep = std::max(b.up.stabilization_window, b.down.stabilization_window);
  auto& next = p.next.down_recommendations[Pass::Ix(w.k)];
  for (const auto& rec : p.before.down_recommendations[Pass::Ix(w.k)])
    if (Since(rec.first, p.now) < keep) next.push_back(rec);
}

void RecordCurrent(Pass& p, const Workload& w) {
  p.next.down_recommendations[Pass::Ix(w.k)].emplace_back(p.now, w.t.current);
}

void ScaleInHpaForm(Pass& p, Workload& w) {
  const bool up = w.up_fires;
  MoveInHpaForm(p, w, up ? RecommendUp(p, w) : RecommendDown(p, w), up);
}

void MoveInHpaForm(Pass& p, Workload& w, int rec, bool up) {
  const int current = w.t.current;
  w.d.recommended = rec;
  const int stabilized = StabilizeOverWindows(p, w, rec);
  const int desired = stabilized == current ? current : LimitByPolicies(p, w, stabilized);
  w.d.cause = up ? Cause::kScaleUpRulesFired : Cause::kScaleDownRulesFired;
  w.d.desired = up ? std::max(desired, current) : std::min(desired, current);
  // It stays for a window or a spent budget (an "already at the maximum" says itself).
  w.d.stays = w.d.desired == current && !(w.d.limits & kCappedAtMaximum);
}

}  // namespace internal

}  // namespace gearbox::policy
