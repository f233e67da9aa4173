// The thresholds a ScalingPolicy's spec sets on its metrics — each component's scale-up and
// scale-down rules, each alert — and how a metric's reading stands against each, for the
// METRICS table of `kubectl gearbox status`.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <vector>

#include "base/time_format.h"

namespace gearbox::cli {

struct Threshold {
  std::string metric;
  std::string component;  // a rule's component; empty for an alert
  std::string set;        // "scaleUp" or "scaleDown"; empty for an alert
  std::string alert;      // an alert's name; empty for a rule
  bool above = true;
  double value = 0;
  bool per_replica = false;
  std::string for_text;  // "5m" as the spec writes it; empty: one evaluation is enough
};

// Every rule of every component, then every alert, in the spec's order.
std::vector<Threshold> ThresholdsOf(const web::json::value& spec);

// The engine's name of a rule in status.components[].counting: "scaleUp cpu > 70",
// "scaleUp backlog per replica > 1000".
std::string CountingName(const Threshold& t);

// How far a rule of status.components[].counting has counted toward its `for`: "1m40s of 5m".
std::string CountedSoFar(const web::json::value& counting, WallTime now);

// "> 70 for 5m (app up): met", "> 1000/replica (worker up): 800, no",
// "> 0.5 for 5m (app up): 1m40s of 5m", "> 1 (alert SlowResponses): no". `status` is the
// policy's status: the component's replicas (per replica), its counting rules, the alerts firing.
std::string StandingText(const Threshold& t, double reading, const web::json::value& status,
                         WallTime now);

}  // namespace gearbox::cli
