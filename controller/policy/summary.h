// The evaluation at a glance, for people: the lines of status.abstract (kubectl describe lists
// them first) and the short strings of the Replicas and Metrics columns of kubectl get. Internal
// to policy/: Engine::Render() puts them in the Decision; policy.h declares ConditionLines().
#pragma once

#include <string>
#include <vector>

#include "policy/compiled.h"

namespace gearbox::policy::internal {

// "DryRun: ...", "Phase Medium: users 5000 < 10000, >= 1000", then one line per component, one
// per declared metric and one per alert firing.
std::vector<std::string> SummaryLines(const Compiled& c, const Evaluation& e,
                                      const IndexedObserved& in);
// "app 5/6 worker 10/10 database 3 redis 3": current/desired; a topology component at its size
// shows one number; ? for a target that cannot be read.
std::string ReplicaCounts(const Compiled& c, const Evaluation& e);
// "cpu 72 p95 0.41 users 5000": the metrics of the rules and the phases (all declared ones when
// no rule or phase reads any), in declared order; ? for one that cannot be read.
std::string MetricValues(const Compiled& c, const IndexedObserved& in);

}  // namespace gearbox::policy::internal
