// A workload whose behavior is in the HPA form (Component::hpa): every evaluation's recommendation
// is recorded, the windows take the lowest (scale-up) and highest (scale-down) recommendation
// within them, and the policies limit the change per period as the HPA's
// stabilizeRecommendationWithBehaviors and convertDesiredReplicasWithBehaviorRate do
// (docs/engine.md, "behavior in the HPA form").
#pragma once

#include "policy/workload.h"

namespace gearbox::policy::internal {

// The recommendations still inside a window, carried to the next evaluation.
void CarryRecommendations(Pass& p, const Workload& w);
// Records the recommendation of an evaluation where no rule fires: the current count.
void RecordCurrent(Pass& p, const Workload& w);
// Recommend -> stabilize over the windows -> rate-limit by the policies -> clamp, when the
// scale-up or the scale-down rules fire.
void ScaleInHpaForm(Pass& p, Workload& w);
// The same from a recommendation `rec` made elsewhere, in the direction `up`.
void MoveInHpaForm(Pass& p, Workload& w, int rec, bool up);
// How long the changes must be kept for the longest period of its policies.
Duration LongestPeriod(const HpaBehavior& b);

}  // namespace gearbox::policy::internal
