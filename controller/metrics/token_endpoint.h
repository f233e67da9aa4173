// Calls to the identity endpoints that hand out credentials (AWS STS, the GCE metadata server,
// Google's and Entra's OAuth token endpoints): a bounded request (bounded_http.h: 10 s for the
// whole exchange, 64 KiB of answer) to a URL from the controller's environment, and the answer's
// errors in fixed words. Nothing the endpoint says is quoted (its error text may echo the
// assertion or name the role), and nothing sent (a token, an assertion) is ever in an error.
#pragma once

#include <cpprest/json.h>

#include <chrono>
#include <memory>
#include <string>

#include "base/result.h"
#include "metrics/bounded_http.h"
#include "metrics/expiring_cache.h"

namespace gearbox::metrics {

struct TokenRequest {
  std::string url;                                        // http(s)://host[:port]/path[?query]
  std::string method;                                     // "GET" or "POST"
  std::vector<std::pair<std::string, std::string>> form;  // POST: the x-www-form-urlencoded body
  std::vector<std::pair<std::string, std::string>> headers;
  std::string what;  // "AWS STS", "the GCE metadata server": how errors name the endpoint
};

inline constexpr std::chrono::milliseconds kTokenDeadline{10000};
inline constexpr size_t kMaxTokenAnswerBytes = 64 << 10;

// The body of a 2xx answer, or an Error: kTransport/kTimeout/kTls/kDecode as bounded_http says,
// kAuth for 400/401/403 (the credential was refused), kApi otherwise; the message names the
// endpoint and the HTTP status only.
Result<std::string> CallTokenEndpoint(const TokenRequest& request);

// A bearer token for requests, fresh whenever asked (cached by the source).
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual Result<std::string> Token() = 0;
};

// A TokenSource that calls `fetch` when it has no token or its token is near expiry.
std::shared_ptr<TokenSource> CachedTokenSource(ExpiringCache<std::string>::Fetch fetch,
                                               const kube::Clock& clock);

// A token the platform projects into a file (IRSA's, Entra workload identity's): read again on
// every exchange, since the kubelet rotates it. `variable` names the setting in errors.
Result<std::string> ReadProjectedToken(const std::string& path, const std::string& variable);

// An environment variable of the controller, `fallback` when unset or empty.
std::string EnvOr(const char* name, const std::string& fallback = "");

// An OAuth 2 token answer ({"access_token": ..., "expires_in": N}), as Google and Entra send it.
Result<Expiring<std::string>> ParseOAuthToken(const std::string& body, const std::string& what);

}  // namespace gearbox::metrics
