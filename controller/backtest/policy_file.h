// The ScalingPolicy a backtest replays, read from the YAML a user would `kubectl apply`: made into
// the JSON the API server would hold and parsed by the reconciler's own ParsePolicy, so that a
// spec the controller would refuse is refused here too, in the same words.
#pragma once

#include <cpprest/json.h>

#include <string>

#include "base/result.h"
#include "reconcile/policy_spec.h"

namespace gearbox::backtest {

// One YAML document as JSON: plain scalars become numbers, booleans and null as YAML 1.2's core
// schema reads them (as the API server's decoder does); quoted scalars stay strings. An Error
// (kInvalid) when the text is not YAML.
Result<web::json::value> YamlToJson(const std::string& yaml);

// The one ScalingPolicy of the file; an Error (kInvalid) naming the file when it cannot be read,
// holds no ScalingPolicy or several, or its spec is refused.
Result<reconcile::ParsedPolicy> LoadPolicyFile(const std::string& path);

}  // namespace gearbox::backtest
