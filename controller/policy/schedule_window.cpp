// See schedule_window.h. Walks over the civil minutes a cron matches, day by day, in either
// direction; days and hours that cannot match are skipped whole, so a walk costs a few lookups of
// the zone.
#include "policy/schedule_window.h"

#include <cctz/civil_time.h>

#include <algorithm>

namespace gearbox::policy {

namespace {

using cctz::civil_day;
using cctz::civil_minute;

// A civil time maps to a later instant than an earlier civil time (see InstantOf), except that a
// fold (fall back) makes later local minutes map to earlier instants by up to its size. No zone
// has moved its clock back by more than 2 hours.
constexpr auto kLongestFold = std::chrono::hours(2);
constexpr int kFoldMinutes = 120;

// When a local minute starts: a skipped one (spring forward) at the jump, a repeated one (fall
// back) at its first occurrence, so that instants never decrease as local time increases.
Time InstantOf(const civil_minute& m, const cctz::time_zone& zone) {
  const cctz::time_zone::civil_lookup l = zone.lookup(cctz::civil_second(m));
  return l.kind == cctz::time_zone::civil_lookup::SKIPPED ? l.trans : l.pre;
}

civil_minute LocalMinute(Time t, const cctz::time_zone& zone) {
  return civil_minute(cctz::convert(std::chrono::time_point_cast<std::chrono::seconds>(t), zone));
}

// The latest local minute whose start can be at or before `t`: t's own, or later by the size of a
// fold within the 2 hours before t (its repeated local minutes map to their first occurrence).
civil_minute LatestLocalMinute(Time t, const cctz::time_zone& zone) {
  const auto at = std::chrono::time_point_cast<std::chrono::seconds>(t);
  const int folded = zone.lookup(at - kLongestFold).offset - zone.lookup(at).offset;
  return LocalMinute(t, zone) + std::max(0, folded / 60);
}

int WeekdayOf(const civil_day& d) {  // 0 Sunday .. 6 Saturday
  return (static_cast<int>(cctz::get_weekday(d)) + 1) % 7;
}

struct Span {
  civil_minute lo, hi;  // the local minutes to visit, both included
  bool backward;
};

// Visits the instants of the day's matching minutes within the span, in the span's direction,
// until `visit` returns true (then true).
template <class Visit>
bool WalkDay(const Schedule& s, const civil_day& d, const Span& span, Visit& visit) {
  for (int i = 0; i < 24; ++i) {
    const int hour = span.backward ? 23 - i : i;
    const cctz::civil_hour h(d.year(), d.month(), d.day(), hour);
    if (!s.cron.MatchesHour(hour) || h < cctz::civil_hour(span.lo) || h > cctz::civil_hour(span.hi))
      continue;
    for (int j = 0; j < 60; ++j) {
      const int minute = span.backward ? 59 - j : j;
      if (!s.cron.MatchesMinute(minute)) continue;
      const civil_minute m(d.year(), d.month(), d.day(), hour, minute);
      if (m < span.lo || m > span.hi) continue;
      if (visit(InstantOf(m, s.zone))) return true;
    }
  }
  return false;
}

template <class Visit>
void Walk(const Schedule& s, const Span& span, Visit visit) {
  const civil_day first(span.backward ? span.hi : span.lo), last(span.backward ? span.lo : span.hi);
  const int step = span.backward ? -1 : 1;
  for (civil_day d = first; span.backward ? d >= last : d <= last; d += step) {
    if (!s.cron.MatchesDay(d.month(), d.day(), WeekdayOf(d))) continue;
    if (WalkDay(s, d, span, visit)) return;
  }
}

}  // namespace

std::optional<Window> OpenWindow(const Schedule& s, Time now) {
  const Span span{LocalMinute(now - s.duration, s.zone) - kFoldMinutes,
                  LatestLocalMinute(now, s.zone), true};
  std::optional<Window> open;
  Walk(s, span, [&](Time start) {
    if (start > now) return false;
    if (now < start + s.duration) open = Window{start, start + s.duration};
    return true;  // the latest start <= now decides
  });
  return open;
}

std::optional<Time> NextStart(const Schedule& s, Time after, Time until) {
  const Span span{LocalMinute(after, s.zone), LatestLocalMinute(until, s.zone), false};
  std::optional<Time> next;
  Walk(s, span, [&](Time start) {
    if (start <= after) return false;
    if (start <= until) next = start;
    return true;
  });
  return next;
}

std::optional<Time> NextScheduleChange(const std::vector<Schedule>& schedules, Time now,
                                       Duration horizon) {
  std::optional<Time> next;
  const Time until = now + horizon;
  for (const Schedule& s : schedules) {
    const std::optional<Window> open = OpenWindow(s, now);
    std::optional<Time> at = NextStart(s, now, until);
    if (open && open->closes <= until && (!at || open->closes < *at)) at = open->closes;
    if (at && (!next || *at < *next)) next = at;
  }
  return next;
}

}  // namespace gearbox::policy
