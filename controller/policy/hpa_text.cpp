// See hpa_text.h. The names are the HPA's own (Pods, Percent, selectPolicy), so that a user who
// pasted the block recognises it.
#include "policy/hpa_text.h"

#include <algorithm>

#include "policy/duration.h"
#include "policy/text.h"

namespace gearbox::policy::internal {

namespace {

// The HPA's spelling, in the order of SelectPolicy.
const char* SelectName(SelectPolicy s) {
  static constexpr const char* kNames[] = {"Max", "Min", "Disabled"};
  return kNames[static_cast<int>(s)];
}

// The one period every policy shares, or 0 when they differ.
Duration CommonPeriod(const HpaRules& r) {
  if (r.policies.empty()) return Duration{0};
  for (const RatePolicy& rp : r.policies)
    if (rp.period != r.policies.front().period) return Duration{0};
  return r.policies.front().period;
}

Duration LongestPolicyPeriod(const HpaRules& r) {
  Duration longest{0};
  for (const RatePolicy& rp : r.policies) longest = std::max(longest, rp.period);
  return longest;
}

}  // namespace

std::string HpaRulesText(const HpaRules& r) {
  std::vector<std::string> parts;
  for (const RatePolicy& rp : r.policies)
    parts.push_back(std::string(rp.percent ? "Percent " : "Pods ") + std::to_string(rp.value) +
                    "/" + FormatDuration(rp.period));
  return "policies " + Join(parts, ", ") + "; selectPolicy " + SelectName(r.select);
}

std::string HpaLimitText(const HpaRules& r, bool up, int allowed, int moved) {
  if (r.select == SelectPolicy::kDisabled)
    return std::string(up ? "scale-up" : "scale-down") + " disabled (selectPolicy Disabled)";
  const Duration period = CommonPeriod(r);
  std::string text = std::string("limited to ") + (up ? '+' : '-') + std::to_string(allowed) +
                     (period.count() > 0 ? " per " + FormatDuration(period) : "") + " (" +
                     HpaRulesText(r);
  if (moved > 0)
    text +=
        "; " + std::to_string(moved) + " moved within " + FormatDuration(LongestPolicyPeriod(r));
  return text + ")";
}

}  // namespace gearbox::policy::internal
