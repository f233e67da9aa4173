// RFC 3339 times, the one formatter and parser of the controller: metav1.Time (seconds),
// MicroTime (Leases, Events) and status time stamps (milliseconds when not zero). Std only.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace gearbox {

using WallTime = std::chrono::system_clock::time_point;

enum class TimePrecision {
  kSeconds,            // 2026-11-24T03:04:05Z
  kMillisWhenNonZero,  // 2026-11-24T03:04:05.250Z, or seconds when the milliseconds are 0
  kMicros,             // 2026-11-24T03:04:05.123456Z
};

std::string FormatRfc3339(WallTime t, TimePrecision precision);
// Z or a +hh:mm/-hh:mm offset, up to microseconds; nullopt when the text is not such a time.
std::optional<WallTime> ParseRfc3339(const std::string& text);

}  // namespace gearbox
