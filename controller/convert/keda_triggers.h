// The triggers of a KEDA ScaledObject (spec.triggers[]) as the ScalingPolicy's metrics and
// schedules: cpu and memory, prometheus, redis (a list), cron, metrics-api, rabbitmq (through the
// management API) and kubernetes-workload; any other scaler is noted.
#pragma once

#include <string>

#include "base/result.h"
#include "convert/draft.h"
#include "convert/trigger_auth.h"

namespace gearbox::convert {

// Adds the trigger at `path` to the draft (a metric, a schedule for `component`, or a note).
Status ReadTrigger(const YAML::Node& trigger, const std::string& path, Draft& draft);
// With the TriggerAuthentications given beside the ScaledObject: their Secret keys become the
// policy's Secret references.
Status ReadTrigger(const YAML::Node& trigger, const std::string& path,
                   const TriggerAuthentications& auths, Draft& draft);

}  // namespace gearbox::convert
