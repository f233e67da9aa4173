// See cloud_identities.h.
#include "metrics/cloud_identities.h"

namespace gearbox::metrics {

CloudIdentities::CloudIdentities(AwsEnvironment aws_env, GoogleEnvironment google_env,
                                 AzureEnvironment azure_env, const kube::Clock& clock)
    : aws(AwsEnvironmentCredentials(std::move(aws_env), clock)),
      google(std::move(google_env)),
      google_metadata(GoogleMetadataTokens(google, clock)),
      azure(AzureWorkloadIdentityTokens(std::move(azure_env), clock)) {}

const CloudIdentities& CloudIdentities::Process() {
  static const CloudIdentities identities(
      AwsEnvironment::FromProcess(), GoogleEnvironment::FromProcess(),
      AzureEnvironment::FromProcess(), kube::RealClock::Instance());
  return identities;
}

}  // namespace gearbox::metrics
