// Go-style durations ("500ms", "15s", "5m", "1h30m", "1.5h") as the ScalingPolicy API writes them.
#pragma once

#include <chrono>
#include <string>

#include "base/result.h"

namespace gearbox::policy {

using Duration = std::chrono::milliseconds;

// The duration, or an Error (kInvalid) saying what is wrong with the text.
gearbox::Result<Duration> ParseDuration(const std::string& text);

// The shortest Go-style spelling: "0s", "500ms", "45s", "5m", "1h30m", "2m30s".
std::string FormatDuration(Duration d);

}  // namespace gearbox::policy
