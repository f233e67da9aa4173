// A KEDA ScaledObject (keda.sh/v1alpha1) read into a Draft.
#pragma once

#include <yaml-cpp/yaml.h>

#include "base/result.h"
#include "convert/draft.h"

namespace gearbox::convert {

// Every Error is kInvalid and names the field that is wrong. `auths`: the input's
// TriggerAuthentications, which the triggers' authenticationRef may name.
Result<Draft> ReadScaledObject(const YAML::Node& scaled_object, const TriggerAuths& auths = {});

}  // namespace gearbox::convert
