// What holds a workload's recommendation back, in this order: the stabilization windows, the rate
// limits' budget per period (behavior maxPods / maxPercent) and the effective bounds.
#include <algorithm>
#include <cmath>

#include "policy/hpa_behavior.h"
#include "policy/rules.h"
#include "policy/sizing.h"
#include "policy/workload.h"

namespace gearbox::policy::internal {

namespace {

// The count at the start of the rate limit's period: the current count less what was added
// within it, plus what was removed. The budget is a count per period, as the HPA's
// periodSeconds, however often the component is evaluated (its own writes requeue it at once).
int PeriodStart(const Pass& p, const Workload& w, const Limits& l, int* moved) {
  double start = w.t.current, total = 0;  // wide: many large changes must not wrap around
  for (const ScaleEvent& e : p.before.scale_events[Pass::Ix(w.k)]) {
    if (Since(e.at, p.now) >= PeriodOf(p.c.spec, l)) continue;
    start -= e.delta;
    total += std::abs(static_cast<double>(e.delta));
  }
  *moved = Replicas(total);
  return Replicas(start);
}

// Up: held within the scale-up window after a scale-down.
bool HeldUp(Pass& p, Workload& w) {
  const std::optional<Time> last_down = p.Get(w.cc.last_down);
  const Duration window = w.cc.spec->up.stabilization_window;
  if (window.count() <= 0 || !last_down || Since(*last_down, p.now) >= window) return false;
  w.d.cause = Cause::kScaleUpHeldByStabilization;
  w.d.desired = w.t.current;
  w.d.last_scale = *last_down;
  return true;
}

// Up: at most max(maxPods, maxPercent of the count at the start of the period) more.
int LimitUp(Pass& p, Workload& w, int desired) {
  const Limits& l = w.cc.spec->up;
  int moved = 0;
  const int start = PeriodStart(p, w, l, &moved);
  const int allowed = std::max(l.max_pods, Replicas(std::ceil(start * (l.max_percent / 100.0))));
  const int most = std::max(w.t.current, Replicas(static_cast<double>(start) + allowed));
  if (desired <= most) return desired;
  w.d.limits |= kLimitedPerStep;
  w.d.step_allowed = most - w.t.current;
  w.d.moved = moved;
  return most;
}

// Down: only as far as the highest recommendation within the scale-down window (this one
// included, and kept for the next evaluations; CarryDownRecommendations kept the earlier ones).
int StabilizedDown(Pass& p, Workload& w, int rec) {
  auto& recs = p.next.down_recommendations[Pass::Ix(w.k)];
  recs.emplace_back(p.now, rec);
  int desired = rec;
  for (const auto& [when, n] : recs) desired = std::max(desired, n);
  if (desired > rec) w.d.limits |= kStabilizationWindow;
  return desired;
}

// Down: held within the scale-down window after a scale-up.
bool HeldDown(Pass& p, Workload& w) {
  const std::optional<Time> last_up = p.Get(w.cc.last_up);
  if (!last_up || Since(*last_up, p.now) >= w.cc.spec->down.stabilization_window) return false;
  w.d.cause = Cause::kScaleDownHeldByStabilization;
  w.d.desired = w.t.current;
  w.d.last_scale = *last_up;
  w.d.limits &= ~kStabilizationWindow;
  return true;
}

// Down: at most max(maxPods, maxPercent of the count at the start of the period) fewer.
int LimitDown(Pass& p, Workload& w, int desired) {
  const Limits& l = w.cc.spec->down;
  int moved = 0;
  const int start = PeriodStart(p, w, l, &moved);
  const int allowed = std::max(l.max_pods, Replicas(std::floor(start * (l.max_percent / 100.0))));
  const int fewest = std::min(w.t.current, Replicas(static_cast<double>(start) - allowed));
  if (desired >= fewest) return desired;
  w.d.limits |= kLimitedPerStep;
  w.d.step_allowed = w.t.current - fewest;
  w.d.moved = moved;
  return fewest;
}

}  // namespace

void CarryDownRecommendations(Pass& p, const Workload& w) {
  auto& next = p.next.down_recommendations[Pass::Ix(w.k)];
  for (const auto& rec : p.before.down_recommendations[Pass::Ix(w.k)])
    if (Since(rec.first, p.now) < w.cc.spec->down.stabilization_window) next.push_back(rec);
}

void CarryScaleEvents(Pass& p, const Workload& w) {
  const Duration keep = w.cc.spec->hpa ? LongestPeriod(*w.cc.spec->hpa)
                                       : std::max(PeriodOf(p.c.spec, w.cc.spec->up),
                                                  PeriodOf(p.c.spec, w.cc.spec->down));
  auto& next = p.next.scale_events[Pass::Ix(w.k)];
  for (const ScaleEvent& e : p.before.scale_events[Pass::Ix(w.k)])
    if (Since(e.at, p.now) < keep) next.push_back(e);
}

void ScaleUp(Pass& p, Workload& w) {
  const int rec = RecommendUp(p, w);
  w.d.recommended = rec;
  if (rec <= w.t.current) {  // what the readings ask for is there already (or starting)
    w.d.cause = Cause::kScaleUpRulesFired;
    w.d.stays = true;
    return;
  }
  if (HeldUp(p, w)) return;
  int desired = LimitUp(p, w, rec);
  if (desired > w.b.max) {
    desired = w.b.max;
    w.d.limits |= kCappedAtMaximum;
  }
  w.d.cause = Cause::kScaleUpRulesFired;
  w.d.desired = desired;
}

void ScaleDown(Pass& p, Workload& w) { ScaleDownTo(p, w, RecommendDown(p, w)); }

void ScaleDownTo(Pass& p, Workload& w, int rec) {
  w.d.recommended = rec;
  int desired = StabilizedDown(p, w, rec);
  if (HeldDown(p, w)) return;
  desired = LimitDown(p, w, desired);
  if (desired < RulesMinimum(w)) {
    desired = RulesMinimum(w);
    w.d.limits |= kHeldAtMinimum;
  }
  w.d.cause = Cause::kScaleDownRulesFired;
  w.d.desired = std::min(desired, w.t.current);
  w.d.stays = desired == w.t.current;
}

}  // namespace gearbox::policy::internal
