// A KEDA ScaledObject (keda.sh/v1alpha1) read into a Draft.
#pragma once

#include <yaml-cpp/yaml.h>

#include "base/result.h"
#include "convert/draft.h"
#include "convert/trigger_auth.h"

namespace gearbox::convert {

// Every Error is kInvalid and names the field that is wrong.
Result<Draft> ReadScaledObject(const YAML::Node& scaled_object);
// With the TriggerAuthentications given beside it (trigger_auth.h).
Result<Draft> ReadScaledObject(const YAML::Node& scaled_object,
                               const TriggerAuthentications& auths);

}  // namespace gearbox::convert
