#include "policy/duration.h"

#include <cmath>
#include <cstdlib>

namespace gearbox::policy {

namespace {

// Milliseconds per unit; 0 for a unit that is not one.
double UnitScale(const std::string& unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  return 0;
}

}  // namespace

gearbox::Result<Duration> ParseDuration(const std::string& text) {
  auto fail = [&](const std::string& why) -> gearbox::Result<Duration> {
    return Error::Invalid("invalid duration \"" + text + "\": " + why);
  };
  if (text.empty()) return fail("empty");
  if (text == "0") return Duration{0};
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start) return fail("expected a number at \"" + text.substr(start) + "\"");
    std::string number = text.substr(start, i - start);
    if (number.find('.') != number.rfind('.') || number == ".") return fail("bad number " + number);
    double value = std::strtod(number.c_str(), nullptr);
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) return fail("missing unit after " + number + " (use ms, s, m or h)");
    double scale = UnitScale(unit);
    if (scale == 0) return fail("unknown unit \"" + unit + "\" (use ms, s, m or h)");
    total_ms += value * scale;
  }
  // Far past any sensible duration (the CRD allows 24h), and far short of int64 milliseconds.
  if (total_ms > 1e15) return fail("too long");
  return Duration{static_cast<int64_t>(std::llround(total_ms))};
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  if (ms < 1000) return out + std::to_string(ms) + "ms";
  int64_t h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60, rest = ms % 1000;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s || rest) {
    out += std::to_string(s);
    if (rest) {
      std::string frac = std::to_string(rest + 1000).substr(1);
      while (!frac.empty() && frac.back() == '0') frac.pop_back();
      out += "." + frac;
    }
    out += "s";
  }
  return out;
}

}  // namespace gearbox::policy
