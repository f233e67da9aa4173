// Why a component's desired count is what it is, in words, made from its cause and numbers
// (engine.h): "cpu 82 above 70 for 5m (limited to +4 per 15s (maxPods 4, maxPercent 100))".
#pragma once

#include <string>

#include "policy/compiled.h"

namespace gearbox::policy::internal {

std::string Explain(const Compiled& c, const Evaluation& e, const IndexedObserved& in, int k);

}  // namespace gearbox::policy::internal
