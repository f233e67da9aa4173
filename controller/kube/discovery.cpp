// See discovery.h.
#include "kube/discovery.h"

namespace gearbox::kube {

Result<ResourceInfo> Discovery::FindKind(const Json& list, const std::string& api_version,
                                         const std::string& kind) {
  if (!list.has_array_field("resources")) {
    return Error::Of(Error::Kind::kDecode,
                     "discovery document for " + api_version + " has no resources");
  }
  ResourceInfo info;
  bool found = false;
  const auto& resources = list.at("resources").as_array();
  for (const auto& r : resources) {
    if (!r.has_string_field("name") || !r.has_string_field("kind")) continue;
    const std::string& name = r.at("name").as_string();
    if (name.find('/') == std::string::npos && r.at("kind").as_string() == kind) {
      auto slash = api_version.find('/');
      info.ref.group = slash == std::string::npos ? "" : api_version.substr(0, slash);
      info.ref.version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
      info.ref.resource = name;
      info.ref.namespaced = r.has_boolean_field("namespaced") && r.at("namespaced").as_bool();
      info.kind = kind;
      found = true;
      break;
    }
  }
  if (!found) {
    return Error::Api(404, "NotFound", "the server has no kind " + kind + " in " + api_version);
  }
  for (const auto& r : resources) {
    if (!r.has_string_field("name")) continue;
    const std::string& name = r.at("name").as_string();
    if (name == info.ref.resource + "/scale") info.has_scale = true;
    if (name == info.ref.resource + "/status") info.has_status = true;
  }
  return info;
}

Result<ResourceInfo> Discovery::Resolve(const std::string& api_version, const std::string& kind) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Json doc;
    {
      MutexLock lock(mu_);
      auto it = documents_.find(api_version);
      if (it != documents_.end() && attempt == 0) doc = it->second;
    }
    if (doc.is_null()) {
      std::string path = api_version.find('/') == std::string::npos ? "/api/" + api_version
                                                                    : "/apis/" + api_version;
      auto fetched = client_->GetPath(path);
      if (!fetched) {
        if (fetched.error().IsNotFound()) {
          return Error::Api(404, "NotFound", "the server does not serve " + api_version);
        }
        return fetched.error();
      }
      doc = *fetched;
      MutexLock lock(mu_);
      documents_[api_version] = doc;
    }
    auto info = FindKind(doc, api_version, kind);
    if (info || attempt == 1) return info;
  }
  return Error::Api(404, "NotFound", "the server has no kind " + kind + " in " + api_version);
}

void Discovery::Invalidate() {
  MutexLock lock(mu_);
  documents_.clear();
}

}  // namespace gearbox::kube
