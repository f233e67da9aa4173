// The AWS SDKs' container credentials provider, the way EKS Pod Identity hands AWS keys to a pod
// (and ECS to a task): an HTTP GET of AWS_CONTAINER_CREDENTIALS_FULL_URI (EKS Pod Identity's
// agent: http://169.254.170.23/v1/credentials), or of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on
// ECS's http://169.254.170.2, with the Authorization header read from
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (again on every call: the kubelet rotates it) or taken
// from AWS_CONTAINER_AUTHORIZATION_TOKEN. The answer is JSON: AccessKeyId, SecretAccessKey,
// Token, Expiration. As the SDKs do, a full URI must be https, or http to a loopback address or
// to the ECS or EKS agent's link-local address: keys are never fetched in clear from elsewhere.
// The call is bounded (token_endpoint.h) and its errors name the endpoint and the status only.
#pragma once

#include <chrono>
#include <string>

#include "base/result.h"
#include "metrics/aws_sigv4.h"
#include "metrics/expiring_cache.h"

namespace gearbox::metrics {

struct AwsContainerEndpoint {
  std::string full_uri;      // AWS_CONTAINER_CREDENTIALS_FULL_URI
  std::string relative_uri;  // AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (ECS; it comes first)
  std::string token_file;    // AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (it comes first)
  std::string token;         // AWS_CONTAINER_AUTHORIZATION_TOKEN
  bool configured() const { return !full_uri.empty() || !relative_uri.empty(); }
};

// The URL to GET, or an Error (kConfig) when the full URI breaks the rules above.
Result<std::string> ContainerCredentialsUrl(const AwsContainerEndpoint& endpoint);

// The keys of an answer, or an Error: kDecode when it is not one, kAuth when already expired.
// Exposed for tests.
Result<Expiring<AwsCredentials>> ParseContainerCredentials(
    const std::string& json, std::chrono::system_clock::time_point now);

// One call to the endpoint.
Result<Expiring<AwsCredentials>> FetchContainerCredentials(
    const AwsContainerEndpoint& endpoint, std::chrono::system_clock::time_point now);

}  // namespace gearbox::metrics
