// See azure_token.h.
#include "metrics/azure_token.h"

#include "metrics/token_endpoint.h"

namespace gearbox::metrics {

namespace {

Result<Expiring<std::string>> ExchangeFederatedToken(const AzureEnvironment& env) {
  if (env.token_file.empty() || env.client_id.empty() || env.tenant_id.empty())
    return Error::Of(Error::Kind::kConfig,
                     "the controller has no Azure workload identity (AZURE_FEDERATED_TOKEN_FILE, "
                     "AZURE_CLIENT_ID and AZURE_TENANT_ID in its environment)");
  ASSIGN_OR_RETURN(std::string assertion,
                   ReadProjectedToken(env.token_file, "AZURE_FEDERATED_TOKEN_FILE"));
  std::string authority = env.authority_host;
  if (authority.empty() || authority.back() != '/') authority += '/';
  const std::string what = "Entra ID's token endpoint";
  TokenRequest request{
      authority + env.tenant_id + "/oauth2/v2.0/token",
      "POST",
      {{"client_id", env.client_id},
       {"scope", kAzurePrometheusScope},
       {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
       {"client_assertion", assertion},
       {"grant_type", "client_credentials"}},
      {},
      what};
  ASSIGN_OR_RETURN(std::string body, CallTokenEndpoint(request));
  return ParseOAuthToken(body, what);
}

}  // namespace

AzureEnvironment AzureEnvironment::FromProcess() {
  AzureEnvironment out;
  out.token_file = EnvOr("AZURE_FEDERATED_TOKEN_FILE");
  out.client_id = EnvOr("AZURE_CLIENT_ID");
  out.tenant_id = EnvOr("AZURE_TENANT_ID");
  out.authority_host = EnvOr("AZURE_AUTHORITY_HOST", out.authority_host);
  return out;
}

std::shared_ptr<TokenSource> AzureWorkloadIdentityTokens(AzureEnvironment env,
                                                         const kube::Clock& clock) {
  return CachedTokenSource([env = std::move(env)] { return ExchangeFederatedToken(env); }, clock);
}

}  // namespace gearbox::metrics
