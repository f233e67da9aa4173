// See cron.h.
#include "convert/cron.h"

#include <optional>
#include <regex>
#include <sstream>
#include <vector>

namespace gearbox::convert {

namespace {

constexpr int kMinutesPerDay = 24 * 60;

using Fields = std::vector<std::string>;  // minute hour day-of-month month day-of-week

Fields Split(const std::string& cron) {
  std::istringstream in(cron);
  Fields fields;
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

// A field that is one number within [0, most]; nothing for */5, 1-3, 1,2, ...
std::optional<int> PlainNumber(const std::string& field, int most) {
  static const std::regex kNumber("[0-9]{1,2}");
  if (!std::regex_match(field, kNumber)) return {};
  const int n = std::stoi(field);
  return n <= most ? std::optional<int>(n) : std::nullopt;
}

std::string FormatMinutes(int minutes) {
  std::string text;
  if (minutes >= 60) text += std::to_string(minutes / 60) + "h";
  if (minutes % 60 != 0) text += std::to_string(minutes % 60) + "m";
  return text;
}

// Both hours plain: the minutes from the start's time of day to the end's, over midnight only
// when every day is a start day (else the end could fall on a day the start does not).
Result<int> DailyWindow(const Fields& from, const Fields& to, int open_minute, int close_minute) {
  const auto open_hour = PlainNumber(from[1], 23);
  const auto close_hour = PlainNumber(to[1], 23);
  if (!open_hour || !close_hour)
    return Error::Invalid("the hours " + from[1] + " and " + to[1] +
                          " differ: a window's length is fixed only when each hour is a plain "
                          "number, or both are the same field");
  int minutes = (*close_hour * 60 + close_minute) - (*open_hour * 60 + open_minute);
  const bool every_day = from[2] == "*" && from[3] == "*" && from[4] == "*";
  if (minutes <= 0 && !every_day)
    return Error::Invalid(
        "the end is at or before the start on a day the start may not fire "
        "the day before: the window would span days of different lengths");
  return minutes <= 0 ? minutes + kMinutesPerDay : minutes;
}

// The same hour field ("*", "9-17"): a window within each hour it matches; past the hour's end
// only when every hour is a start hour.
Result<int> HourlyWindow(const Fields& from, int open_minute, int close_minute) {
  const int minutes = close_minute - open_minute;
  if (minutes > 0) return minutes;
  if (from[1] != "*")
    return Error::Invalid("the end minute is at or before the start's in hours " + from[1] +
                          ": the window would end in an hour the start does not fire in");
  return minutes + 60;
}

}  // namespace

Result<std::string> CronWindowDuration(const std::string& start, const std::string& end) {
  const Fields from = Split(start);
  const Fields to = Split(end);
  if (from.size() != 5 || to.size() != 5)
    return Error::Invalid("a cron of five fields each is needed");
  for (int i = 2; i < 5; ++i)
    if (from[i] != to[i])
      return Error::Invalid("the day fields differ (" + from[i] + " and " + to[i] +
                            "): a window opens on the start's days and lasts a fixed time");
  const auto open_minute = PlainNumber(from[0], 59);
  const auto close_minute = PlainNumber(to[0], 59);
  if (!open_minute || !close_minute)
    return Error::Invalid("the minute must be a plain number in both (" + from[0] + ", " + to[0] +
                          ")");
  ASSIGN_OR_RETURN(const int minutes, from[1] == to[1] && !PlainNumber(from[1], 23)
                                          ? HourlyWindow(from, *open_minute, *close_minute)
                                          : DailyWindow(from, to, *open_minute, *close_minute));
  return FormatMinutes(minutes);
}

}  // namespace gearbox::convert
