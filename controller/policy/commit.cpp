// Commit: the state carried to the next evaluation follows what was actually written. See
// policy.h.
#include <algorithm>

#include "policy/policy.h"

namespace gearbox::policy {

namespace {

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// The timers of `component` as they would be had its write not been decided: the last-scale
// times as before, and the rule timers that ran before from when they started.
void UnwindTimers(const State& before, const std::string& component, State& next) {
  for (const char* last : {"/lastScaleUp", "/lastScaleDown"}) {
    const std::string key = component + last;
    auto it = before.timers.find(key);
    if (it == before.timers.end()) {
      next.timers.erase(key);
    } else {
      next.timers[key] = it->second;
    }
  }
  for (auto& [key, since] : next.timers) {
    if (!StartsWith(key, component + "/scaleUp/") && !StartsWith(key, component + "/scaleDown/"))
      continue;
    auto it = before.timers.find(key);
    if (it != before.timers.end()) since = std::min(since, it->second);
  }
}

}  // namespace

State Commit(const State& before, const Result& evaluated, const Applied& applied) {
  State next = evaluated.state;
  for (const auto& component : applied.not_applied) {
    UnwindTimers(before, component, next);
    // A change not made does not spend the rate limit's budget.
    auto& events = next.scale_events[component];
    auto had = before.scale_events.find(component);
    std::erase_if(events, [&](const ScaleEvent& e) {
      return had == before.scale_events.end() ||
             std::none_of(had->second.begin(), had->second.end(),
                          [&](const ScaleEvent& b) { return b.at == e.at; });
    });
    auto recs = before.down_recommendations.find(component);
    if (recs != before.down_recommendations.end() && !next.down_recommendations.count(component))
      next.down_recommendations[component] = recs->second;
    // A step whose write was not made is not in flight: the next evaluation proposes it again.
    if (next.in_flight && next.in_flight->component == component && evaluated.topology_step &&
        evaluated.topology_step->component == component)
      next.in_flight.reset();
  }
  return next;
}
}  // namespace gearbox::policy
