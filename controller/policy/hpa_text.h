// How a behavior block in the HPA form reads to a person: "policies Pods 2/30s, Percent 50/30s;
// selectPolicy Min". Internal to policy/; explain.cpp puts it in a component's reason.
#pragma once

#include <string>

#include "policy/policy.h"

namespace gearbox::policy::internal {

// "Pods 2/30s, Percent 50/30s; selectPolicy Min"
std::string HpaRulesText(const HpaRules& r);
// "limited to +2 per 30s (policies Pods 2/30s, Percent 50/30s; selectPolicy Min; 3 moved within
// 30s)" or "scale-up disabled (selectPolicy Disabled)". `allowed`: the most it could move now;
// `moved`: what it moved within the longest period.
std::string HpaLimitText(const HpaRules& r, bool up, int allowed, int moved);

}  // namespace gearbox::policy::internal
