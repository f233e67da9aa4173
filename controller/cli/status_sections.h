// The sections of `kubectl gearbox status` (status_view.cpp puts them together): the components
// table (status_components.cpp), the metrics against their thresholds (status_metrics.cpp), the
// recent decisions. Each returns its lines, none when it has nothing to say.
#pragma once

#include <cpprest/json.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/time_format.h"

namespace gearbox::cli {

// COMPONENT REPLICAS BOUNDS DOING, and a line under a component per rule counting toward `for`.
std::vector<std::string> ComponentLines(const web::json::value& status, WallTime now);
// METRIC VALUE AGAINST: a row per threshold on the metric (the spec's rules and alerts, the
// phases), or why it could not be read.
std::vector<std::string> MetricLines(const web::json::value& policy, WallTime now);
// RECENT DECISIONS: each component's last decision, newest first.
std::vector<std::string> DecisionLines(const web::json::value& status, WallTime now);

// status.<field> when it is an array, else an empty one.
const web::json::value& ArrayAt(const web::json::value& object, const char* field);
// How long ago an RFC 3339 `time` was (negative: in the future; 0 when it does not parse).
std::chrono::seconds Since(const std::string& time, WallTime now);

}  // namespace gearbox::cli
