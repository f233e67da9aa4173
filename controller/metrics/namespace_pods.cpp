// See namespace_pods.h.
#include "metrics/namespace_pods.h"

#include "kube/json_fields.h"

namespace gearbox::metrics {

namespace {

using kube::Json;

const kube::ResourceRef kPods{"", "v1", "pods", true};

// Moves from[key] into to[key], if from has it.
void Take(Json& from, const char* key, Json& to) {
  if (from.is_object() && from.has_field(key)) to[key] = std::move(from[key]);
}

// Each container's name and its cpu and memory requests.
Json TrimmedContainers(Json& spec) {
  Json out = Json::array();
  if (!spec.has_array_field("containers")) return out;
  size_t i = 0;
  for (auto& container : spec["containers"].as_array()) {
    Json c = Json::object();
    Take(container, "name", c);
    Json* requests = container.has_object_field("resources") &&
                             container["resources"].has_object_field("requests")
                         ? &container["resources"]["requests"]
                         : nullptr;
    if (requests) {
      Json kept = Json::object();
      Take(*requests, "cpu", kept);
      Take(*requests, "memory", kept);
      c["resources"]["requests"] = std::move(kept);
    }
    out[i++] = std::move(c);
  }
  return out;
}

// The phase, and of the conditions only Ready (its status and when it last changed).
Json TrimmedStatus(Json& status) {
  Json out = Json::object();
  Take(status, "phase", out);
  if (!status.has_array_field("conditions")) return out;
  for (auto& condition : status["conditions"].as_array()) {
    if (kube::StringAt(condition, {"type"}) != "Ready") continue;
    Json ready = Json::object();
    for (const char* key : {"type", "status", "lastTransitionTime"}) Take(condition, key, ready);
    out["conditions"][0] = std::move(ready);
  }
  return out;
}

}  // namespace

void TrimPod(Json& pod) {
  Json trimmed = Json::object();
  Json meta = Json::object();
  if (pod.has_object_field("metadata")) {
    for (const char* key : {"name", "namespace", "resourceVersion", "labels", "deletionTimestamp"})
      Take(pod["metadata"], key, meta);
  }
  trimmed["metadata"] = std::move(meta);
  if (pod.has_object_field("spec")) trimmed["spec"]["containers"] = TrimmedContainers(pod["spec"]);
  if (pod.has_object_field("status")) trimmed["status"] = TrimmedStatus(pod["status"]);
  pod = std::move(trimmed);
}

namespace {

kube::InformerOptions TrimmedPods(Log log) {
  kube::InformerOptions options;
  options.log = std::move(log);
  options.drop_managed_fields = false;  // TrimPod keeps far less
  options.transform = TrimPod;
  return options;
}

}  // namespace

NamespacePods::NamespacePods(std::shared_ptr<kube::Client> client, std::string ns,
                             const kube::Clock& clock, const Log& log)
    : ns_(std::move(ns)),
      log_(log),
      informer_(client, kPods, ns_, TrimmedPods([this](const std::string& m) { Problem(m); })),
      metrics_(client, ns_, clock) {
  auto changed = [this](const Json&) { ++changes_; };
  informer_.AddHandlers({changed, [this](const Json&, const Json&) { ++changes_; }, changed});
  informer_.Start();
}

NamespacePods::~NamespacePods() { informer_.Stop(); }

void NamespacePods::Problem(const std::string& message) {
  {
    MutexLock lock(mu_);
    last_problem_ = message;
  }
  if (log_) log_(message);
}

Result<std::vector<kube::ObjectPtr>> NamespacePods::Matching(const kube::LabelSelector& selector,
                                                             std::chrono::milliseconds wait) const {
  if (!informer_.HasSynced() && !informer_.WaitForSync(wait)) {
    MutexLock lock(mu_);
    // The API server's words (not a tenant's server's): they say what the controller lacks.
    return Error::Of(Error::Kind::kNoData, "the pods of " + ns_ + " are not listed yet" +
                                               (last_problem_.empty() ? "" : ": " + last_problem_));
  }
  return Selected(selector);
}

std::vector<kube::ObjectPtr> NamespacePods::Selected(const kube::LabelSelector& selector) const {
  // Read before the cache is: a change made meanwhile raises it, and the next reading selects
  // again. What is remembered is never older than the change count it is kept under.
  const uint64_t as_of = changes_.load();
  {
    MutexLock lock(mu_);
    if (selected_as_of_ != as_of) {
      selected_.clear();
      selected_as_of_ = as_of;
    }
    if (auto it = selected_.find(selector.text()); it != selected_.end()) return it->second;
  }
  auto pods = informer_.Select([&](const Json& pod) {
    return selector.Matches(kube::FieldAt(pod, {"metadata", "labels"}));
  });
  MutexLock lock(mu_);
  if (selected_as_of_ == as_of) selected_[selector.text()] = pods;
  return pods;
}

std::shared_ptr<NamespacePods> PodWatches::For(const std::string& ns) {
  MutexLock lock(mu_);
  std::erase_if(namespaces_, [&](const auto& kv) { return kv.first != ns && kv.second.expired(); });
  auto& slot = namespaces_[ns];
  if (auto held = slot.lock()) return held;
  auto pods = std::make_shared<NamespacePods>(client_, ns, clock_, log_);
  slot = pods;
  return pods;
}

size_t PodWatches::watched() const {
  MutexLock lock(mu_);
  return static_cast<size_t>(std::count_if(namespaces_.begin(), namespaces_.end(),
                                           [](const auto& kv) { return !kv.second.expired(); }));
}

}  // namespace gearbox::metrics
