// Five-field cron expressions (minute hour day-of-month month day-of-week) as
// spec.schedules[].start writes them: `*`, numbers, lists, ranges and steps (`*/15`, `9-17/2`,
// `5/10`), three-letter names of months and weekdays (JAN, MON), day-of-week 0-7 with 0 and 7
// Sunday. When both day fields are restricted (neither is `*`), a day matches when either does, as
// standard cron; a stepped `*/2` is restricted (as Kubernetes CronJobs read it). Matching is on
// civil (local) fields only: time zones and DST are schedule_window.h's business.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"

namespace gearbox::policy {

struct Cron {
  uint64_t minutes = 0;     // bit m: minute m (0-59)
  uint32_t hours = 0;       // bit h: hour h (0-23)
  uint32_t days = 0;        // bit d: day of the month d (1-31)
  uint32_t months = 0;      // bit m: month m (1-12)
  uint32_t weekdays = 0;    // bit w: weekday w (0 Sunday - 6 Saturday)
  bool any_day = true;      // the day-of-month field is `*`
  bool any_weekday = true;  // the day-of-week field is `*`

  bool MatchesMinute(int minute) const { return (minutes >> minute) & 1U; }
  bool MatchesHour(int hour) const { return (hours >> hour) & 1U; }
  // A civil date: month 1-12, day 1-31, weekday 0 (Sunday) - 6.
  bool MatchesDay(int month, int day, int weekday) const;

  bool operator==(const Cron&) const = default;
};

// The expression, or an Error (kInvalid) naming the field and what is wrong with it.
gearbox::Result<Cron> ParseCron(const std::string& text);

}  // namespace gearbox::policy
