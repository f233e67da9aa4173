// Google OAuth access tokens for Google Cloud Managed Service for Prometheus, sent as a bearer
// token. Two ways to get one:
// - the GCE metadata server (GKE workload identity: the controller's Kubernetes ServiceAccount
//   bound to a Google service account): GET
//   http://{GCE_METADATA_HOST or
//   metadata.google.internal}/computeMetadata/v1/instance/service-accounts/default/token with
//   `Metadata-Flavor: Google`;
// - a service-account key (JSON) from a policy's Secret: a JWT (RS256, signed with the key)
//   exchanged at Google's token endpoint with the JWT bearer grant (RFC 7523). The key's
//   token_uri must be the controller's Google token endpoint (https://oauth2.googleapis.com/token,
//   or GEARBOX_GOOGLE_TOKEN_URL in the controller's environment): a tenant's Secret cannot send
//   the controller elsewhere.
// Both cached until five minutes before they expire.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "kube/clock.h"
#include "metrics/token_endpoint.h"

namespace gearbox::metrics {

inline constexpr const char* kGoogleMonitoringReadScope =
    "https://www.googleapis.com/auth/monitoring.read";

struct GoogleEnvironment {
  std::string metadata_host = "metadata.google.internal";         // GCE_METADATA_HOST (host[:port])
  std::string token_url = "https://oauth2.googleapis.com/token";  // GEARBOX_GOOGLE_TOKEN_URL
  static GoogleEnvironment FromProcess();
};

std::shared_ptr<TokenSource> GoogleMetadataTokens(const GoogleEnvironment& env,
                                                  const kube::Clock& clock);

// An Error (kConfig) when the key is not a service-account key or names another token_uri.
Result<std::shared_ptr<TokenSource>> GoogleServiceAccountTokens(const std::string& key_json,
                                                                const GoogleEnvironment& env,
                                                                const kube::Clock& clock);

// The signed JWT of the grant (exposed for tests): header.claims.signature, base64url.
Result<std::string> GoogleJwtAssertion(const std::string& client_email,
                                       const std::string& private_key_pem,
                                       const std::string& key_id, const std::string& token_url,
                                       std::chrono::system_clock::time_point now);

}  // namespace gearbox::metrics
