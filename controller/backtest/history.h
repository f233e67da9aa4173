// Which query replays each metric of a policy in a backtest, and their histories. A `prometheus`
// metric is replayed from its own query unless --query gives another; resource and queue metrics
// were never in Prometheus, so they are replayed only from a query given for them (a recording
// of container CPU, a queue-length gauge) and are otherwise unreadable at every step.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backtest/range_query.h"
#include "reconcile/policy_spec.h"

namespace gearbox::backtest {

struct MetricPlan {
  std::string name;
  std::string query;  // empty: not replayed
  enum class From { kPolicy, kFlag, kNowhere } from = From::kNowhere;
  std::string kind;  // "prometheus", "resource" or "queue": where the controller reads it
};

// A plan per declared metric, in the spec's order; an Error (kInvalid) when `queries` names a
// metric the policy does not declare.
Result<std::vector<MetricPlan>> PlanMetrics(const reconcile::ParsedPolicy& policy,
                                            const std::map<std::string, std::string>& queries);

// The history of every replayed metric, by name; an Error naming the metric whose query failed.
Result<std::map<std::string, History>> LoadHistories(const std::vector<MetricPlan>& plans,
                                                     RangeSource& source, const StepGrid& grid);

}  // namespace gearbox::backtest
