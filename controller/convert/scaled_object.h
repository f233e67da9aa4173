// A KEDA ScaledObject (keda.sh/v1alpha1) read into a Draft.
#pragma once

#include <yaml-cpp/yaml.h>

#include "base/result.h"
#include "convert/draft.h"

namespace gearbox::convert {

// Every Error is kInvalid and names the field that is wrong.
Result<Draft> ReadScaledObject(const YAML::Node& scaled_object);

}  // namespace gearbox::convert
