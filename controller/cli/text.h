// The plain-text building blocks of `kubectl gearbox`'s output: aligned columns, numbers as
// people write them, coarse ages as kubectl prints them ("45s", "12m", "3h", "2d").
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace gearbox::cli {

using Row = std::vector<std::string>;

// The rows with every column but the last padded to its widest cell (+2 spaces), trailing spaces
// trimmed. Widths count characters, not bytes: an arrow (→) is one column.
std::vector<std::string> Columns(const std::vector<Row>& rows);

// "82", "0.61", "12000": up to 6 significant digits, no exponent below 1e15.
std::string Num(double value);

// kubectl's AGE: "45s" under 2 minutes, "12m" under 2 hours, "3h" under 2 days, else "2d".
std::string Age(std::chrono::seconds age);

// `lines` joined, each ended by a newline.
std::string JoinLines(const std::vector<std::string>& lines);

}  // namespace gearbox::cli
