// Cron expressions (cron.h) and schedule windows (schedule_window.h): parsing good and bad, windows
// across midnight and month ends, weekdays, time zones with DST (Europe/Berlin's spring-forward
// and fall-back days), windows longer than the gap between their starts, the next change.
#include <gtest/gtest.h>

#include "policy/policy.h"

namespace gearbox::policy {
namespace {

using namespace std::chrono_literals;

Time At(const std::string& rfc3339) { return ParseTime(rfc3339).value(); }

Schedule Make(const std::string& start, Duration duration, const std::string& zone = "UTC") {
  Schedule s;
  s.name = "w";
  s.start = start;
  s.cron = ParseCron(start).value();
  s.duration = duration;
  s.time_zone = zone;
  EXPECT_TRUE(cctz::load_time_zone(zone, &s.zone)) << zone;
  return s;
}

// "opened..closes" or "closed", for readable failures.
std::string Open(const Schedule& s, const std::string& now) {
  const auto w = OpenWindow(s, At(now));
  return w ? FormatTime(w->opened) + ".." + FormatTime(w->closes) : "closed";
}

TEST(Cron, ParsesFieldsListsRangesStepsAndNames) {
  const Cron c = ParseCron("*/15 9-17/4 1,15 JAN,jul MON-FRI").value();
  EXPECT_EQ(c.minutes, (1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45));
  EXPECT_EQ(c.hours, (1U << 9) | (1U << 13) | (1U << 17));
  EXPECT_EQ(c.days, (1U << 1) | (1U << 15));
  EXPECT_EQ(c.months, (1U << 1) | (1U << 7));
  EXPECT_EQ(c.weekdays, 0b0111110U);
  EXPECT_FALSE(c.any_day);
  EXPECT_FALSE(c.any_weekday);
  EXPECT_EQ(ParseCron("5/20 * * * *")->minutes, (1ULL << 5) | (1ULL << 25) | (1ULL << 45));
  EXPECT_EQ(ParseCron("0  0\t* * 7")->weekdays, 1U) << "7 is Sunday";
  EXPECT_EQ(ParseCron("0 0 * * 5-7")->weekdays, 0b1100001U);
  EXPECT_EQ(ParseCron("0 0 * * *")->weekdays, 0x7FU);
  EXPECT_TRUE(ParseCron("0 0 * * *")->any_weekday);
  EXPECT_FALSE(ParseCron("0 0 */2 * *")->any_day) << "a stepped * is restricted (as CronJobs)";
}

TEST(Cron, RejectsMistakesWithTheFieldAndWhy) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"0 9 * *", "has 4 fields, not 5"},
      {"0 9 * * * *", "has 6 fields"},
      {"60 * * * *", "minute field \"60\": 60 is outside 0-59"},
      {"0 24 * * *", "hour field \"24\": 24 is outside 0-23"},
      {"0 0 0 * *", "day-of-month field \"0\": 0 is outside 1-31"},
      {"0 0 * 13 *", "month field \"13\""},
      {"0 0 * * 8", "day-of-week field \"8\": 8 is outside 0-7"},
      {"*/0 * * * *", "0 is outside 1-9999"},
      {"5-1 * * * *", "the range runs backwards (5 > 1)"},
      {"x * * * *", "\"x\" is not a number"},
      {"1,,2 * * * *", "an empty item in the list"},
      {"0 0 * FOO *", "\"FOO\" is not a name of this field"},
      {"0 0 * * MON-", "a value is missing"},
      {"0 0 * * 1/", "a value is missing"},
      {"99999 * * * *", "out of range"},
  };
  for (const auto& [text, why] : bad) {
    auto c = ParseCron(text);
    ASSERT_FALSE(c) << text;
    EXPECT_NE(c.error().message.find(why), std::string::npos) << text << ": " << c.error().message;
  }
}

TEST(ScheduleWindow, WeekdaysBusinessHoursInUtc) {
  const Schedule s = Make("0 9 * * 1-5", 9h);
  EXPECT_EQ(Open(s, "2026-11-30T08:59:59Z"), "closed");  // a Monday
  EXPECT_EQ(Open(s, "2026-11-30T09:00:00Z"), "2026-11-30T09:00:00Z..2026-11-30T18:00:00Z");
  EXPECT_EQ(Open(s, "2026-11-30T17:59:59Z"), "2026-11-30T09:00:00Z..2026-11-30T18:00:00Z");
  EXPECT_EQ(Open(s, "2026-11-30T18:00:00Z"), "closed");
  EXPECT_EQ(Open(s, "2026-12-04T12:00:00Z"), "2026-12-04T09:00:00Z..2026-12-04T18:00:00Z");
  EXPECT_EQ(Open(s, "2026-12-05T12:00:00Z"), "closed");  // Saturday
  EXPECT_EQ(Open(s, "2026-12-06T12:00:00Z"), "closed");  // Sunday
}

TEST(ScheduleWindow, AcrossMidnightAndMonthEnds) {
  const Schedule night = Make("0 22 * * *", 4h);
  EXPECT_EQ(Open(night, "2026-11-30T23:30:00Z"), "2026-11-30T22:00:00Z..2026-12-01T02:00:00Z");
  EXPECT_EQ(Open(night, "2026-12-01T01:59:00Z"), "2026-11-30T22:00:00Z..2026-12-01T02:00:00Z");
  EXPECT_EQ(Open(night, "2026-12-01T02:00:00Z"), "closed");
  const Schedule new_year = Make("30 23 31 12 *", 2h);
  EXPECT_EQ(Open(new_year, "2027-01-01T01:00:00Z"), "2026-12-31T23:30:00Z..2027-01-01T01:30:00Z");
  // The 31st of a month that has none: November's window never opens.
  const Schedule last = Make("0 0 31 * *", 48h);
  EXPECT_EQ(Open(last, "2026-11-01T12:00:00Z"), "2026-10-31T00:00:00Z..2026-11-02T00:00:00Z");
  EXPECT_EQ(Open(last, "2026-12-01T12:00:00Z"), "closed");
  const Schedule leap = Make("0 6 29 2 *", 1h);
  EXPECT_EQ(Open(leap, "2028-02-29T06:30:00Z"), "2028-02-29T06:00:00Z..2028-02-29T07:00:00Z");
}

TEST(ScheduleWindow, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  const Schedule s = Make("0 12 13 * 5", 1h);            // the 13th, or a Friday
  EXPECT_NE(Open(s, "2026-11-13T12:30:00Z"), "closed");  // Friday the 13th
  EXPECT_NE(Open(s, "2026-11-20T12:30:00Z"), "closed");  // a Friday
  EXPECT_NE(Open(s, "2026-01-13T12:30:00Z"), "closed");  // a Tuesday, the 13th
  EXPECT_EQ(Open(s, "2026-11-12T12:30:00Z"), "closed");  // a Thursday, the 12th
  const Schedule fridays = Make("0 12 * * 5", 1h);       // day-of-month * : Fridays only
  EXPECT_EQ(Open(fridays, "2026-01-13T12:30:00Z"), "closed");
}

TEST(ScheduleWindow, LongerThanTheGapBetweenStartsStaysOpen) {
  const Schedule s = Make("*/10 * * * *", 30min);
  EXPECT_EQ(Open(s, "2026-11-30T10:25:00Z"), "2026-11-30T10:20:00Z..2026-11-30T10:50:00Z");
  const Schedule week = Make("0 0 * * 1", 168h);  // Mondays, for a week: always open
  EXPECT_EQ(Open(week, "2026-12-06T23:59:00Z"), "2026-11-30T00:00:00Z..2026-12-07T00:00:00Z");
  EXPECT_EQ(Open(week, "2026-12-07T00:00:00Z"), "2026-12-07T00:00:00Z..2026-12-14T00:00:00Z");
}

TEST(ScheduleWindow, TimeZones) {
  const Schedule ny = Make("0 9 * * *", 1h, "America/New_York");
  EXPECT_EQ(Open(ny, "2026-11-30T14:30:00Z"), "2026-11-30T14:00:00Z..2026-11-30T15:00:00Z");
  EXPECT_EQ(Open(ny, "2026-07-01T13:30:00Z"), "2026-07-01T13:00:00Z..2026-07-01T14:00:00Z");
  EXPECT_EQ(Open(ny, "2026-11-30T09:30:00Z"), "closed") << "09:00 is local time, not UTC";
}

// Berlin springs forward on 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z); 02:30 is skipped.
TEST(ScheduleWindow, BerlinSpringForwardOpensASkippedStartAtTheJump) {
  const Schedule s = Make("30 2 * * *", 1h, "Europe/Berlin");
  EXPECT_EQ(Open(s, "2026-03-28T01:45:00Z"), "2026-03-28T01:30:00Z..2026-03-28T02:30:00Z");  // CET
  EXPECT_EQ(Open(s, "2026-03-29T00:59:59Z"), "closed");
  EXPECT_EQ(Open(s, "2026-03-29T01:00:00Z"), "2026-03-29T01:00:00Z..2026-03-29T02:00:00Z");
  EXPECT_EQ(Open(s, "2026-03-29T02:00:00Z"), "closed") << "an hour of elapsed time";
  EXPECT_EQ(Open(s, "2026-03-30T00:45:00Z"), "2026-03-30T00:30:00Z..2026-03-30T01:30:00Z");  // CEST
  const Schedule nine = Make("0 9 * * *", 9h, "Europe/Berlin");
  EXPECT_EQ(Open(nine, "2026-03-29T07:00:00Z"), "2026-03-29T07:00:00Z..2026-03-29T16:00:00Z");
  EXPECT_EQ(Open(nine, "2026-03-28T08:00:00Z"), "2026-03-28T08:00:00Z..2026-03-28T17:00:00Z");
}

// Berlin falls back on 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00Z); 02:30 happens twice.
TEST(ScheduleWindow, BerlinFallBackOpensARepeatedStartOnce) {
  const Schedule s = Make("30 2 * * *", 20min, "Europe/Berlin");
  EXPECT_EQ(Open(s, "2026-10-25T00:40:00Z"), "2026-10-25T00:30:00Z..2026-10-25T00:50:00Z");
  EXPECT_EQ(Open(s, "2026-10-25T01:40:00Z"), "closed") << "not again at the second 02:30";
  EXPECT_EQ(NextStart(s, At("2026-10-25T00:31:00Z"), At("2026-10-25T23:00:00Z")), std::nullopt);
  // A window that runs through the repeated hour: 3 hours of elapsed time, closing at 03:30 CET.
  const Schedule late = Make("30 1 * * *", 3h, "Europe/Berlin");
  EXPECT_EQ(Open(late, "2026-10-25T02:29:00Z"), "2026-10-24T23:30:00Z..2026-10-25T02:30:00Z");
  // During the second 02:xx (CET), a start at 02:45 is found at its first occurrence.
  const Schedule quarter = Make("45 2 * * *", 90min, "Europe/Berlin");
  EXPECT_EQ(Open(quarter, "2026-10-25T01:30:00Z"), "2026-10-25T00:45:00Z..2026-10-25T02:15:00Z");
}

TEST(ScheduleWindow, TheNextOpeningOrClosingWithinAHorizon) {
  const std::vector<Schedule> list = {Make("0 9 * * *", 1h), Make("0 12 * * *", 1h)};
  EXPECT_EQ(NextScheduleChange(list, At("2026-11-30T08:59:30Z"), 15s), std::nullopt);
  EXPECT_EQ(NextScheduleChange(list, At("2026-11-30T08:59:30Z"), 60s), At("2026-11-30T09:00:00Z"));
  EXPECT_EQ(NextScheduleChange(list, At("2026-11-30T09:59:50Z"), 15s), At("2026-11-30T10:00:00Z"));
  EXPECT_EQ(NextScheduleChange(list, At("2026-11-30T10:00:00Z"), 3h), At("2026-11-30T12:00:00Z"));
  EXPECT_EQ(NextStart(list[0], At("2026-11-30T09:00:00Z"), At("2026-12-02T00:00:00Z")),
            At("2026-12-01T09:00:00Z"));
}

}  // namespace
}  // namespace gearbox::policy
