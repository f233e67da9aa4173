// The conditions stage, as the HPA names them where they mean the same: Ready, MetricsAvailable,
// AbleToScale, ScalingLimited, AlertFiring.
#include <cmath>

#include "policy/stages.h"
#include "policy/text.h"

namespace gearbox::policy::internal {

namespace {

Condition Ready(Pass& p) {
  std::vector<std::string> not_found;
  for (const auto& d : p.res.components)
    if (!d.target_found) not_found.push_back(d.name + ": " + p.Target(d.name).error);
  if (!not_found.empty()) return {"Ready", false, "TargetNotFound", Join(not_found, "; ")};
  return {
      "Ready", true, "Evaluated",
      "evaluated; " + (p.res.phase.empty() ? std::string("no phases") : "phase " + p.res.phase)};
}

Condition MetricsAvailable(Pass& p) {
  std::vector<std::string> unavailable;
  for (const auto& name : p.spec.metrics) {
    auto it = p.observed.metrics.find(name);
    if (it == p.observed.metrics.end()) {
      unavailable.push_back(name + ": not read");
    } else if (!it->second.value || !std::isfinite(*it->second.value)) {
      unavailable.push_back(name + ": " +
                            (it->second.error.empty() ? "no value" : it->second.error));
    }
  }
  if (unavailable.empty())
    return {"MetricsAvailable", true, "AllMetricsAvailable",
            std::to_string(p.spec.metrics.size()) + " metrics read"};
  return {"MetricsAvailable", false, "MetricUnavailable",
          Join(unavailable, "; ") +
              " (a component does not scale down while a metric of its rules is missing)"};
}

Condition AbleToScale(Pass& p) {
  if (p.res.dry_run)
    return {"AbleToScale", true, "DryRun",
            "DryRun: decisions are reported in status and Events; targets are not changed"};
  if (const auto& f = p.res.state.in_flight)
    return {"AbleToScale", true, "TopologyChangeInFlight",
            "waiting for " + f->component + " to reach " + std::to_string(f->to) +
                " ready replicas before the next change"};
  return {"AbleToScale", true, "ReadyForNewScale", "the targets can be scaled"};
}

}  // namespace

void SetConditions(Pass& p) {
  auto& out = p.res.conditions;
  out.push_back(Ready(p));
  out.push_back(MetricsAvailable(p));
  out.push_back(AbleToScale(p));
  out.push_back(p.limited.empty() ? Condition{"ScalingLimited", false, "DesiredWithinRange",
                                              "the desired counts are within their bounds"}
                                  : Condition{"ScalingLimited", true,
                                              p.limited_up ? "TooManyReplicas" : "TooFewReplicas",
                                              Join(p.limited, "; ")});
  out.push_back(p.firing.empty()
                    ? Condition{"AlertFiring", false, "NoAlerts", "no alert fires"}
                    : Condition{"AlertFiring", true, "AlertsFiring", Join(p.firing, "; ")});
}

}  // namespace gearbox::policy::internal
