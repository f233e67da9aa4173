// Who may read the controller's /metrics, asked of the API server as controller-runtime's secure
// metrics filter and kube-rbac-proxy do: the request's bearer token reviewed (TokenReview), then
// the user it belongs to checked for `get` on the path (SubjectAccessReview, a non-resource URL:
// grant it with a ClusterRole rule `nonResourceURLs: [/metrics], verbs: [get]`).
// Decisions are cached by a hash of token and path (never the token itself): a minute when
// allowed, 10 s when refused, at most 1,024, so a Prometheus scraping every 15 s costs the API
// server two reviews a minute, and a flood of made-up tokens cannot grow the cache without bound.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/result.h"
#include "kube/client.h"
#include "kube/clock.h"

namespace gearbox::kube {

class DelegatedAuth {
 public:
  enum class Decision { kAllowed, kUnauthenticated, kForbidden };

  DelegatedAuth(std::shared_ptr<Client> client, const Clock& clock)
      : client_(std::move(client)), clock_(clock) {}

  // Whether the bearer `token` ("" when none) may GET `path`; an Error when the API server could
  // not be asked (the caller answers 500, not 403: nothing was decided).
  Result<Decision> Check(const std::string& token, const std::string& path) EXCLUDES(mu_);

 private:
  Result<Decision> Ask(const std::string& token, const std::string& path);
  struct Cached {
    Decision decision;
    SteadyTime until;
  };

  std::shared_ptr<Client> client_;
  const Clock& clock_;
  Mutex mu_;
  std::map<std::string, Cached> cache_ GUARDED_BY(mu_);  // SHA-256(token, path) -> decision
};

}  // namespace gearbox::kube
