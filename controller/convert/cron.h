// KEDA's cron trigger (start, end, timezone, desiredReplicas) as a schedule window: Gearbox's
// window has a start and a duration, so end must follow start by a fixed time.
#pragma once

#include <optional>
#include <string>

namespace gearbox::convert {

// The duration from `start` to `end` ("8h", "30m", "7h30m") when both are five-field crons of
// the same shape: the same day-of-month, month and day-of-week, and a plain minute and hour in
// each. An end at or before the start the same day is the next day's, when every day is a start
// day. Anything else: nothing (the caller writes why).
std::optional<std::string> CronWindowDuration(const std::string& start, const std::string& end);

}  // namespace gearbox::convert
