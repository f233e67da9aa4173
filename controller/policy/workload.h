// One workload's evaluation, shared by the stages that decide its count: the rules recommend
// (rules.h), limits.cpp stabilizes, rate-limits and clamps, workload.cpp orders it all and records
// the change.
#pragma once

#include "policy/stages.h"

namespace gearbox::policy::internal {

struct Workload {
  int k;  // component slot
  const CompiledComponent& cc;
  const TargetReading& t;
  const EffectiveBounds& b;
  ComponentOutcome& d;
  bool up_fires = false;
  bool down_fires = false;
};

// The fewest replicas its rules may take it to: the effective minimum, and at least 1 for a
// component with scaleToZero (only its idle cooldown takes it to 0).
inline int RulesMinimum(const Workload& w) {
  return w.cc.spec->scale_to_zero && w.b.min < 1 ? 1 : w.b.min;
}

// Counts the evaluations in a row with a metric of its rules (or activations) unreadable; when the
// fallback applies, decides its count (fallback.cpp).
bool DecideFallback(Pass& p, Workload& w);
// scaleToZero (scale_to_zero.cpp): at 0, wakes it or keeps it resting; from 1, takes it to 0 once
// no activation has held for the cooldown. False: the rules decide.
bool DecideScaleToZero(Pass& p, Workload& w);

// The scale-down recommendations still inside the window (Gearbox's form), carried to the next
// evaluation whether the scale-down rules fire in this one or not: the window is a time.
void CarryDownRecommendations(Pass& p, const Workload& w);
// The changes still inside a rate limit's period, carried to the next evaluation.
void CarryScaleEvents(Pass& p, const Workload& w);
// Recommend -> stabilize -> rate-limit -> clamp, when the scale-up (scale-down) rules fire.
void ScaleUp(Pass& p, Workload& w);
void ScaleDown(Pass& p, Workload& w);
// The same from a recommendation `rec` made elsewhere (a schedule-only workload's minimum).
void ScaleDownTo(Pass& p, Workload& w, int rec);

}  // namespace gearbox::policy::internal
