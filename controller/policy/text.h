// How the engine's numbers read to a person: "82", "cpu > 70", "cpu 82 above 70 for 5m",
// "3..5 (phase Medium)". Internal to policy/; explain.cpp and render.cpp put them together.
#pragma once

#include <string>
#include <vector>

#include "policy/compiled.h"

namespace gearbox::policy::internal {

std::string Num(double v);  // up to 3 decimals, no trailing zeros
// "10s" rather than "10.072s": how long something has run, to the second (the durations of the
// spec are printed as they are written).
std::string ToTheSecond(Duration d);
std::string Join(const std::vector<std::string>& parts, const std::string& sep);
// "scaleUp cpu per replica > 70"
std::string RuleText(const Rule& r, bool up);
// "cpu 82 above 70 for 5m and p95 0.6 above 0.5": the rules of [begin, end) that fired.
std::string FiredText(const Compiled& c, const Evaluation& e, int begin, int end);
// "component", "phase Medium", "phase Small (outside the component's 3..20)", ...
std::string BoundsFromText(const Compiled& c, int component, const ComponentOutcome& d);
// "3..5 (phase Medium)"
std::string BoundsText(const Compiled& c, int component, const ComponentOutcome& d);
// "users 5000 < 10000, >= 1000": why phase `to` fits the value.
std::string PhaseWhy(const Compiled& c, double v, int to);
// "database 1 -> 3 for phase Large"
std::string StepText(const Compiled& c, int component, int from, int to, int phase);
// "QueueBacklog: backlog 12000 above 10000 for 5m"
std::string AlertText(const Alert& a, double value);

}  // namespace gearbox::policy::internal
