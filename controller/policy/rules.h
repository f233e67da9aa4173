// The recommendation stage of a workload: whether its rules hold and fire (their `for` timers),
// and the count the rules that fired recommend (docs/engine.md, "The size of a step").
#pragma once

#include "policy/stages.h"

namespace gearbox::policy::internal {

// The outcomes of the rules [begin, end) into out.rules; whether the set fires (anyOf/allOf).
bool EvaluateRules(Pass& p, int begin, int end, bool all_of, int current);

// ceil(current x ratio), at least one more / one fewer, from the rules of [begin, end) that fired.
int RecommendUp(const Pass& p, int begin, int end, int current);
int RecommendDown(const Pass& p, int begin, int end, int current);

// A replica count from arithmetic done wide: never below 0, never past what a count can hold
// (a huge ratio or maxPods must not wrap around); NaN is 0.
int Replicas(double v);

}  // namespace gearbox::policy::internal
