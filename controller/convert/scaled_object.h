// A KEDA ScaledObject (keda.sh/v1alpha1) read into a Draft.
#pragma once

#include <yaml-cpp/yaml.h>

#include "base/result.h"
#include "convert/draft.h"

namespace gearbox::convert {

// Every Error is kInvalid and names the field that is wrong.
// `trigger_auths`: the TriggerAuthentications given beside it, which its triggers'
// authenticationRef may name (null: none).
Result<Draft> ReadScaledObject(const YAML::Node& scaled_object,
                               const TriggerAuthIndex* trigger_auths = nullptr);

}  // namespace gearbox::convert
