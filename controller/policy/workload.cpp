// The workload stage, for one component: its rules recommend (rules.h), the recommendation is
// stabilized, rate-limited (behavior) and clamped to the effective bounds (bounds.h), and a
// change is recorded with its Event and timers. docs/engine.md gives the formulas.
#include <algorithm>
#include <cmath>
#include <limits>

#include "policy/bounds.h"
#include "policy/rules.h"
#include "policy/stages.h"
#include "policy/text.h"

namespace gearbox::policy::internal {

namespace {

// A replica count from arithmetic done wide: never below 0, never past what a count can hold
// (a huge ratio or maxPods must not wrap around).
int Replicas(double v) {
  constexpr double kMost = std::numeric_limits<int>::max();
  if (!(v > 0)) return 0;  // also NaN
  return v >= kMost ? std::numeric_limits<int>::max() : static_cast<int>(v);
}

// One component's evaluation, filled stage by stage.
struct Workload {
  const Component& c;
  TargetReading t;
  EffectiveBounds b;
  SetOutcome up, down;
  std::vector<std::string> missing;  // metrics of its rules that could not be read
  std::vector<std::string> notes;    // what limited the recommendation, in words
  ComponentDecision d;

  std::string Key(const char* what) const { return c.name + what; }
  std::string Bounds() const { return BoundsText(b.min, b.max, b.from); }
};

Duration PeriodOf(const Pass& p, const Limits& l) {
  return l.period.count() > 0 ? l.period : p.spec.interval;
}

// The count at the start of the rate limit's period: the current count less what was added
// within it, plus what was removed. The budget is a count per period, as the HPA's
// periodSeconds, however often the component is evaluated (its own writes requeue it at once).
int PeriodStart(const Pass& p, const Workload& w, const Limits& l, int* moved) {
  double start = w.t.current;
  *moved = 0;
  auto it = p.before.scale_events.find(w.c.name);
  if (it == p.before.scale_events.end()) return Replicas(start);
  for (const auto& e : it->second) {
    if (Since(e.at, p.now) >= PeriodOf(p, l)) continue;
    start -= e.delta;
    *moved += std::abs(e.delta);
  }
  return Replicas(start);
}

// The changes still inside a period, carried to the next evaluation.
void CarryScaleEvents(Pass& p, const Workload& w) {
  auto it = p.before.scale_events.find(w.c.name);
  if (it == p.before.scale_events.end()) return;
  const Duration keep = std::max(PeriodOf(p, w.c.up), PeriodOf(p, w.c.down));
  auto& next = p.res.state.scale_events[w.c.name];
  for (const auto& e : it->second)
    if (Since(e.at, p.now) < keep) next.push_back(e);
}

std::string LimitNote(const Pass& p, char sign, int allowed, const Limits& l, int moved) {
  std::string note = std::string("limited to ") + sign + std::to_string(allowed) + " per " +
                     FormatDuration(PeriodOf(p, l)) + " (maxPods " + std::to_string(l.max_pods) +
                     ", maxPercent " + std::to_string(l.max_percent);
  if (moved > 0) note += "; " + std::to_string(moved) + " moved within it";
  return note + ")";
}

void EvaluateRules(Pass& p, Workload& w) {
  p.timers.Keep(w.Key("/lastScaleUp"));
  p.timers.Keep(w.Key("/lastScaleDown"));
  if (w.c.scale_up)
    w.up = EvaluateSet(*w.c.scale_up, w.Key("/scaleUp/"), p.observed, w.t.current, p.timers);
  if (w.c.scale_down)
    w.down = EvaluateSet(*w.c.scale_down, w.Key("/scaleDown/"), p.observed, w.t.current, p.timers);
  for (const auto* s : {&w.up, &w.down}) {
    for (const auto& o : s->rules) {
      if (o.holds && !o.fires && o.rule->for_.count() > 0)
        w.d.counting.push_back(
            {std::string(s == &w.up ? "scaleUp " : "scaleDown ") + RuleText(*o.rule), o.since,
             o.rule->for_});
    }
  }
  w.missing = w.up.missing;
  w.missing.insert(w.missing.end(), w.down.missing.begin(), w.down.missing.end());
  std::sort(w.missing.begin(), w.missing.end());
  w.missing.erase(std::unique(w.missing.begin(), w.missing.end()), w.missing.end());
}

// Up: ceil(current x ratio), at least one more; held if scaled down within the window;
// at most maxPods or maxPercent more; at most the maximum.
void ScaleUp(Pass& p, Workload& w) {
  const int current = w.t.current;
  const int rec = Replicas(std::max(static_cast<double>(current) + 1,
                                    std::ceil(std::max(current, 1) * UpRatio(w.up) - 1e-9)));
  w.d.recommended = rec;
  auto last_down = p.timers.Get(w.Key("/lastScaleDown"));
  const Duration window = w.c.up.stabilization_window;
  if (window.count() > 0 && last_down && Since(*last_down, p.now) < window) {
    w.d.cause = Cause::kScaleUpHeldByStabilization;
    w.d.desired = current;
    w.d.reason = FiredText(w.up) + ", but scaled down " + FormatDuration(Since(*last_down, p.now)) +
                 " ago (scale-up stabilization " + FormatDuration(window) + ")";
    return;
  }
  int desired = rec;
  int moved = 0;
  const int start = PeriodStart(p, w, w.c.up, &moved);
  const int allowed =
      std::max(w.c.up.max_pods, Replicas(std::ceil(start * (w.c.up.max_percent / 100.0))));
  const int most = std::max(current, Replicas(static_cast<double>(start) + allowed));
  if (desired > most) {
    desired = most;
    w.d.limits |= kLimitedPerStep;
    w.notes.push_back(LimitNote(p, '+', most - current, w.c.up, moved));
  }
  if (desired > w.b.max) {
    desired = w.b.max;
    w.d.limits |= kCappedAtMaximum;
    w.notes.push_back("capped at the maximum of " + w.Bounds());
    p.limited.push_back(w.c.name + " wants " + std::to_string(rec) + ", capped at " +
                        std::to_string(w.b.max) + " (" + w.b.from + ")");
    p.limited_up = true;
  }
  w.d.cause = Cause::kScaleUpRulesFired;
  w.d.desired = desired;
  w.d.reason = FiredText(w.up);
  if (desired == current) w.d.reason += "; already at the maximum of " + w.Bounds();
}

// Stabilization down: the highest recommendation within the window wins.
int StabilizedDown(Pass& p, Workload& w, int rec) {
  auto& recs = p.res.state.down_recommendations[w.c.name];
  if (auto it = p.before.down_recommendations.find(w.c.name);
      it != p.before.down_recommendations.end()) {
    for (const auto& [when, n] : it->second)
      if (Since(when, p.now) < w.c.down.stabilization_window) recs.emplace_back(when, n);
  }
  recs.emplace_back(p.now, rec);
  int desired = rec;
  for (const auto& [when, n] : recs) desired = std::max(desired, n);
  return desired;
}

// Down: ceil(current x ratio), at least one fewer; the highest within the window; held if scaled
// up within the window; at most maxPods or maxPercent fewer; at least the minimum.
void ScaleDown(Pass& p, Workload& w) {
  const int current = w.t.current;
  const int rec =
      std::max(0, std::min(current - 1, Replicas(std::ceil(current * DownRatio(w.down) - 1e-9))));
  w.d.recommended = rec;
  int desired = StabilizedDown(p, w, rec);
  auto last_up = p.timers.Get(w.Key("/lastScaleUp"));
  const Duration window = w.c.down.stabilization_window;
  if (last_up && Since(*last_up, p.now) < window) {
    w.d.cause = Cause::kScaleDownHeldByStabilization;
    w.d.desired = current;
    w.d.reason = FiredText(w.down) + ", but scaled up " + FormatDuration(Since(*last_up, p.now)) +
                 " ago (scale-down stabilization " + FormatDuration(window) + ")";
    return;
  }
  if (desired > rec) {
    w.d.limits |= kStabilizationWindow;
    w.notes.push_back("the highest recommendation of the last " + FormatDuration(window));
  }
  int moved = 0;
  const int start = PeriodStart(p, w, w.c.down, &moved);
  const int allowed =
      std::max(w.c.down.max_pods, Replicas(std::floor(start * (w.c.down.max_percent / 100.0))));
  const int fewest = std::min(current, Replicas(static_cast<double>(start) - allowed));
  if (desired < fewest) {
    desired = fewest;
    w.d.limits |= kLimitedPerStep;
    w.notes.push_back(LimitNote(p, '-', current - fewest, w.c.down, moved));
  }
  if (desired < w.b.min) {
    desired = w.b.min;
    w.d.limits |= kHeldAtMinimum;
    w.notes.push_back("held at the minimum of " + w.Bounds());
    p.limited.push_back(w.c.name + " wants " + std::to_string(rec) + ", held at " +
                        std::to_string(w.b.min) + " (" + w.b.from + ")");
  }
  w.d.cause = Cause::kScaleDownRulesFired;
  w.d.desired = std::min(desired, current);
  w.d.reason = FiredText(w.down);
  if (desired == current) w.d.reason += "; stays at " + std::to_string(current);
}

void NothingFires(Pass& p, Workload& w) {
  if (!w.d.counting.empty()) {
    std::vector<std::string> parts;
    for (const auto& k : w.d.counting)
      parts.push_back(k.rule + " for " + FormatDuration(Since(k.since, p.now)) + " of " +
                      FormatDuration(k.for_));
    w.d.cause = Cause::kCounting;
    w.d.reason = "counting: " + Join(parts, ", ");
    return;
  }
  w.d.cause = Cause::kNoRuleFires;
  w.d.reason = "no rule fires";
  if (!w.missing.empty()) w.d.reason += " (" + Join(w.missing, ", ") + " unavailable)";
}

// The order of precedence: bounds first, then scale-up over scale-down.
void Decide(Pass& p, Workload& w) {
  const int current = w.t.current;
  if (!w.t.found) {
    w.d.cause = Cause::kTargetUnreadable;
    w.d.reason = "target not readable: " + w.t.error;
  } else if (current < w.b.min) {
    w.d.cause = Cause::kBelowMinimum;
    w.d.desired = w.b.min;
    w.d.reason = "below the minimum of " + w.Bounds();
  } else if (current > w.b.max) {
    w.d.cause = Cause::kAboveMaximum;
    w.d.desired = w.b.max;
    w.d.reason = "above the maximum of " + w.Bounds();
  } else if (w.up.fires) {
    ScaleUp(p, w);
  } else if (w.down.fires && !w.missing.empty()) {
    w.d.cause = Cause::kScaleDownBlockedByMissingMetric;
    w.d.reason = FiredText(w.down) + ", but not scaling down while " + Join(w.missing, ", ") +
                 (w.missing.size() == 1 ? " is" : " are") + " unavailable";
  } else if (w.down.fires) {
    ScaleDown(p, w);
  } else {
    NothingFires(p, w);
  }
  if (!w.notes.empty()) w.d.reason += " (" + Join(w.notes, "; ") + ")";
  if (w.b.conflict && w.d.desired != current) w.d.reason += "; the phase's bounds win";
}

// A change: its Event, and the timers it moves (Enforce); reported once (DryRun).
void RecordChange(Pass& p, Workload& w) {
  ComponentDecision& d = w.d;
  const bool up = d.desired > d.current;
  const std::string note = w.c.name + " " + std::to_string(d.current) + " -> " +
                           std::to_string(d.desired) + ": " + d.reason;
  if (p.res.dry_run) {
    d.change = false;
    auto prev = p.before.dry_run_steps.find(w.c.name);
    if (prev == p.before.dry_run_steps.end() || prev->second != d.desired)
      p.Emit(up ? EventKind::kWouldScaleUp : EventKind::kWouldScaleDown, "DryRun: " + note,
             w.c.name);
    p.res.state.dry_run_steps[w.c.name] = d.desired;
    return;
  }
  p.Emit(up ? EventKind::kScaledUp : EventKind::kScaledDown, note, w.c.name);
  p.res.state.scale_events[w.c.name].push_back({p.now, d.desired - d.current});
  p.timers.Set(w.Key(up ? "/lastScaleUp" : "/lastScaleDown"), p.now);
  if (!up) return;
  // The new size must prove itself: its rules count again from now.
  for (auto& [key, since] : p.res.state.timers) {
    if (key.rfind(w.Key("/scaleUp/"), 0) == 0 || key.rfind(w.Key("/scaleDown/"), 0) == 0)
      since = p.now;
  }
  for (auto& k : d.counting) k.since = p.now;
  p.res.state.down_recommendations.erase(w.c.name);
}

}  // namespace

ComponentDecision DecideWorkload(Pass& p, const Component& c) {
  Workload w{c, p.Target(c.name), WorkloadBounds(c, p.workload_phase), {}, {}, {}, {}, {}};
  w.d.name = c.name;
  w.d.role = c.role;
  w.d.target_found = w.t.found;
  w.d.current = w.d.desired = w.d.recommended = w.t.current;
  w.d.ready = w.t.ready;
  w.d.min = w.b.min;
  w.d.max = w.b.max;
  w.d.bounds_from = w.b.from;
  CarryScaleEvents(p, w);
  EvaluateRules(p, w);
  Decide(p, w);
  w.d.change = w.t.found && w.d.desired != w.t.current;
  if (w.d.change) RecordChange(p, w);
  return w.d;
}

}  // namespace gearbox::policy::internal
