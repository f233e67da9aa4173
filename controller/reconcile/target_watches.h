// The production TargetCache: an informer per target kind and namespace, started the first time a
// policy names that kind there (and one of HorizontalPodAutoscalers per namespace with policies). A
// change of what Gearbox reads from a target (its generation, replica or ready counts) is reported
// to `on_change`, so the policies naming it look again.
#pragma once

#include <functional>
#include <map>
#include <memory>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "kube/informer.h"
#include "reconcile/shard.h"
#include "reconcile/target_reader.h"
#include "telemetry/log.h"

namespace gearbox::reconcile {

class TargetWatches final : public TargetCache {
 public:
  using OnChange = std::function<void(const kube::Json& target)>;
  // all_namespaces: one informer per kind on all namespaces (the controller watches all of them:
  // 2 watches, not 2 per namespace, each holding a TLS connection and a thread); otherwise one
  // per kind and namespace (RBAC may allow only the namespaces it watches). A shard caches only
  // the targets in its own namespaces.
  TargetWatches(std::shared_ptr<kube::Client> client, OnChange on_change, telemetry::Logger& log,
                bool all_namespaces, Shard shard = {})
      : client_(std::move(client)),
        on_change_(std::move(on_change)),
        log_(log),
        all_namespaces_(all_namespaces),
        shard_(shard) {}
  ~TargetWatches() override;

  std::optional<kube::ObjectPtr> Lookup(const kube::ResourceRef& ref, const std::string& ns,
                                        const std::string& name) override;
  std::optional<std::vector<kube::ObjectPtr>> ListIn(const kube::ResourceRef& ref,
                                                     const std::string& ns) override;
  void Stop();

 private:
  kube::Informer& InformerFor(const kube::ResourceRef& ref, const std::string& ns) REQUIRES(mu_);
  // The informer of the kind in `ns` (started now if it was not), or null once stopped.
  kube::Informer* Started(const kube::ResourceRef& ref, const std::string& ns) EXCLUDES(mu_);

  std::shared_ptr<kube::Client> client_;
  OnChange on_change_;
  telemetry::Logger& log_;
  const bool all_namespaces_;
  const Shard shard_;
  Mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
  // "resource/version/ns" ("resource/version/" on all namespaces) -> its informer
  std::map<std::string, std::unique_ptr<kube::Informer>> informers_ GUARDED_BY(mu_);
};

}  // namespace gearbox::reconcile
