// ScalingPolicy status: built from the engine's result and the metric readings as the API's status
// type (api/v1alpha1/types.h) and written with its encode, written only when it changed, and read
// back into the engine's state after a restart (timers, phase, the topology change in flight), so
// a "for 5m" survives a failover.
#pragma once

#include <cpprest/json.h>

#include <map>
#include <string>
#include <vector>

#include "metrics/source.h"
#include "policy/policy.h"

namespace gearbox::reconcile {

struct MetricObservation {
  Result<metrics::Reading> reading;
  policy::Time time{};
};

// A metric's error as status, conditions and Events show it: its message (which the sources make
// of fixed words, never of what a server answered), cut at kMaxShownError bytes so that no source
// can make status or an Event large.
inline constexpr size_t kMaxShownError = 256;
std::string ShownError(const Error& error);

// A condition the reconciler sets over the engine's (a conflict, a write that failed, a spec
// that cannot be read).
struct ConditionOverride {
  std::string type;
  bool status = false;
  std::string reason;
  std::string message;
};

web::json::value BuildStatus(const web::json::value& old_status, const policy::Result& result,
                             const std::map<std::string, MetricObservation>& readings,
                             const std::vector<std::string>& metric_order, int64_t generation,
                             const std::vector<ConditionOverride>& overrides, policy::Time now);

// Status for a policy the engine cannot evaluate: only conditions (Ready=False with the reason).
web::json::value InvalidStatus(const web::json::value& old_status, int64_t generation,
                               const std::string& reason, const std::string& message,
                               policy::Time now);

// Equal but for the time stamps of the metric readings.
bool SameStatus(const web::json::value& a, const web::json::value& b);

// The engine state kept in status.
policy::State StateFromStatus(const web::json::value& status);

}  // namespace gearbox::reconcile
