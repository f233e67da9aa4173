// spec.schedules[] read into the engine's Schedules: the cron parsed, the duration, and the time
// zone loaded from the zone files (tzdata, /usr/share/zoneinfo) here, once per zone in a process
// (cctz caches it), so that the engine never reads a file. A mistake the CRD's schema cannot catch
// (a cron that does not parse, a zone that does not exist, a component that is not a workload of
// the policy) is an Error for the InvalidSpec condition, naming the schedule.
#pragma once

#include <vector>

#include "api/v1alpha1/types.h"
#include "base/result.h"
#include "policy/policy.h"

namespace gearbox::reconcile {

// `schedules` is the spec's; `components` those already read from it.
Result<std::vector<policy::Schedule>> ParseSchedules(
    const std::vector<api::v1alpha1::Schedule>& schedules,
    const std::vector<policy::Component>& components);

}  // namespace gearbox::reconcile
