// See text.h.
#include "policy/text.h"

#include <cstdio>

namespace gearbox::policy::internal {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string RuleText(const Rule& r) {
  return r.metric + (r.per_replica ? " per replica" : "") + (r.above ? " > " : " < ") +
         Num(r.threshold);
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string FiredText(const SetOutcome& s) {
  std::vector<std::string> parts;
  for (const auto& o : s.rules) {
    if (!o.fires) continue;
    std::string t = o.rule->metric + (o.rule->per_replica ? " per replica " : " ") + Num(o.value) +
                    (o.rule->above ? " above " : " below ") + Num(o.rule->threshold);
    if (o.rule->for_.count() > 0) t += " for " + FormatDuration(o.rule->for_);
    parts.push_back(t);
  }
  return Join(parts, " and ");
}

std::string BoundsText(int min, int max, const std::string& from) {
  return std::to_string(min) + ".." + std::to_string(max) + " (" + from + ")";
}

}  // namespace gearbox::policy::internal
