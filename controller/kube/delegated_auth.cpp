// See delegated_auth.h.
#include "kube/delegated_auth.h"

#include <openssl/evp.h>

namespace gearbox::kube {

namespace {

const ResourceRef kTokenReviews{"authentication.k8s.io", "v1", "tokenreviews", false};
const ResourceRef kAccessReviews{"authorization.k8s.io", "v1", "subjectaccessreviews", false};
constexpr size_t kMaxCached = 1024;
constexpr auto kAllowedFor = std::chrono::minutes(1);
constexpr auto kRefusedFor = std::chrono::seconds(10);

std::string CacheKey(const std::string& token, const std::string& path) {
  const std::string data = token + '\0' + path;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

Json TokenReview(const std::string& token) {
  Json review = Json::object();
  review["apiVersion"] = Json::string("authentication.k8s.io/v1");
  review["kind"] = Json::string("TokenReview");
  review["spec"]["token"] = Json::string(token);
  return review;
}

// A SubjectAccessReview of `get path` by the user a TokenReview authenticated.
Json AccessReview(const Json& user, const std::string& path) {
  Json review = Json::object();
  review["apiVersion"] = Json::string("authorization.k8s.io/v1");
  review["kind"] = Json::string("SubjectAccessReview");
  Json& spec = review["spec"];
  for (const char* field : {"uid", "groups", "extra"}) {
    if (user.has_field(field)) spec[field] = user.at(field);
  }
  spec["user"] = user.has_string_field("username") ? user.at("username") : Json::string("");
  spec["nonResourceAttributes"]["path"] = Json::string(path);
  spec["nonResourceAttributes"]["verb"] = Json::string("get");
  return review;
}

bool StatusTrue(const Json& review, const char* field) {
  return review.has_object_field("status") && review.at("status").has_boolean_field(field) &&
         review.at("status").at(field).as_bool();
}

}  // namespace

Result<DelegatedAuth::Decision> DelegatedAuth::Ask(const std::string& token,
                                                   const std::string& path) {
  ASSIGN_OR_RETURN(Json who, client_->Create(kTokenReviews, "", TokenReview(token)));
  if (!StatusTrue(who, "authenticated") || !who.at("status").has_object_field("user"))
    return Decision::kUnauthenticated;
  ASSIGN_OR_RETURN(Json may, client_->Create(kAccessReviews, "",
                                             AccessReview(who.at("status").at("user"), path)));
  return StatusTrue(may, "allowed") ? Decision::kAllowed : Decision::kForbidden;
}

Result<DelegatedAuth::Decision> DelegatedAuth::Check(const std::string& token,
                                                     const std::string& path) {
  if (token.empty()) return Decision::kUnauthenticated;
  const std::string key = CacheKey(token, path);
  const SteadyTime now = clock_.Now();
  {
    MutexLock lock(mu_);
    auto hit = cache_.find(key);
    if (hit != cache_.end() && hit->second.until > now) return hit->second.decision;
  }
  ASSIGN_OR_RETURN(Decision decision, Ask(token, path));
  MutexLock lock(mu_);
  if (cache_.size() >= kMaxCached)
    std::erase_if(cache_, [&](const auto& e) { return e.second.until <= now; });
  if (cache_.size() < kMaxCached)
    cache_[key] = {
        decision,
        now + (decision == Decision::kAllowed
                   ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(kAllowedFor)
                   : std::chrono::duration_cast<std::chrono::steady_clock::duration>(kRefusedFor))};
  return decision;
}

}  // namespace gearbox::kube
