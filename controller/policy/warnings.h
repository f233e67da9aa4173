// The traps a spec can set for its author, found when it is compiled and said in status: a
// workload that can never scale down, a target outside its thresholds, scale-up and scale-down
// thresholds so close that one pod flips them.
#pragma once

#include <string>
#include <vector>

#include "policy/compiled.h"

namespace gearbox::policy::internal {

std::vector<std::string> SpecWarnings(const Compiled& c);

}  // namespace gearbox::policy::internal
