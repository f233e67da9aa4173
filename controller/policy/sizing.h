// The control law of a workload (docs/engine.md, "The size of a step"): the rules' thresholds and
// their `for` decide when to move; how far is sized by the proportional rules' readings, as the
// HPA sizes by its target: replicas = ceil(pods x value / target). A gate (latency, an error rate)
// triggers and takes a bounded step; a scale-down never lands where a scale-up rule would fire.
#pragma once

#include "policy/workload.h"

namespace gearbox::policy::internal {

// The HPA's default tolerance: a stated target moves nothing while value / target is within it,
// and a scale-down sized by a scale-up threshold lands this far below it.
constexpr double kTolerance = 0.1;
// A step only gates asked for: at most this share of the count more (at least one pod).
constexpr int kGateStepPercent = 50;
// A gate does not step again while the pods of the last scale-up start, for at most this long
// (the HPA's CPU initialization period): a pod not ready after it is not starting.
constexpr Duration kStartingPodsGrace = std::chrono::minutes(5);

// The count the scale-up rules recommend (sized_by, sizing in the outcome say how).
int RecommendUp(const Pass& p, Workload& w);
// The count the scale-down rules recommend: never below where a scale-up rule would fire, never
// above the current count (a scale-down that would cross stays: no forced step).
int RecommendDown(const Pass& p, Workload& w);

// The value a rule's reading predicts at n replicas (the load it stands for spread over n), its
// per-pod reading measured over `measured` of the `current` pods.
double PredictedAt(const CompiledRule& cr, const RuleOutcome& o, int current, int measured, int n);

}  // namespace gearbox::policy::internal
