// See secret_watches.h.
#include "reconcile/secret_watches.h"

#include <algorithm>

#include "kube/json_fields.h"

namespace gearbox::reconcile {

namespace {

const kube::ResourceRef kSecrets{"", "v1", "secrets", true};

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Every `...SecretRef: {name: ...}` under `node`, however deep: a source added to the API is
// watched without a list here to keep in step with the CRD (the PostgreSQL and Sentinel
// passwords once were not, and a rotated one was never read again).
void CollectSecretRefs(const kube::Json& node, std::vector<std::string>& names) {
  if (node.is_array()) {
    for (const auto& item : node.as_array()) CollectSecretRefs(item, names);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [field, value] : node.as_object()) {
    if (EndsWith(field, "SecretRef") && value.is_object() && value.has_string_field("name"))
      names.push_back(value.at("name").as_string());
    else
      CollectSecretRefs(value, names);
  }
}

}  // namespace

std::vector<std::string> SecretsNamedBy(const kube::Json& policy) {
  std::vector<std::string> names;
  for (const char* part : {"sources", "metrics"}) {
    if (const kube::Json* node = kube::FieldAt(policy, {"spec", part}))
      CollectSecretRefs(*node, names);
  }
  std::erase(names, std::string());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
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
  std::set<std::string> keys;
  for (const auto& name : names) keys.insert(ns + "/" + name);
  Informers closing;
  {
    MutexLock lock(mu_);
    if (stopped_) return;
    std::set<std::string>& held = named_by_[policy_key];
    if (held == keys) return;  // the usual update (a status write): nothing to do
    for (const auto& key : keys)
      if (!held.count(key) && refs_[key]++ == 0) Open(ns, key.substr(ns.size() + 1));
    for (const auto& key : held)
      if (!keys.count(key)) Unref(key, closing);
    held = std::move(keys);
    if (held.empty()) named_by_.erase(policy_key);
  }
  for (auto& informer : closing) informer->Stop();
}

void SecretWatches::Release(const std::string& policy_key) {
  Informers closing;
  {
    MutexLock lock(mu_);
    auto it = named_by_.find(policy_key);
    if (it == named_by_.end()) return;
    for (const auto& key : it->second) Unref(key, closing);
    named_by_.erase(it);
  }
  for (auto& informer : closing) informer->Stop();
}

// One policy fewer names `key`: the last takes its informer out, to be stopped without the lock.
void SecretWatches::Unref(const std::string& key, Informers& closing) {
  if (--refs_[key] > 0) return;
  refs_.erase(key);
  auto it = informers_.find(key);
  if (it == informers_.end()) return;
  closing.push_back(std::move(it->second));
  informers_.erase(it);
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
