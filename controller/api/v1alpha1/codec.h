// The one decode and the one encode of the ScalingPolicy API (types.h), both driven by the field
// table of fields.h. The decode checks what the CRD's schema checks of a field's shape: its JSON
// type, that a required field is there, that an enumeration holds one of its values; every error
// (kInvalid) names the field's path, e.g. "spec.components[1].scaleUp.anyOf[0].metric is
// required". What the CRD's CEL rules and the engine check beyond that (a duration that parses,
// one of anyOf or allOf, a metric that exists) is the reader's: reconcile/policy_spec.cpp. Fields
// the types do not have are ignored, as the API server prunes them; a null field is not given.
#pragma once

#include <cpprest/json.h>

#include "api/v1alpha1/types.h"
#include "base/result.h"

namespace gearbox::api::v1alpha1 {

// `spec` is a ScalingPolicy's .spec; errors name paths from "spec". Defaults are filled in.
Result<ScalingPolicySpec> DecodeSpec(const web::json::value& spec);
web::json::value EncodeSpec(const ScalingPolicySpec& spec);

// `status` is a ScalingPolicy's .status; errors name paths from "status".
Result<ScalingPolicyStatus> DecodeStatus(const web::json::value& status);
web::json::value EncodeStatus(const ScalingPolicyStatus& status);

}  // namespace gearbox::api::v1alpha1
