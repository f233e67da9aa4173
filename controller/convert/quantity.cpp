// See quantity.h.
#include "convert/quantity.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <regex>

namespace gearbox::convert {

namespace {

// The suffixes of resource.Quantity: binary (Ki..Ei), decimal (n..E), and none.
double Multiplier(const std::string& suffix) {
  static const std::map<std::string, double> kSuffixes = {{"", 1},
                                                          {"n", 1e-9},
                                                          {"u", 1e-6},
                                                          {"m", 1e-3},
                                                          {"k", 1e3},
                                                          {"M", 1e6},
                                                          {"G", 1e9},
                                                          {"T", 1e12},
                                                          {"P", 1e15},
                                                          {"E", 1e18},
                                                          {"Ki", 1024.0},
                                                          {"Mi", 1048576.0},
                                                          {"Gi", 1073741824.0},
                                                          {"Ti", 1099511627776.0},
                                                          {"Pi", 1125899906842624.0},
                                                          {"Ei", 1152921504606846976.0}};
  const auto it = kSuffixes.find(suffix);
  return it == kSuffixes.end() ? 0 : it->second;
}

}  // namespace

Result<double> ParseQuantity(const std::string& text) {
  static const std::regex kQuantity(
      R"(([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)");
  std::smatch match;
  if (!std::regex_match(text, match, kQuantity))
    return Error::Invalid("\"" + text + "\" is not a number or a quantity (such as 500m or 2Gi)");
  const double number = std::stod(match[1].str());
  const double value = number * Multiplier(match[2].str());
  if (!std::isfinite(value)) return Error::Invalid("\"" + text + "\" is too large");
  return value;
}

std::string FormatNumber(double value) {
  // Fifteen significant digits drop the noise of a product such as 70 * 1.1 (77.000000000000014).
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  return buffer;
}

std::string FormatSeconds(long long seconds) {
  if (seconds > 0 && seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds > 0 && seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

}  // namespace gearbox::convert
