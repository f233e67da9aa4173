// How KEDA's prometheus trigger authenticated, as far as the ScaledObject tells (its metadata and
// server; the TriggerAuthentication itself is another object), against what Gearbox's Prometheus
// source can carry: a bearer token (bearerTokenSecretRef) and a CA (caSecretRef).
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "base/result.h"

namespace gearbox::convert {

// The authentication Gearbox cannot carry yet, named ("AWS SigV4 (awsRegion: ...)", "a client
// certificate (authModes: tls)"), or nothing when the trigger's might be carried over.
Result<std::optional<std::string>> UnsupportedPrometheusAuth(const YAML::Node& metadata,
                                                             const std::string& server,
                                                             const std::string& path);

// The comment for the server of a trigger with a TriggerAuthentication that may be carried over:
// which Secret reference to set.
Result<std::string> PrometheusAuthNote(const YAML::Node& metadata, const std::string& path);

}  // namespace gearbox::convert
