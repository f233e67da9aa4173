// Structured logs for the controller: one line per record, as JSON (for log pipelines) or as
// text (for a terminal), filtered by level. Thread-safe; writes to stderr unless told otherwise.
#pragma once

#include "base/mutex.h"

#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gearbox::telemetry {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kText, kJson };

std::optional<LogLevel> ParseLogLevel(std::string_view name);
std::optional<LogFormat> ParseLogFormat(std::string_view name);

// A key and its value, already rendered as text.
using LogField = std::pair<std::string_view, std::string>;

class Logger {
 public:
  explicit Logger(LogFormat format = LogFormat::kText, LogLevel level = LogLevel::kInfo,
                  std::ostream* out = nullptr);

  bool Enabled(LogLevel level) const { return level >= level_; }
  void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

  void Debug(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kDebug, m, f);
  }
  void Info(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kInfo, m, f);
  }
  void Warn(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kWarn, m, f);
  }
  void Error(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kError, m, f);
  }

 private:
  LogFormat format_;
  LogLevel level_;
  std::ostream* out_;
  Mutex mu_;
};

// Escapes a string for a JSON string literal (without the quotes).
std::string JsonEscape(std::string_view s);

}  // namespace gearbox::telemetry
