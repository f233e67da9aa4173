// One evaluation of a policy, as its metric series show it (telemetry/policy_metrics.h): what the
// spec declares (components, metrics, the rules' thresholds), then after each evaluation the
// phase, Ready, each component's replicas and bounds, each metric's value, the alerts firing and
// the changes decided with their cause.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "reconcile/policy_spec.h"
#include "reconcile/status.h"
#include "telemetry/policy_metrics.h"

namespace gearbox::reconcile {

// The series the spec declares, in spec order (as the engine's result lists components).
telemetry::PolicyShape ShapeOf(const policy::Spec& spec);

// Why a change was decided, as the `cause` label has it: "rule" (its scaleUp or scaleDown rules
// fired), "bounds" (outside its own replicas), "phase" (outside the tighter bounds of the phase),
// "topology" (a topology component's step to its phase's size).
const char* DecisionCause(const policy::Component& component, const policy::ComponentDecision& d);

// After an evaluation: everything but the lag. The shape is set again when the spec's generation
// changed. `overrides` are the conditions the reconciler set over the engine's (Ready among them).
void ExportEvaluation(telemetry::PolicySeries& series, const ParsedPolicy& p, int64_t generation,
                      const policy::Decision& result,
                      const std::map<std::string, MetricObservation>& readings,
                      const std::vector<ConditionOverride>& overrides);

}  // namespace gearbox::reconcile
