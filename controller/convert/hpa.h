// A HorizontalPodAutoscaler (autoscaling/v2, v2beta2, or v1 with targetCPUUtilizationPercentage)
// read into a Draft.
#pragma once

#include <yaml-cpp/yaml.h>

#include "base/result.h"
#include "convert/draft.h"

namespace gearbox::convert {

// Every Error is kInvalid and names the field that is wrong.
Result<Draft> ReadHpa(const YAML::Node& hpa);

}  // namespace gearbox::convert
