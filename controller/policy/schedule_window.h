// spec.schedules[]: time windows that raise the minimum of workload components. A window is open
// at `now` when a start s the cron matches in the schedule's time zone has s <= now < s + duration.
// Pure functions of (schedule, now): the zone is loaded by whoever builds the Spec (zone files are
// read there, once per zone, never by the engine).
//
// DST: a start in a local time the clock skips (spring forward, 02:30 in Berlin on the last Sunday
// of March) opens the window at the jump (03:00 local); a start in a local time the clock repeats
// (fall back) opens it once, at the first occurrence. The duration is elapsed time: a 9h window
// that spans a change still lasts 9 hours.
#pragma once

#include <cctz/time_zone.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/cron.h"
#include "policy/duration.h"

namespace gearbox::policy {

using Time = std::chrono::system_clock::time_point;

struct Schedule {
  std::string name;
  std::string start;  // the cron expression as written
  Cron cron;          // ParseCron(start)
  Duration duration = std::chrono::hours(1);
  std::string time_zone = "UTC";
  cctz::time_zone zone = cctz::utc_time_zone();  // time_zone, loaded (cctz::load_time_zone)
  std::map<std::string, int> mins;               // workload component -> its minimum while open
};

struct Window {
  Time opened{};  // the start of the window (with overlapping windows, the latest start)
  Time closes{};  // opened + duration

  bool operator==(const Window&) const = default;
};

// The window open at `now`, found from the latest start <= now (walking back in local civil time,
// whole days and hours that cannot match skipped, no further than the duration).
std::optional<Window> OpenWindow(const Schedule& s, Time now);
// The first start after `after` and not after `until`.
std::optional<Time> NextStart(const Schedule& s, Time after, Time until);
// The next time a window of `schedules` opens or closes after `now`, if it is within `horizon`:
// when the reconciler should look again.
std::optional<Time> NextScheduleChange(const std::vector<Schedule>& schedules, Time now,
                                       Duration horizon);

}  // namespace gearbox::policy
