// Where the AWS keys that sign requests to Amazon Managed Service for Prometheus come from, when
// a policy does not give them in a Secret: the controller's environment, in the AWS SDKs' order.
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) when set; else IRSA (EKS's IAM
// roles for service accounts): AWS_ROLE_ARN and the projected token in AWS_WEB_IDENTITY_TOKEN_FILE
// exchanged through STS AssumeRoleWithWebIdentity for temporary keys; else the container
// credentials endpoint (EKS Pod Identity's agent, ECS's: aws_container_credentials.h). Temporary
// keys are cached until shortly before they expire. STS is https://sts.{AWS_REGION}.amazonaws.com
// (https://sts.amazonaws.com without a region), or AWS_ENDPOINT_URL_STS.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "kube/clock.h"
#include "metrics/aws_container_credentials.h"
#include "metrics/aws_sigv4.h"
#include "metrics/expiring_cache.h"

namespace gearbox::metrics {

// The environment variables that matter, read once (tests fill it themselves).
struct AwsEnvironment {
  AwsCredentials keys;             // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
  std::string role_arn;            // AWS_ROLE_ARN
  std::string token_file;          // AWS_WEB_IDENTITY_TOKEN_FILE
  std::string role_session_name;   // AWS_ROLE_SESSION_NAME, default "gearbox-controller"
  std::string region;              // AWS_REGION or AWS_DEFAULT_REGION
  std::string sts_endpoint;        // AWS_ENDPOINT_URL_STS
  AwsContainerEndpoint container;  // AWS_CONTAINER_CREDENTIALS_FULL_URI, ... (EKS Pod Identity)
  static AwsEnvironment FromProcess();
  std::string StsUrl() const;
};

// The parts of STS's AssumeRoleWithWebIdentity answer (XML) that matter; an Error (kDecode) when
// the answer is not one. Exposed for tests.
Result<Expiring<AwsCredentials>> ParseAssumeRoleAnswer(const std::string& xml,
                                                       std::chrono::system_clock::time_point now);

class AwsCredentialSource {
 public:
  virtual ~AwsCredentialSource() = default;
  virtual Result<AwsCredentials> Get() = 0;
};

// The controller's own AWS identity from its environment; an Error (kConfig) on every Get when
// the environment has no keys, no IRSA and no container credentials endpoint.
std::shared_ptr<AwsCredentialSource> AwsEnvironmentCredentials(AwsEnvironment env,
                                                               const kube::Clock& clock);

// Keys a policy gave in a Secret.
std::shared_ptr<AwsCredentialSource> AwsStaticCredentials(AwsCredentials keys);

}  // namespace gearbox::metrics
