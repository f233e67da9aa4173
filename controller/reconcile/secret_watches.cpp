// See secret_watches.h.
#include "reconcile/secret_watches.h"

#include "kube/json_fields.h"

namespace gearbox::reconcile {

namespace {

const kube::ResourceRef kSecrets{"", "v1", "secrets", true};

// The Prometheus source's credentials in Secrets: spec.sources.prometheus's headers, tls and auth.
void PrometheusAuthSecrets(const kube::Json& prometheus, std::vector<std::string>& names) {
  const kube::Json* headers = kube::FieldAt(prometheus, {"headers"});
  if (headers && headers->is_array()) {
    for (const auto& h : headers->as_array())
      names.push_back(kube::StringAt(h, {"valueSecretRef", "name"}));
  }
  const kube::Json& p = prometheus;
  for (const std::string& name :
       {kube::StringAt(p, {"tls", "certSecretRef", "name"}),
        kube::StringAt(p, {"tls", "keySecretRef", "name"}),
        kube::StringAt(p, {"auth", "basic", "usernameSecretRef", "name"}),
        kube::StringAt(p, {"auth", "basic", "passwordSecretRef", "name"}),
        kube::StringAt(p, {"auth", "sigv4", "accessKeyIdSecretRef", "name"}),
        kube::StringAt(p, {"auth", "sigv4", "secretAccessKeySecretRef", "name"}),
        kube::StringAt(p, {"auth", "sigv4", "sessionTokenSecretRef", "name"}),
        kube::StringAt(p, {"auth", "google", "serviceAccountKeySecretRef", "name"})})
    names.push_back(name);
}

// The RabbitMQ management user's Secrets and those of each metricsApi metric.
void AddHttpJsonSecrets(const kube::Json& policy, std::vector<std::string>& names) {
  const char* kRefs[] = {"bearerTokenSecretRef", "usernameSecretRef", "passwordSecretRef",
                         "caSecretRef"};
  for (const char* ref : kRefs) {
    std::string name = kube::StringAt(policy, {"spec", "sources", "rabbitmq", ref, "name"});
    if (!name.empty()) names.push_back(std::move(name));
  }
  if (!policy.has_object_field("spec") || !policy.at("spec").has_array_field("metrics")) return;
  for (const auto& metric : policy.at("spec").at("metrics").as_array()) {
    for (const char* ref : kRefs) {
      std::string name = kube::StringAt(metric, {"metricsApi", ref, "name"});
      if (!name.empty()) names.push_back(std::move(name));
    }
  }
}

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
    names.push_back(name);
  }
  if (const kube::Json* prometheus = kube::FieldAt(policy, {"spec", "sources", "prometheus"}))
    PrometheusAuthSecrets(*prometheus, names);
  AddHttpJsonSecrets(policy, names);
  std::erase(names, std::string());
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
