// A Client whose writes are fenced on leadership: create, update, patch and delete reach the API
// server only while `may_write()` says so, and are refused (Error::Kind::kNotLeader) otherwise,
// without a request. Reads and watches always pass. The controller's workers, status writes and
// Events all go through one, so that a replica that cannot prove it holds the Lease writes nothing
// (kube/leader_election.h, "Fencing").
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "kube/client.h"

namespace gearbox::kube {

class FencedClient final : public Client {
 public:
  FencedClient(std::shared_ptr<Client> inner, std::function<bool()> may_write)
      : inner_(std::move(inner)), may_write_(std::move(may_write)) {}

  Result<Json> Get(const ResourceRef& r, const std::string& ns, const std::string& name,
                   const std::string& subresource = "") override {
    return inner_->Get(r, ns, name, subresource);
  }
  Result<Json> List(const ResourceRef& r, const std::string& ns,
                    const ListOptions& options = {}) override {
    return inner_->List(r, ns, options);
  }
  Result<WatchStream> Watch(const ResourceRef& r, const std::string& ns,
                            const WatchOptions& options) override {
    return inner_->Watch(r, ns, options);
  }
  Result<Json> GetPath(const std::string& path) override { return inner_->GetPath(path); }

  Result<Json> Create(const ResourceRef& r, const std::string& ns, const Json& body) override;
  Result<Json> Update(const ResourceRef& r, const std::string& ns, const std::string& name,
                      const Json& body, const std::string& subresource = "") override;
  Result<Json> Patch(const ResourceRef& r, const std::string& ns, const std::string& name,
                     PatchType type, const Json& body, const std::string& subresource = "",
                     const PatchOptions& options = {}) override;
  Status Delete(const ResourceRef& r, const std::string& ns, const std::string& name) override;

 private:
  // The refusal, naming the write as the API errors do; nullopt when the write may go.
  std::optional<Error> Refuse(const char* verb, const ResourceRef& r, const std::string& ns,
                              const std::string& name) const;

  std::shared_ptr<Client> inner_;
  std::function<bool()> may_write_;
};

}  // namespace gearbox::kube
