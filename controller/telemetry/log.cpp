// See log.h.
#include "telemetry/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

namespace gearbox::telemetry {

namespace {

constexpr std::string_view kLevelNames[] = {"debug", "info", "warn", "error"};

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - secs).count();
  std::time_t t = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[80];  // the compiler cannot bound the fields' widths: leave room for the worst case
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') return true;
  }
  return false;
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (size_t i = 0; i < std::size(kLevelNames); ++i) {
    if (kLevelNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

std::optional<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return std::nullopt;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

Logger::Logger(LogFormat format, LogLevel level, std::ostream* out)
    : format_(format), level_(level), out_(out ? out : &std::cerr) {}

void Logger::Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  std::string line;
  std::string_view level_name = kLevelNames[static_cast<int>(level)];
  if (format_ == LogFormat::kJson) {
    line = "{\"ts\":\"" + Timestamp() + "\",\"level\":\"" + std::string(level_name) +
           "\",\"msg\":\"" + JsonEscape(message) + "\"";
    for (const auto& [key, value] : fields) {
      line += ",\"" + JsonEscape(key) + "\":\"" + JsonEscape(value) + "\"";
    }
    line += "}\n";
  } else {
    line = Timestamp() + " " + std::string(level_name) + " " + std::string(message);
    for (const auto& [key, value] : fields) {
      line += " " + std::string(key) + "=";
      line += NeedsQuotes(value) ? "\"" + JsonEscape(value) + "\"" : value;
    }
    line += "\n";
  }
  MutexLock lock(mu_);
  *out_ << line << std::flush;
}

}  // namespace gearbox::telemetry
