// The rules of a workload: whether they hold and fire (their `for` timers). How far the rules that
// fired move the count is sizing.h's.
#pragma once

#include "policy/stages.h"

namespace gearbox::policy::internal {

// The outcomes of the rules [begin, end) into out.rules; whether the set fires (anyOf/allOf).
bool EvaluateRules(Pass& p, int begin, int end, bool all_of, int current);

// A replica count from arithmetic done wide: never below 0, never past what a count can hold
// (a huge ratio or maxPods must not wrap around); NaN is 0.
int Replicas(double v);

}  // namespace gearbox::policy::internal
