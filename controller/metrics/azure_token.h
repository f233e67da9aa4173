// Entra ID (Azure AD) access tokens for Azure Monitor managed Prometheus, through AKS workload
// identity: the federated service-account token the webhook projects (AZURE_FEDERATED_TOKEN_FILE)
// exchanged at {AZURE_AUTHORITY_HOST}/{AZURE_TENANT_ID}/oauth2/v2.0/token for AZURE_CLIENT_ID
// (client_credentials with a client_assertion), scope
// https://prometheus.monitor.azure.com/.default. Cached until five minutes before it expires. All
// from the controller's environment.
#pragma once

#include <memory>
#include <string>

#include "kube/clock.h"
#include "metrics/token_endpoint.h"

namespace gearbox::metrics {

inline constexpr const char* kAzurePrometheusScope =
    "https://prometheus.monitor.azure.com/.default";

struct AzureEnvironment {
  std::string token_file;                                             // AZURE_FEDERATED_TOKEN_FILE
  std::string client_id;                                              // AZURE_CLIENT_ID
  std::string tenant_id;                                              // AZURE_TENANT_ID
  std::string authority_host = "https://login.microsoftonline.com/";  // AZURE_AUTHORITY_HOST
  static AzureEnvironment FromProcess();
};

// Errors (kConfig) on every Token() when the environment lacks the workload identity's variables.
std::shared_ptr<TokenSource> AzureWorkloadIdentityTokens(AzureEnvironment env,
                                                         const kube::Clock& clock);

}  // namespace gearbox::metrics
