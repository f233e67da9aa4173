// See fenced_client.h.
#include "kube/fenced_client.h"

namespace gearbox::kube {

std::optional<Error> FencedClient::Refuse(const char* verb, const ResourceRef& r,
                                          const std::string& ns, const std::string& name) const {
  if (may_write_()) return std::nullopt;
  return Error::Of(Error::Kind::kNotLeader, std::string(verb) + " " + r.Name() +
                                                (name.empty() ? "" : "/" + name) + " in " + ns +
                                                ": not sent, this replica does not hold the "
                                                "leader Lease");
}

Result<Json> FencedClient::Create(const ResourceRef& r, const std::string& ns, const Json& body) {
  if (auto refused = Refuse("create", r, ns, "")) return *refused;
  return inner_->Create(r, ns, body);
}

Result<Json> FencedClient::Update(const ResourceRef& r, const std::string& ns,
                                  const std::string& name, const Json& body,
                                  const std::string& subresource) {
  if (auto refused = Refuse("update", r, ns, name)) return *refused;
  return inner_->Update(r, ns, name, body, subresource);
}

Result<Json> FencedClient::Patch(const ResourceRef& r, const std::string& ns,
                                 const std::string& name, PatchType type, const Json& body,
                                 const std::string& subresource, const PatchOptions& options) {
  if (auto refused = Refuse("patch", r, ns, name)) return *refused;
  return inner_->Patch(r, ns, name, type, body, subresource, options);
}

Status FencedClient::Delete(const ResourceRef& r, const std::string& ns, const std::string& name) {
  if (auto refused = Refuse("delete", r, ns, name)) return *refused;
  return inner_->Delete(r, ns, name);
}

}  // namespace gearbox::kube
