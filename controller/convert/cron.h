// KEDA's cron trigger (start, end, timezone, desiredReplicas) as a schedule window: Gearbox's
// window opens at a cron and stays open a fixed duration, so end must follow start by a fixed time.
#pragma once

#include <string>

#include "base/result.h"

namespace gearbox::convert {

// The duration from `start` to `end` ("8h", "30m", "7h30m", "10m") when both are five-field
// crons with the same day fields (day-of-month, month, day-of-week) and a plain minute each, and
// either
//   - a plain hour each ("0 8 * * 1-5" to "0 18 * * 1-5": 10h); an end at or before the start
//     is the next day's, when every day is a start day; or
//   - the same hour field ("5 * * * *" to "15 * * * *": 10m, every hour); an end minute at or
//     before the start's is the next hour's, when every hour is a start hour.
// Anything else: an Error (kInvalid) that names the limit, for the caller's comment.
Result<std::string> CronWindowDuration(const std::string& start, const std::string& end);

}  // namespace gearbox::convert
