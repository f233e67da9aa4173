// `kubectl gearbox status NAME`: a ScalingPolicy (spec and status, as the API server returns it)
// as a short text for people: the phase and what is pending, the conditions that are not in
// their good state, what each component is doing and why, every metric against the thresholds
// that read it, and the recent decisions. Internal state (status.timers) is left out: what a
// running timer means is already in the components' counting rules. Pure: JSON and a time in,
// text out.
#pragma once

#include <cpprest/json.h>

#include <string>

#include "base/time_format.h"

namespace gearbox::cli {

std::string StatusView(const web::json::value& policy, WallTime now);

}  // namespace gearbox::cli
