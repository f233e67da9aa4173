// See prometheus_auth.h. KEDA's prometheus scaler: authModes (a comma-separated list of bearer,
// basic, tls, custom) with a TriggerAuthentication; awsRegion for Amazon Managed Service for
// Prometheus (SigV4); Google's and Azure's managed Prometheus are reached through a pod identity
// on their own hosts.
#include "convert/prometheus_auth.h"

#include <sstream>
#include <vector>

#include "convert/fields.h"

namespace gearbox::convert {

namespace {

std::vector<std::string> Modes(const std::optional<std::string>& auth_modes) {
  std::vector<std::string> modes;
  std::istringstream in(auth_modes.value_or(""));
  for (std::string mode; std::getline(in, mode, ',');) {
    mode.erase(0, mode.find_first_not_of(' '));
    mode.erase(mode.find_last_not_of(' ') + 1);
    if (!mode.empty()) modes.push_back(mode);
  }
  return modes;
}

// A managed Prometheus whose host says which cloud identity it wants.
std::optional<std::string> CloudByHost(const std::string& server) {
  if (server.find(".amazonaws.com") != std::string::npos)
    return "AWS SigV4 (Amazon Managed Service for Prometheus)";
  if (server.find("monitoring.googleapis.com") != std::string::npos)
    return "Google OAuth (Google Cloud Managed Service for Prometheus)";
  if (server.find(".prometheus.monitor.azure.com") != std::string::npos)
    return "Azure Entra workload identity (Azure Monitor managed Prometheus)";
  return std::nullopt;
}

std::optional<std::string> ModeNotCarried(const std::vector<std::string>& modes) {
  for (const auto& mode : modes) {
    if (mode == "tls") return "a client certificate (authModes: tls)";
    if (mode == "basic") return "basic authentication (authModes: basic)";
    if (mode == "custom") return "custom headers (authModes: custom)";
  }
  return std::nullopt;
}

}  // namespace

Result<std::optional<std::string>> UnsupportedPrometheusAuth(const YAML::Node& metadata,
                                                             const std::string& server,
                                                             const std::string& path) {
  ASSIGN_OR_RETURN(const auto aws_region, OptionalText(metadata, "awsRegion", path));
  ASSIGN_OR_RETURN(const auto auth_modes, OptionalText(metadata, "authModes", path));
  if (aws_region) return std::optional<std::string>("AWS SigV4 (awsRegion: " + *aws_region + ")");
  if (auto cloud = CloudByHost(server)) return cloud;
  if (auto mode = ModeNotCarried(Modes(auth_modes))) return mode;
  if (metadata["customHeaders"]) return std::optional<std::string>("custom headers");
  return std::optional<std::string>();
}

Result<std::string> PrometheusAuthNote(const YAML::Node& metadata, const std::string& path) {
  ASSIGN_OR_RETURN(const auto auth_modes, OptionalText(metadata, "authModes", path));
  if (auth_modes)  // bearer alone: ModeNotCarried let nothing else through
    return std::string(
        "KEDA sent a bearer token from a TriggerAuthentication: set bearerTokenSecretRef (and "
        "caSecretRef for its CA, if any) to the Secret that holds it");
  return std::string(
      "KEDA authenticated through a TriggerAuthentication: set bearerTokenSecretRef (a bearer "
      "token) or caSecretRef (a CA) to its Secret; other modes (basic, a client certificate, "
      "custom headers, a cloud identity) are not supported yet");
}

}  // namespace gearbox::convert
