// Time stamps of the engine's state as status writes them: RFC 3339 in UTC, with milliseconds
// when there are any (base/time_format.h does the work).
#include "base/time_format.h"
#include "policy/policy.h"

namespace gearbox::policy {

std::string FormatTime(Time t) { return FormatRfc3339(t, TimePrecision::kMillisWhenNonZero); }

std::optional<Time> ParseTime(const std::string& text) { return ParseRfc3339(text); }

}  // namespace gearbox::policy
