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

// The changes still inside a rate limit's period, carried to the next evaluation.
void CarryScaleEvents(Pass& p, const Workload& w);
// Recommend -> stabilize -> rate-limit -> clamp, when the scale-up (scale-down) rules fire.
void ScaleUp(Pass& p, Workload& w);
void ScaleDown(Pass& p, Workload& w);

}  // namespace gearbox::policy::internal
