// See secret_watches.h.
#include "reconcile/secret_watches.h"

#include "kube/json_fields.h"

namespace gearbox::reconcile {

namespace {

const kube::ResourceRef kSecrets{"", "v1", "secrets", true};

}  // namespace

std::vector<std::string> SecretsNamedBy(const kube::Json& policy) {
  std::vector<std::string> names;
  for (const std::string& name :
       {kube::StringAt(policy, {"spec", "sources", "prometheus", "bearerTokenSecretRef", "name"}),
        kube::StringAt(policy, {"spec", "sources", "prometheus", "caSecretRef", "name"}),
        kube::StringAt(policy, {"spec", "sources", "redis", "passwordSecretRef", "name"})}) {
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

SecretWatches::~SecretWatches() { Stop(); }

void SecretWatches::Stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  for (auto& [key, informer] : informers_) informer->Stop();
}

size_t SecretWatches::watched() const {
  std::lock_guard lock(mu_);
  return informers_.size();
}

void SecretWatches::Watch(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  auto& slot = informers_[ns + "/" + name];
  if (stopped_ || slot) return;
  kube::InformerOptions io;
  io.field_selector = "metadata.name=" + name;
  io.log = [this, ns, name](const std::string& m) {
    log_.Warn("secret informer " + ns + "/" + name + ": " + m);
  };
  slot = std::make_unique<kube::Informer>(client_, kSecrets, ns, io);
  auto changed = [this, ns, name](const kube::Json&) { on_change_(ns, name); };
  slot->AddHandlers({changed,
                     [changed](const kube::Json& old_obj, const kube::Json& new_obj) {
                       // Only the data matters; the resync of an unchanged Secret does not.
                       if (old_obj.at("metadata").at("resourceVersion") !=
                           new_obj.at("metadata").at("resourceVersion"))
                         changed(new_obj);
                     },
                     changed});
  slot->Start();
}

}  // namespace gearbox::reconcile
