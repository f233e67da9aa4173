// The bounds a component is held to: the intersection of its own replicas and its phase's
// bounds (for a workload), the phase's size (for a topology component). Worked out once per
// component and phase when the spec is compiled.
#pragma once

#include <optional>
#include <string>

#include "policy/engine.h"

namespace gearbox::policy::internal {

struct EffectiveBounds {
  int min = 0, max = 0;
  BoundsFrom from = BoundsFrom::kComponent;
  bool conflict = false;  // the phase's bounds lie outside the component's: the phase wins
  // An open schedule window raised the minimum (schedules.cpp); capped: to the maximum, which is
  // below the window's minimum.
  int schedule = -1;
  bool schedule_capped = false;
};

// A component's own bounds (a workload without replicas: 0..2^20).
Bounds OwnBounds(const Component& c);
EffectiveBounds WorkloadBounds(const Component& c, const Phase* phase);
// The size the phase gives a topology component, if it gives one.
std::optional<int> TopologyTarget(const Component& c, const Phase* phase);
// The index of the phase named `name` in the list, -1 when there is none.
int PhaseIndex(const Phases& p, const std::string& name);

}  // namespace gearbox::policy::internal
