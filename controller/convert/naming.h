// Names: the old object's, and those the ScalingPolicy needs made from them: the component's (a
// DNS label) and the metrics' (letters, digits and _, unique within the policy).
#pragma once

#include <string>

#include "base/result.h"
#include "convert/draft.h"

namespace gearbox::convert {

// Lower case, [a-z0-9-], 63 at most: "Web.API_v2" -> "web-api-v2".
std::string DnsLabel(const std::string& name);

// `wanted` made a valid metric name ("packets-per-second" -> "packets_per_second"), with _2, _3
// appended while a metric of `draft` already has it.
std::string UniqueMetricName(const std::string& wanted, const Draft& draft);

// The old object's metadata.name and namespace into the draft, and its origin ("ScaledObject
// shop/jobs") for the comments.
Status ReadIdentity(const YAML::Node& object, const std::string& kind, Draft& draft);

}  // namespace gearbox::convert
