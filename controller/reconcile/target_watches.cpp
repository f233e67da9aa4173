// See target_watches.h.
#include "reconcile/target_watches.h"

#include "kube/json_fields.h"
#include "reconcile/scale_in_object.h"

namespace gearbox::reconcile {

namespace {

// What the reconciler reads from a target; only a change of it is worth a new look.
std::string Counts(const kube::Json& o) {
  auto s = ReadTargetState(o, nullptr, "");
  return std::to_string(s.generation) + "/" + std::to_string(s.ready) + "/" +
         std::to_string(kube::IntAt(o, {"status", "replicas"}).value_or(-1)) + "/" +
         std::to_string(kube::IntAt(o, {"status", "instances"}).value_or(-1));
}

}  // namespace

TargetWatches::~TargetWatches() { Stop(); }

void TargetWatches::Stop() {
  MutexLock lock(mu_);
  stopped_ = true;
  for (auto& [key, informer] : informers_) informer->Stop();
}

kube::Informer& TargetWatches::InformerFor(const kube::ResourceRef& ref, const std::string& in) {
  const std::string ns = all_namespaces_ ? "" : in;
  auto& slot = informers_[ref.Name() + "/" + ref.version + "/" + ns];
  if (slot) return *slot;
  kube::InformerOptions io;
  io.log = [this, name = ref.Name(),
            where = ns.empty() ? "all namespaces" : ns](const std::string& m) {
    log_.Warn("target informer " + name + " in " + where + ": " + m);
  };
  if (ref.group == "apps") io.transform = TrimAppsTarget;
  io.keep = KeepOwn(shard_);
  slot = std::make_unique<kube::Informer>(client_, ref, ns, io);
  slot->AddHandlers({[this](const kube::Json& o) { on_change_(o); },
                     [this](const kube::Json& old_obj, const kube::Json& new_obj) {
                       if (Counts(old_obj) != Counts(new_obj)) on_change_(new_obj);
                     },
                     [this](const kube::Json& o) { on_change_(o); }});
  slot->Start();
  log_.Info("watching targets", {{"resource", ref.Name()}, {"namespace", ns}});
  return *slot;
}

kube::Informer* TargetWatches::Started(const kube::ResourceRef& ref, const std::string& ns) {
  MutexLock lock(mu_);
  if (stopped_) return nullptr;
  return &InformerFor(ref, ns);
}

std::optional<kube::ObjectPtr> TargetWatches::Lookup(const kube::ResourceRef& ref,
                                                     const std::string& ns,
                                                     const std::string& name) {
  kube::Informer* informer = Started(ref, ns);
  if (!informer || !informer->HasSynced()) return std::nullopt;
  return informer->Get(ns + "/" + name);
}

std::optional<std::vector<kube::ObjectPtr>> TargetWatches::ListIn(const kube::ResourceRef& ref,
                                                                  const std::string& ns) {
  kube::Informer* informer = Started(ref, ns);
  if (!informer || !informer->HasSynced()) return std::nullopt;
  return all_namespaces_ ? informer->ListIn(ns) : informer->List();
}

}  // namespace gearbox::reconcile
