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

web::json::value BuildStatus(const web::json::value& old_status, const policy::Decision& result,
                             const std::map<std::string, MetricObservation>& readings,
                             const std::vector<std::string>& metric_order, int64_t generation,
                             const std::vector<ConditionOverride>& overrides, policy::Time now);

// Status for a policy the engine cannot evaluate: only conditions (Ready=False with the reason).
web::json::value InvalidStatus(const web::json::value& old_status, int64_t generation,
                               const std::string& reason, const std::string& message,
                               policy::Time now);

// Equal but for the time stamps of the metric readings. Either may be a compact status.
bool SameStatus(const web::json::value& a, const web::json::value& b);

// Whether a pass writes `next` over `old` (which may be compact). Not when they are the same but
// for the readings' times; not either when they differ only in the readings (the metrics' and
// alerts' values and the texts that quote them: the abstract, metricValues) until the readings
// written are kReadingsRefreshedAfter old (their `time` says when they were made). Every other
// change is written at once, with the readings of its pass: a decision, a condition, a timer
// that starts (a rule that begins to hold), a reading that fails. Readings move on every pass (a
// CPU utilization by a few percent from one sample to the next), which would otherwise rewrite
// the status of every policy on every pass: at 10,000 policies, hundreds of writes a second that
// decide nothing.
inline constexpr std::chrono::minutes kReadingsRefreshedAfter{5};
bool StatusNeedsWrite(const web::json::value& old, const web::json::value& next, policy::Time now);

// What the ScalingPolicy cache keeps of a status (cached_policy.h):
// what a pass reads of a status it did not build, and no more. The conditions' status and
// transition time, the components' names and last decisions (BuildStatus carries them on), the
// engine state (StateFromStatus reads it after a restart), the readings' names and times
// (StatusNeedsWrite reads their age), and fingerprints of the whole, by which SameStatus and
// StatusNeedsWrite tell whether a new status differs. The rest (messages, the abstract, the
// replica counts) is most of a status and no pass reads it back.
web::json::value CompactStatus(const web::json::value& status);
bool IsCompactStatus(const web::json::value& status);

// The engine state kept in status.
policy::State StateFromStatus(const web::json::value& status);

}  // namespace gearbox::reconcile
