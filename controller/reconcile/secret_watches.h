// The Secrets that policies name, watched one by one: an informer per Secret (a field selector on
// its name, so the controller needs `list`/`watch` only on those names, never on every Secret of
// a namespace, and caches nothing else). A Secret created, changed (a rotated token) or deleted
// is reported to `on_change`, so the policies that name it build their sources again.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/thread_annotations.h"
#include "kube/informer.h"
#include "telemetry/log.h"

namespace gearbox::reconcile {

// The names of the Secrets a ScalingPolicy object's sources refer to (in its own namespace).
std::vector<std::string> SecretsNamedBy(const kube::Json& policy);

class SecretWatches {
 public:
  using OnChange = std::function<void(const std::string& ns, const std::string& name)>;
  SecretWatches(std::shared_ptr<kube::Client> client, OnChange on_change, telemetry::Logger& log)
      : client_(std::move(client)), on_change_(std::move(on_change)), log_(log) {}
  ~SecretWatches();

  // Starts watching ns/name unless it is watched already (or Stop() was called).
  void Watch(const std::string& ns, const std::string& name) EXCLUDES(mu_);
  void Stop() EXCLUDES(mu_);
  size_t watched() const EXCLUDES(mu_);

 private:
  std::shared_ptr<kube::Client> client_;
  OnChange on_change_;
  telemetry::Logger& log_;
  mutable std::mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::map<std::string, std::unique_ptr<kube::Informer>> informers_ GUARDED_BY(mu_);  // ns/name
};

}  // namespace gearbox::reconcile
