// The controller's own cloud identities, configured by its environment (never by a policy) and
// shared by every policy that uses them, so each has one token cache: AWS keys or IRSA
// (aws_credentials.h), the GCE metadata server (google_token.h), Entra workload identity
// (azure_token.h). Made on first use; nothing is fetched until a policy needs it.
#pragma once

#include <memory>

#include "metrics/aws_credentials.h"
#include "metrics/azure_token.h"
#include "metrics/google_token.h"

namespace gearbox::metrics {

struct CloudIdentities {
  std::shared_ptr<AwsCredentialSource> aws;
  GoogleEnvironment google;
  std::shared_ptr<TokenSource> google_metadata;
  std::shared_ptr<TokenSource> azure;

  CloudIdentities(AwsEnvironment aws_env, GoogleEnvironment google_env, AzureEnvironment azure_env,
                  const kube::Clock& clock);
  // From the process's environment, on the real clock.
  static const CloudIdentities& Process();
};

}  // namespace gearbox::metrics
