// The stages of one evaluation, in the order Engine::Evaluate (engine.cpp) runs them, and the
// pass they share. Internal to policy/: callers see policy.h and engine.h.
//
//   ChoosePhase      phase.cpp      the phase metric against upTo, changed only after `hold`
//   PlanTopology     topology.cpp   the one topology step to take now, up in order, down reversed
//   OpenSchedules    schedules.cpp  the schedule windows open now, Events when they open or close
//   per component:
//     DecideTopology   topology.cpp   a topology component: its step, or why it waits
//     DecideWorkload   workload.cpp   a workload: its rules (rules.cpp) fire, their readings size
//                                     the count (sizing.cpp) -> stabilize ->
//                                     rate-limit -> clamp to bounds (limits.cpp) -> the change
//   EvaluateAlerts   alerts.cpp
//   NoteUnavailableMetrics  conditions.cpp  a Warning Event when a metric becomes unreadable
//   SetConditions    conditions.cpp
// The stages decide in numbers and causes (engine.h); explain.cpp and render.cpp make the words.
#pragma once

#include <optional>

#include "policy/compiled.h"

namespace gearbox::policy::internal {

// A resource metric of a component at 0 replicas: there is nothing to measure, and that is not a
// failure to read it (no Warning, no MetricsAvailable=False, no fallback, no blocked scale-down).
inline bool MetricAtRest(const Compiled& c, const IndexedObserved& in, int metric) {
  const int k = c.resource_of[static_cast<size_t>(metric)];
  if (k < 0) return false;
  const TargetReading& t = in.targets[static_cast<size_t>(k)];
  return t.found && t.current == 0;
}

struct Pass {
  const Compiled& c;
  const IndexedObserved& in;
  const IndexedState& before;
  Time now;
  Evaluation& out;
  IndexedState& next;       // out.state
  int workload_phase = -1;  // the phase whose bounds the workloads follow

  // The timers of the evaluation: only those touched now are carried to `next`, so a timer whose
  // condition stopped holding is gone.
  bool Had(int timer) const { return before.timers[Ix(timer)] != IndexedState::kNotRunning; }
  std::optional<Time> Get(int timer) const;
  // Starts (or continues) the timer; returns since when it has run.
  Time Hold(int timer);
  void Keep(int timer) { next.timers[Ix(timer)] = before.timers[Ix(timer)]; }
  void Set(int timer, Time t) { next.timers[Ix(timer)] = t; }
  void Stop(int timer) { next.timers[Ix(timer)] = IndexedState::kNotRunning; }

  // The metric's value, when it was read and is a finite number.
  std::optional<double> Reading(int metric) const;
  // A resource metric of a component at 0 replicas: there is nothing to measure, and that is not
  // a failure to read it.
  bool AtRest(int metric) const { return MetricAtRest(c, in, metric); }
  bool Paused(int component) const {
    return Ix(component) < in.paused.size() && in.paused[Ix(component)];
  }
  const TargetReading& Target(int component) const { return in.targets[Ix(component)]; }
  ComponentOutcome& Outcome(int component) { return out.components[Ix(component)]; }
  void Emit(const EventRecord& r) { out.events.push_back(r); }

  static size_t Ix(int slot) { return static_cast<size_t>(slot); }
};

inline Duration Since(Time from, Time now) {
  return std::chrono::duration_cast<Duration>(now - from);
}

// The period of a rate limit: its own, else the policy's interval.
inline Duration PeriodOf(const Spec& spec, const Limits& l) {
  return l.period.count() > 0 ? l.period : spec.interval;
}

void ChoosePhase(Pass& p);
// schedules.cpp: the windows open now (their Events and timers), and a workload's bounds with
// the minimum they raise.
void OpenSchedules(Pass& p);
EffectiveBounds ScheduledBounds(const Pass& p, int component, const EffectiveBounds& b);
void PlanTopology(Pass& p);
void DecideTopology(Pass& p, int component);
void DecideWorkload(Pass& p, int component);
// Whether the component is paused by the annotation, with the Events when that changes (pause.cpp).
void NotePause(Pass& p, int component);
void EvaluateAlerts(Pass& p);
void NoteUnavailableMetrics(Pass& p);
void SetConditions(Pass& p);

}  // namespace gearbox::policy::internal
