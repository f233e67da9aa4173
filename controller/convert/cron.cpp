// See cron.h.
#include "convert/cron.h"

#include <regex>
#include <sstream>
#include <vector>

namespace gearbox::convert {

namespace {

std::vector<std::string> Fields(const std::string& cron) {
  std::istringstream in(cron);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

// The minute of the day a cron with a plain minute and hour fires at; nothing for */5, 1-3, ...
std::optional<int> MinuteOfDay(const std::vector<std::string>& fields) {
  static const std::regex kNumber("[0-9]{1,2}");
  if (!std::regex_match(fields[0], kNumber) || !std::regex_match(fields[1], kNumber)) return {};
  const int minute = std::stoi(fields[0]);
  const int hour = std::stoi(fields[1]);
  if (minute > 59 || hour > 23) return {};
  return hour * 60 + minute;
}

std::string FormatMinutes(int minutes) {
  std::string text;
  if (minutes >= 60) text += std::to_string(minutes / 60) + "h";
  if (minutes % 60 != 0) text += std::to_string(minutes % 60) + "m";
  return text;
}

}  // namespace

std::optional<std::string> CronWindowDuration(const std::string& start, const std::string& end) {
  const auto from = Fields(start);
  const auto to = Fields(end);
  if (from.size() != 5 || to.size() != 5) return {};
  for (int i = 2; i < 5; ++i)
    if (from[i] != to[i]) return {};
  const auto open = MinuteOfDay(from);
  const auto close = MinuteOfDay(to);
  if (!open || !close) return {};
  int minutes = *close - *open;
  const bool every_day = from[2] == "*" && from[3] == "*" && from[4] == "*";
  if (minutes <= 0 && !every_day) return {};
  if (minutes <= 0) minutes += 24 * 60;
  return FormatMinutes(minutes);
}

}  // namespace gearbox::convert
