// The Secrets that policies name, watched one by one: an informer per Secret (a field selector on
// its name, so the controller needs `list`/`watch` only on those names, never on every Secret of
// a namespace, and caches nothing else). A Secret created, changed (a rotated token) or deleted
// is reported to `on_change`, so the policies that name it build their sources again. A watch is
// closed once no policy names its Secret: a tenant renaming a Secret over and over cannot pile up
// watches (and their connections) on the API server.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "kube/informer.h"
#include "telemetry/log.h"

namespace gearbox::reconcile {

// The names of the Secrets a ScalingPolicy object's sources and metrics refer to (every
// `...SecretRef` under spec.sources and spec.metrics; in its own namespace), sorted, each once.
std::vector<std::string> SecretsNamedBy(const kube::Json& policy);

class SecretWatches {
 public:
  using OnChange = std::function<void(const std::string& ns, const std::string& name)>;
  SecretWatches(std::shared_ptr<kube::Client> client, OnChange on_change, telemetry::Logger& log)
      : client_(std::move(client)), on_change_(std::move(on_change)), log_(log) {}
  ~SecretWatches();

  // The Secrets (names in `ns`) the policy `policy_key` names now: each is watched while at least
  // one policy names it, and its watch is closed when the last stops naming it.
  void Name(const std::string& policy_key, const std::string& ns,
            const std::vector<std::string>& names) EXCLUDES(mu_);
  // The policy is gone: it names nothing any more.
  void Release(const std::string& policy_key) EXCLUDES(mu_);
  void Stop() EXCLUDES(mu_);
  size_t watched() const EXCLUDES(mu_);

 private:
  using Informers = std::vector<std::unique_ptr<kube::Informer>>;
  void Open(const std::string& ns, const std::string& name) REQUIRES(mu_);
  void Unref(const std::string& key, Informers& closing) REQUIRES(mu_);

  std::shared_ptr<kube::Client> client_;
  OnChange on_change_;
  telemetry::Logger& log_;
  mutable Mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::map<std::string, std::unique_ptr<kube::Informer>> informers_ GUARDED_BY(mu_);  // ns/name
  std::map<std::string, std::set<std::string>> named_by_ GUARDED_BY(mu_);  // policy -> ns/names
  std::map<std::string, int> refs_ GUARDED_BY(mu_);  // ns/name -> the policies naming it
};

}  // namespace gearbox::reconcile
