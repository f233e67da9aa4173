// See text.h.
#include "cli/text.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace gearbox::cli {

namespace {

// UTF-8: every byte but a continuation byte (10xxxxxx) starts a character.
size_t DisplayWidth(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::vector<size_t> ColumnWidths(const std::vector<Row>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  return widths;
}

std::string TrimRight(std::string text) {
  text.erase(text.find_last_not_of(' ') + 1);
  return text;
}

}  // namespace

std::vector<std::string> Columns(const std::vector<Row>& rows) {
  const std::vector<size_t> widths = ColumnWidths(rows);
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - DisplayWidth(row[i]) + 2, ' ');
    }
    lines.push_back(TrimRight(line));
  }
  return lines;
}

std::string Num(double value) {
  if (std::abs(value) < 1e15 && value == std::trunc(value))
    return std::to_string(static_cast<long long>(value));
  std::ostringstream out;
  out << std::setprecision(6) << value;
  return out.str();
}

std::string Age(std::chrono::seconds age) {
  const long long s = std::max<long long>(0, age.count());
  if (s < 120) return std::to_string(s) + "s";
  if (s < 2 * 3600) return std::to_string(s / 60) + "m";
  if (s < 2 * 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

}  // namespace gearbox::cli
