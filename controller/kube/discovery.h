// Maps {apiVersion, kind} to its resource (what the URL names) and says whether it has a /scale
// and a /status subresource, from the API server's discovery documents. Results are cached per
// group/version; a kind that is not found triggers one fresh look (a CRD may be newer than the
// cache).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "base/mutex.h"
#include "kube/client.h"

namespace gearbox::kube {

struct ResourceInfo {
  ResourceRef ref;
  std::string kind;
  bool has_scale = false;
  bool has_status = false;
};

class Discovery {
 public:
  explicit Discovery(std::shared_ptr<Client> client) : client_(std::move(client)) {}

  Result<ResourceInfo> Resolve(const std::string& api_version, const std::string& kind);
  void Invalidate();

  // Parses one discovery document (an APIResourceList) for `kind`.
  static Result<ResourceInfo> FindKind(const Json& resource_list, const std::string& api_version,
                                       const std::string& kind);

 private:
  std::shared_ptr<Client> client_;
  Mutex mu_;
  std::map<std::string, Json> documents_ GUARDED_BY(mu_);  // apiVersion -> APIResourceList
};

}  // namespace gearbox::kube
