// An autoscaling/v2 behavior block (an HPA's spec.behavior, a ScaledObject's
// advanced.horizontalPodAutoscalerConfig.behavior) taken over as it is: Gearbox's behavior has
// the HPA's form (stabilizationWindowSeconds, selectPolicy, policies) with the HPA's meaning.
#pragma once

#include <string>

#include "base/result.h"
#include "convert/draft.h"

namespace gearbox::convert {

// `behavior` at `path` (absent or null: nothing) into draft.behavior_up/down and whether it was
// given at all (draft.behavior_given); a direction's tolerance (autoscaling/v2, Kubernetes 1.33+)
// moves the thresholds instead.
Status ReadBehavior(const YAML::Node& behavior, const std::string& path, Draft& draft);

}  // namespace gearbox::convert
