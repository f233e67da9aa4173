// What a request to a Prometheus server carries to prove who sends it, beyond static headers
// (bearer, basic and custom headers are set from the policy's Secrets as they are): a signature
// computed per request (AWS SigV4) or a token fetched from an identity provider and cached (Google,
// Entra). An Apply that fails leaves the request unsent; its error names the provider and the HTTP
// status, never a credential or the provider's answer.
#pragma once

#include <memory>

#include "base/result.h"
#include "kube/clock.h"
#include "metrics/aws_credentials.h"
#include "metrics/bounded_http.h"
#include "metrics/token_endpoint.h"

namespace gearbox::metrics {

class RequestAuth {
 public:
  virtual ~RequestAuth() = default;
  // Adds the headers that authenticate `target`, which is otherwise ready to send.
  virtual Status Apply(HttpTarget& target) = 0;
};

// Signs each request for `scope` (service "aps" for Amazon Managed Service for Prometheus).
std::shared_ptr<RequestAuth> SigV4Auth(std::shared_ptr<AwsCredentialSource> credentials,
                                       SigV4Scope scope, const kube::Clock& clock);

// Sends the source's token as `Authorization: Bearer`.
std::shared_ptr<RequestAuth> BearerTokenAuth(std::shared_ptr<TokenSource> tokens);

}  // namespace gearbox::metrics
