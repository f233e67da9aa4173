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
        kube::StringAt(policy, {"spec", "sources", "redis", "passwordSecretRef", "name"}),
        kube::StringAt(policy, {"spec", "sources", "redis", "tls", "caSecretRef", "name"}),
        kube::StringAt(policy, {"spec", "sources", "redis", "tls", "certSecretRef", "name"}),
        kube::StringAt(policy, {"spec", "sources", "redis", "tls", "keySecretRef", "name"})}) {
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

SecretWatches::~SecretWatches() { Stop(); }

void SecretWatches::Stop() {
  Informers stopping;
  {
    MutexLock lock(mu_);
    stopped_ = true;
    for (auto& [key, informer] : informers_) stopping.push_back(std::move(informer));
    informers_.clear();
  }
  for (auto& informer : stopping) informer->Stop();
}

size_t SecretWatches::watched() const {
  MutexLock lock(mu_);
  return informers_.size();
}

void SecretWatches::Name(const std::string& policy_key, const std::string& ns,
                         const std::vector<std::string>& names) {
  Informers closing;
  {
    MutexLock lock(mu_);
    if (stopped_) return;
    std::set<std::string>& keys = named_by_[policy_key];
    keys.clear();
    for (const auto& name : names) {
      keys.insert(ns + "/" + name);
      Open(ns, name);
    }
    if (keys.empty()) named_by_.erase(policy_key);
    closing = Unneeded();
  }
  for (auto& informer : closing) informer->Stop();
}

void SecretWatches::Release(const std::string& policy_key) {
  Informers closing;
  {
    MutexLock lock(mu_);
    named_by_.erase(policy_key);
    closing = Unneeded();
  }
  for (auto& informer : closing) informer->Stop();
}

SecretWatches::Informers SecretWatches::Unneeded() {
  std::set<std::string> needed;
  for (const auto& [policy, keys] : named_by_) needed.insert(keys.begin(), keys.end());
  Informers out;
  for (auto it = informers_.begin(); it != informers_.end();) {
    if (needed.count(it->first)) {
      ++it;
      continue;
    }
    out.push_back(std::move(it->second));
    it = informers_.erase(it);
  }
  return out;
}

void SecretWatches::Open(const std::string& ns, const std::string& name) {
  auto& slot = informers_[ns + "/" + name];
  if (slot) return;
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
