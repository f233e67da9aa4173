// How the engine's numbers read to a person: "82", "cpu > 70", "cpu 82 above 70 for 5m".
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"
#include "policy/rules.h"

namespace gearbox::policy::internal {

std::string Num(double v);            // up to 3 decimals, no trailing zeros
std::string RuleText(const Rule& r);  // "cpu per replica > 70"
std::string Join(const std::vector<std::string>& parts, const std::string& sep);
// "cpu 82 above 70 for 5m and p95 0.6 above 0.5" for the rules of `s` that fired.
std::string FiredText(const SetOutcome& s);
// "2..10 (component and phase Medium)"
std::string BoundsText(int min, int max, const std::string& from);

}  // namespace gearbox::policy::internal
