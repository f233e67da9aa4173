// See history.h.
#include "backtest/history.h"

#include "reconcile/sources.h"

namespace gearbox::backtest {

namespace {

MetricPlan PlanOf(const reconcile::MetricDef& def,
                  const std::map<std::string, std::string>& queries) {
  MetricPlan plan{def.name, "", MetricPlan::From::kNowhere, reconcile::SourceKind(def)};
  if (auto given = queries.find(def.name); given != queries.end()) {
    plan.query = given->second;
    plan.from = MetricPlan::From::kFlag;
  } else if (def.type == reconcile::MetricDef::Type::kPrometheus) {
    plan.query = def.query;
    plan.from = MetricPlan::From::kPolicy;
  }
  return plan;
}

}  // namespace

Result<std::vector<MetricPlan>> PlanMetrics(const reconcile::ParsedPolicy& policy,
                                            const std::map<std::string, std::string>& queries) {
  for (const auto& [name, query] : queries) {
    bool declared = false;
    for (const auto& m : policy.metrics) declared = declared || m.name == name;
    if (!declared) return Error::Invalid("--query " + name + ": the policy has no such metric");
  }
  std::vector<MetricPlan> plans;
  for (const auto& def : policy.metrics) plans.push_back(PlanOf(def, queries));
  return plans;
}

Result<std::map<std::string, History>> LoadHistories(const std::vector<MetricPlan>& plans,
                                                     RangeSource& source, const StepGrid& grid) {
  std::map<std::string, History> histories;
  for (const auto& plan : plans) {
    if (plan.query.empty()) continue;
    auto history = source.Read(plan.query, grid);
    if (!history) {
      Error e = history.error();
      e.message = "metric " + plan.name + " (" + plan.query + "): " + e.message;
      return e;
    }
    histories.emplace(plan.name, std::move(*history));
  }
  return histories;
}

}  // namespace gearbox::backtest
