// Kubernetes quantities as numbers ("500m" is 0.5, "2Gi" is 2147483648, "1.5k" is 1500), and
// numbers as the shortest text that reads back the same (77, 0.5, 1100), for thresholds.
#pragma once

#include <string>

#include "base/result.h"

namespace gearbox::convert {

Result<double> ParseQuantity(const std::string& text);
std::string FormatNumber(double value);
// Seconds as a Gearbox duration: 300 -> "5m", 30 -> "30s", 5400 -> "90m", 3600 -> "1h".
std::string FormatSeconds(long long seconds);

}  // namespace gearbox::convert
