// How KEDA's prometheus trigger authenticated, carried over to spec.sources.prometheus: its
// metadata (authModes, awsRegion, customHeaders, the server's host) and, when convert was given
// it, the TriggerAuthentication or ClusterTriggerAuthentication its authenticationRef names
// (secretTargetRef parameters -> Secret references, podIdentity -> an auth mode of the
// controller's own identity). What cannot be carried (credentials from env or Vault, AAD pod
// identity, basic auth without a password) leaves the trigger out, with the reason.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "convert/trigger_auth.h"

namespace gearbox::convert {

struct CarriedAuth {
  YAML::Node fields{YAML::NodeType::Map};  // beside url in spec.sources.prometheus
  std::vector<std::string> notes;          // comments for spec.sources.prometheus.url
  std::vector<std::string> missing;        // those that name a value still to set
  std::optional<std::string> refused;      // why the trigger cannot be carried over
};

// `auth`: what the trigger's authenticationRef names, null when it has none or convert was not
// given it (`not_given` then names it: "TriggerAuthentication prom-auth (not in the input)").
Result<CarriedAuth> CarryPrometheusAuth(const YAML::Node& metadata, const std::string& server,
                                        const std::string& not_given, const TriggerAuth* auth,
                                        const std::string& path);

}  // namespace gearbox::convert
