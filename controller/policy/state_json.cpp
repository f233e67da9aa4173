// The durable timers as status JSON, with a reader just large enough for what the writer writes
// (an array of {"key": string, "since": string} objects), so this module needs no JSON library.
#include <cctype>
#include <cstdio>

#include "policy/policy.h"

namespace gearbox::policy {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
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

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

class Reader {
 public:
  explicit Reader(const std::string& s) : s_(s) {}
  void Skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool Eat(char c) {
    Skip();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool Peek(char c) {
    Skip();
    return i_ < s_.size() && s_[i_] == c;
  }
  std::optional<std::string> String() {
    if (!Eat('"')) return std::nullopt;
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) return std::nullopt;
        char e = s_[i_++];
        if (e == 'u') {
          if (i_ + 4 > s_.size()) return std::nullopt;
          out += static_cast<char>(std::stoi(s_.substr(i_, 4), nullptr, 16));
          i_ += 4;
        } else {
          out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
      } else {
        out += c;
      }
    }
    if (i_ >= s_.size()) return std::nullopt;
    ++i_;
    return out;
  }
  bool AtEnd() {
    Skip();
    return i_ == s_.size();
  }
  size_t pos() const { return i_; }

 private:
  const std::string& s_;
  size_t i_ = 0;
};

}  // namespace

std::string FormatTime(Time t) {
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  int64_t days = ms >= 0 ? ms / 86'400'000 : (ms - 86'399'999) / 86'400'000;
  int64_t rest = ms - days * 86'400'000;
  int64_t y;
  unsigned mo, d;
  CivilFromDays(days, &y, &mo, &d);
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                        static_cast<long long>(y), mo, d, static_cast<long long>(rest / 3'600'000),
                        static_cast<long long>(rest / 60'000 % 60),
                        static_cast<long long>(rest / 1000 % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (rest % 1000) {
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(rest % 1000));
    out += buf;
  }
  return out + "Z";
}

std::optional<Time> ParseTime(const std::string& text) {
  long long y;
  unsigned mo, d, h, mi, s;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4lld-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &s,
                  &consumed) != 6)
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  size_t i = static_cast<size_t>(consumed);
  int64_t ms = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (digits < 3) ms = ms * 10 + (text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (int k = digits; k < 3; ++k) ms *= 10;
  }
  int64_t offset_s = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i + 6 == text.size() && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':') {
    int64_t oh = std::stoi(text.substr(i + 1, 2)), om = std::stoi(text.substr(i + 4, 2));
    offset_s = (oh * 3600 + om * 60) * (text[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + int64_t{h} * 3600 + int64_t{mi} * 60 +
                    int64_t{s} - offset_s;
  int64_t total = seconds * 1000 + ms;
  return Time{std::chrono::milliseconds(total)};
}

std::string EncodeTimers(const std::map<std::string, Time>& timers) {
  std::string out = "[";
  for (const auto& [key, since] : timers) {
    if (out.size() > 1) out += ",";
    out += R"({"key":")" + Escape(key) + R"(","since":")" + FormatTime(since) + "\"}";
  }
  return out + "]";
}

std::optional<std::map<std::string, Time>> DecodeTimers(const std::string& json,
                                                        std::string* error) {
  Reader r(json);
  auto fail = [&](const std::string& why) -> std::optional<std::map<std::string, Time>> {
    if (error) *error = "timers: " + why + " at offset " + std::to_string(r.pos());
    return std::nullopt;
  };
  std::map<std::string, Time> out;
  if (!r.Eat('[')) return fail("expected [");
  if (!r.Eat(']')) {
    do {
      if (!r.Eat('{')) return fail("expected {");
      std::optional<std::string> key, since;
      if (!r.Peek('}')) {
        do {
          auto name = r.String();
          if (!name || !r.Eat(':')) return fail("expected \"name\":");
          auto value = r.String();
          if (!value) return fail("expected a string value for " + *name);
          if (*name == "key") key = value;
          if (*name == "since") since = value;
        } while (r.Eat(','));
      }
      if (!r.Eat('}')) return fail("expected }");
      if (!key || !since) return fail("a timer needs key and since");
      auto t = ParseTime(*since);
      if (!t) return fail("bad time \"" + *since + "\"");
      out[*key] = *t;
    } while (r.Eat(','));
    if (!r.Eat(']')) return fail("expected ]");
  }
  if (!r.AtEnd()) return fail("trailing characters");
  return out;
}

}  // namespace gearbox::policy
