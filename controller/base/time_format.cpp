// See time_format.h. Dates are computed with H. Hinnant's civil-day algorithms, so no time zone
// database and no timegm() is involved.
#include "base/time_format.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace gearbox {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

constexpr int64_t kMicrosPerDay = 86'400'000'000;

// The fraction after the seconds: ".123456", ".250" or "".
std::string Fraction(int64_t micros_of_second, TimePrecision precision) {
  char buf[16];
  if (precision == TimePrecision::kMicros) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(micros_of_second));
    return buf;
  }
  int64_t ms = micros_of_second / 1000;
  if (precision == TimePrecision::kSeconds || ms == 0) return "";
  std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(ms));
  return buf;
}

// Microseconds from ".dddddd" at text[i] (i moves past it); -1 when there are no digits.
int64_t ParseFraction(const std::string& text, size_t& i) {
  int digits = 0;
  int64_t us = 0;
  for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits)
    if (digits < 6) us = us * 10 + (text[i] - '0');
  if (digits == 0) return -1;
  for (int k = digits; k < 6; ++k) us *= 10;
  return us;
}

// Seconds east of UTC from "Z" or "+hh:mm" at text[i] (i moves past it); nullopt when neither.
std::optional<int64_t> ParseOffset(const std::string& text, size_t& i) {
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
    return 0;
  }
  unsigned oh = 0, om = 0;
  if (i + 6 != text.size() || (text[i] != '+' && text[i] != '-') || text[i + 3] != ':' ||
      std::sscanf(text.c_str() + i + 1, "%2u:%2u", &oh, &om) != 2)
    return std::nullopt;
  int64_t offset = (int64_t{oh} * 3600 + int64_t{om} * 60) * (text[i] == '+' ? 1 : -1);
  i += 6;
  return offset;
}

}  // namespace

std::string FormatRfc3339(WallTime t, TimePrecision precision) {
  int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  int64_t days = us >= 0 ? us / kMicrosPerDay : (us - kMicrosPerDay + 1) / kMicrosPerDay;
  int64_t rest = us - days * kMicrosPerDay;  // microseconds into the day
  int64_t y;
  unsigned mo, d;
  CivilFromDays(days, &y, &mo, &d);
  int64_t secs = rest / 1'000'000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y),
                mo, d, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return std::string(buf) + Fraction(rest % 1'000'000, precision) + "Z";
}

std::optional<WallTime> ParseRfc3339(const std::string& text) {
  long long y;
  unsigned mo, d, h, mi, s;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4lld-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &s,
                  &consumed) != 6)
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  size_t i = static_cast<size_t>(consumed);
  int64_t us = 0;
  if (i < text.size() && text[i] == '.' && (us = ParseFraction(text, i)) < 0) return std::nullopt;
  auto offset = ParseOffset(text, i);
  if (!offset || i != text.size()) return std::nullopt;
  int64_t seconds =
      DaysFromCivil(y, mo, d) * 86400 + int64_t{h} * 3600 + int64_t{mi} * 60 + int64_t{s} - *offset;
  return WallTime(std::chrono::duration_cast<WallTime::duration>(
      std::chrono::microseconds(seconds * 1'000'000 + us)));
}

}  // namespace gearbox
