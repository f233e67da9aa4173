// See cron.h. A field is a comma-separated list of items; each item sets bits in a mask.
#include "policy/cron.h"

#include <array>
#include <cctype>
#include <sstream>
#include <string_view>
#include <vector>

namespace gearbox::policy {

namespace {

struct Field {
  const char* name;
  int lo, hi;                // the values it accepts (day-of-week: 0-7)
  const char* const* names;  // three-letter names of lo, lo+1, ... (or nullptr)
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kWeekdayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr std::array<Field, 5> kFields = {{
    {"minute", 0, 59, nullptr},
    {"hour", 0, 23, nullptr},
    {"day-of-month", 1, 31, nullptr},
    {"month", 1, 12, kMonthNames},
    {"day-of-week", 0, 7, kWeekdayNames},
}};

gearbox::Error FieldError(const Field& f, std::string_view item, const std::string& what) {
  return gearbox::Error::Invalid("cron " + std::string(f.name) + " field \"" + std::string(item) +
                                 "\": " + what);
}

// A number or a name of the field, within its range.
gearbox::Result<int> Value(const Field& f, std::string_view text, std::string_view item) {
  if (text.empty()) return FieldError(f, item, "a value is missing");
  if (std::isalpha(static_cast<unsigned char>(text[0])) && f.names) {
    std::string upper;
    for (char ch : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    const int count = f.names == kWeekdayNames ? 7 : 12;
    for (int i = 0; i < count; ++i)
      if (upper == f.names[i]) return f.lo + i;
    return FieldError(f, item, "\"" + std::string(text) + "\" is not a name of this field");
  }
  if (text.size() > 4) return FieldError(f, item, std::string(text) + " is out of range");
  int v = 0;
  for (char ch : text) {
    if (!std::isdigit(static_cast<unsigned char>(ch)))
      return FieldError(f, item, "\"" + std::string(text) + "\" is not a number");
    v = v * 10 + (ch - '0');
  }
  if (v < f.lo || v > f.hi)
    return FieldError(
        f, item,
        std::to_string(v) + " is outside " + std::to_string(f.lo) + "-" + std::to_string(f.hi));
  return v;
}

struct Range {
  int first, last, step;
};

// "*", "a", "a-b", each with an optional "/n"; "a/n" runs from a to the field's end.
gearbox::Result<Range> ParseRange(const Field& f, std::string_view item) {
  const auto slash = item.find('/');
  const std::string_view span = item.substr(0, slash);
  const bool stepped = slash != std::string_view::npos;
  Range r{f.lo, f.hi, 1};
  if (stepped) {
    ASSIGN_OR_RETURN(r.step, Value(Field{f.name, 1, 9999, nullptr}, item.substr(slash + 1), item));
  }
  if (span == "*") {
    if (f.names == kWeekdayNames) r.last = 6;  // 7 is Sunday again
    return r;
  }
  const auto dash = span.find('-');
  ASSIGN_OR_RETURN(r.first, Value(f, span.substr(0, dash), item));
  if (dash != std::string_view::npos) {
    ASSIGN_OR_RETURN(r.last, Value(f, span.substr(dash + 1), item));
  } else if (!stepped) {
    r.last = r.first;
  }
  if (r.first > r.last)
    return FieldError(f, item,
                      "the range runs backwards (" + std::to_string(r.first) + " > " +
                          std::to_string(r.last) + ")");
  return r;
}

gearbox::Result<uint64_t> ParseField(const Field& f, std::string_view text) {
  uint64_t mask = 0;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t comma = std::min(text.find(',', begin), text.size());
    const std::string_view item = text.substr(begin, comma - begin);
    if (item.empty()) return FieldError(f, text, "an empty item in the list");
    ASSIGN_OR_RETURN(Range r, ParseRange(f, item));
    for (int v = r.first; v <= r.last; v += r.step) mask |= uint64_t{1} << v;
    begin = comma + 1;
  }
  return mask;
}

std::vector<std::string> Split(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

}  // namespace

bool Cron::MatchesDay(int month, int day, int weekday) const {
  if (!((months >> month) & 1U)) return false;
  const bool by_day = (days >> day) & 1U, by_weekday = (weekdays >> weekday) & 1U;
  // Standard cron: both restricted, either matches; else the restricted one decides.
  if (!any_day && !any_weekday) return by_day || by_weekday;
  return by_day && by_weekday;
}

gearbox::Result<Cron> ParseCron(const std::string& text) {
  const std::vector<std::string> fields = Split(text);
  if (fields.size() != kFields.size())
    return gearbox::Error::Invalid("cron \"" + text + "\" has " + std::to_string(fields.size()) +
                                   " fields, not 5 (minute hour day-of-month month day-of-week)");
  std::array<uint64_t, 5> masks{};
  for (size_t i = 0; i < kFields.size(); ++i) {
    ASSIGN_OR_RETURN(masks[i], ParseField(kFields[i], fields[i]));
  }
  Cron c;
  c.minutes = masks[0];
  c.hours = static_cast<uint32_t>(masks[1]);
  c.days = static_cast<uint32_t>(masks[2]);
  c.months = static_cast<uint32_t>(masks[3]);
  // Day-of-week 7 is Sunday, 0.
  c.weekdays = static_cast<uint32_t>((masks[4] | (masks[4] >> 7)) & 0x7FU);
  c.any_day = fields[2] == "*";
  c.any_weekday = fields[4] == "*";
  return c;
}

}  // namespace gearbox::policy
