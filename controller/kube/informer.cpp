// See informer.h.
#include "kube/informer.h"

#include "kube/json_fields.h"

#include <random>
#include <set>

#include "kube/watch_decoder.h"

namespace gearbox::kube {

namespace {

std::string ResourceVersionOf(const Json& obj) {
  if (obj.is_object() && obj.has_object_field("metadata") &&
      obj.at("metadata").has_string_field("resourceVersion")) {
    return obj.at("metadata").at("resourceVersion").as_string();
  }
  return "";
}

}  // namespace

Informer::Informer(std::shared_ptr<Client> client, ResourceRef resource, std::string ns,
                   InformerOptions options)
    : client_(std::move(client)),
      resource_(std::move(resource)),
      ns_(std::move(ns)),
      options_(std::move(options)),
      backoff_(std::chrono::milliseconds(800), std::chrono::seconds(30)) {}

Informer::~Informer() { Stop(); }

void Informer::AddHandlers(InformerHandlers handlers) { handlers_.push_back(std::move(handlers)); }

void Informer::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  stopping_ = true;
  {
    MutexLock lock(mu_);
    if (current_watch_) current_watch_->Cancel();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  MutexLock lock(mu_);
  return cv_.wait_for(mu_, timeout, [this] { return synced_.load() || stopping_.load(); }) &&
         synced_;
}

std::string Informer::KeyOf(const Json& obj) {
  if (!obj.is_object() || !obj.has_object_field("metadata")) return "";
  const Json& meta = obj.at("metadata");
  std::string name = meta.has_string_field("name") ? meta.at("name").as_string() : "";
  if (meta.has_string_field("namespace") && !meta.at("namespace").as_string().empty()) {
    return meta.at("namespace").as_string() + "/" + name;
  }
  return name;
}

ObjectPtr Informer::Get(const std::string& key) const {
  MutexLock lock(mu_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return nullptr;
  return it->second;
}

std::vector<ObjectPtr> Informer::List() const {
  MutexLock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(cache_.size());
  for (const auto& [_, obj] : cache_) out.push_back(obj);
  return out;
}

std::vector<ObjectPtr> Informer::ListIn(const std::string& ns) const {
  const std::string prefix = ns + "/";
  MutexLock lock(mu_);
  std::vector<ObjectPtr> out;
  // Keys are "namespace/name", sorted: one namespace's objects are one range of the map.
  for (auto it = cache_.lower_bound(prefix); it != cache_.end() && it->first.starts_with(prefix);
       ++it)
    out.push_back(it->second);
  return out;
}

std::vector<ObjectPtr> Informer::Select(const std::function<bool(const Json& obj)>& select) const {
  MutexLock lock(mu_);
  std::vector<ObjectPtr> out;
  for (const auto& [_, obj] : cache_)
    if (select(*obj)) out.push_back(obj);
  return out;
}

void Informer::ForEach(const std::function<void(const Json& obj)>& fn) const {
  MutexLock lock(mu_);
  for (const auto& [_, obj] : cache_) fn(*obj);
}

size_t Informer::Size() const {
  MutexLock lock(mu_);
  return cache_.size();
}

std::string Informer::last_resource_version() const {
  MutexLock lock(mu_);
  return resource_version_;
}

void Informer::Log(const std::string& m) const {
  if (options_.log) options_.log(resource_.Name() + (ns_.empty() ? "" : " in " + ns_) + ": " + m);
}

void Informer::Sleep(std::chrono::milliseconds d) {
  MutexLock lock(mu_);
  cv_.wait_for(mu_, d, [this] { return stopping_.load(); });
}

void Informer::Run() {
  bool need_list = true;
  while (!stopping_) {
    if (need_list) {
      if (!ListAndReplace()) {
        Sleep(backoff_.Next());
        continue;
      }
      need_list = false;
    }
    need_list = !WatchOnce();
  }
}

std::optional<Informer::Snapshot> Informer::ListAll() {
  Snapshot snapshot;
  ListOptions lo;
  lo.label_selector = options_.label_selector;
  lo.field_selector = options_.field_selector;
  lo.limit = options_.page_size;
  do {
    auto page = client_->List(resource_, ns_, lo);
    if (!page) {
      Log("list failed: " + page.error().ToString());
      return std::nullopt;
    }
    Json& body = *page;
    if (body.has_array_field("items")) {
      for (auto& item : body.at("items").as_array()) {
        Json obj = std::move(item);  // the page is ours: no copy
        if (!Kept(obj)) continue;
        Trim(obj);
        // List items carry no kind/apiVersion; give them what a watch event would have.
        if (!obj.has_field("apiVersion")) obj["apiVersion"] = Json::string(resource_.ApiVersion());
        std::string key = KeyOf(obj);
        snapshot.objects[key] = std::make_shared<const Json>(std::move(obj));
      }
    }
    const Json& meta = body.has_object_field("metadata") ? body.at("metadata") : Json::object();
    snapshot.resource_version =
        meta.has_string_field("resourceVersion") ? meta.at("resourceVersion").as_string() : "";
    lo.continue_token = meta.has_string_field("continue") ? meta.at("continue").as_string() : "";
  } while (!lo.continue_token.empty() && !stopping_);
  return snapshot;
}

bool Informer::ListAndReplace() {
  std::optional<Snapshot> listed = ListAll();
  if (!listed) return false;
  std::map<std::string, ObjectPtr>& fresh = listed->objects;
  // Swap atomically, then tell the handlers what changed relative to the old cache.
  std::vector<ObjectPtr> added, deleted;
  std::vector<std::pair<ObjectPtr, ObjectPtr>> updated;
  {
    MutexLock lock(mu_);
    for (const auto& [key, obj] : fresh) {
      auto old = cache_.find(key);
      if (old == cache_.end()) {
        added.push_back(obj);
      } else if (ResourceVersionOf(*old->second) != ResourceVersionOf(*obj)) {
        updated.emplace_back(old->second, obj);
      }
    }
    for (const auto& [key, obj] : cache_) {
      if (!fresh.count(key)) deleted.push_back(obj);
    }
    cache_ = std::move(fresh);
    resource_version_ = listed->resource_version;
  }
  ++relists_;
  for (const auto& h : handlers_) {
    for (const auto& o : added)
      if (h.on_add) h.on_add(*o);
    for (const auto& [o, n] : updated)
      if (h.on_update) h.on_update(*o, *n);
    for (const auto& o : deleted)
      if (h.on_delete) h.on_delete(*o);
  }
  if (!synced_) {
    MutexLock lock(mu_);
    synced_ = true;
    cv_.notify_all();
  }
  return true;
}

void Informer::Trim(Json& obj) const {
  if (options_.drop_managed_fields && obj.has_object_field("metadata")) {
    Json& metadata = obj["metadata"];
    EraseField(metadata, "managedFields");
    // kubectl apply's copy of the whole object, as large again: also other clients' bookkeeping.
    if (metadata.has_object_field("annotations"))
      EraseField(metadata["annotations"], "kubectl.kubernetes.io/last-applied-configuration");
  }
  if (!options_.transform) return;
  try {
    options_.transform(obj);
  } catch (const std::exception& e) {  // cached as it came: a transform must not end the process
    Log(std::string("transform failed: ") + e.what());
  }
}

bool Informer::Kept(const Json& obj) const { return !options_.keep || options_.keep(obj); }

void Informer::Passed(const std::string& resource_version) {
  if (resource_version.empty()) return;
  MutexLock lock(mu_);
  resource_version_ = resource_version;
}

void Informer::Apply(int type, Json obj) {
  const bool deleted = type == static_cast<int>(WatchEvent::Type::kDeleted);
  const std::string key = KeyOf(obj);
  const std::string rv = ResourceVersionOf(obj);
  // The one copy of the object: the cache and the handlers share it.
  ObjectPtr now = std::make_shared<const Json>(std::move(obj));
  ObjectPtr old;
  {
    MutexLock lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) old = it->second;
    if (deleted) {
      cache_.erase(key);
    } else {
      cache_[key] = now;
    }
    if (!rv.empty()) resource_version_ = rv;
  }
  for (const auto& h : handlers_) {
    if (deleted) {
      if (h.on_delete) h.on_delete(old ? *old : *now);
    } else if (old) {
      if (h.on_update) h.on_update(*old, *now);
    } else if (h.on_add) {
      h.on_add(*now);
    }
  }
}

WatchOptions Informer::NextWatchOptions() const {
  WatchOptions wo;
  wo.label_selector = options_.label_selector;
  wo.field_selector = options_.field_selector;
  wo.resource_version = last_resource_version();
  // Spread over [timeout, 2 * timeout], so that the informers of a process do not all rewatch at
  // once.
  static thread_local std::mt19937 rng{std::random_device{}()};
  wo.timeout_seconds = options_.watch_timeout_seconds +
                       std::uniform_int_distribution<int>(0, options_.watch_timeout_seconds)(rng);
  return wo;
}

bool Informer::WatchOnce() {
  auto stream = client_->Watch(resource_, ns_, NextWatchOptions());
  if (!stream) {
    if (stream.error().IsGone()) return false;
    if (!stopping_) {
      Log("watch failed: " + stream.error().ToString());
      Sleep(backoff_.Next());
    }
    return true;
  }
  ++watches_;
  {
    MutexLock lock(mu_);
    if (stopping_) return true;
    current_watch_ = &*stream;
  }
  struct Clear {
    Informer* self;
    ~Clear() {
      MutexLock lock(self->mu_);
      self->current_watch_ = nullptr;
    }
  } clear{this};
  return ReadWatch(*stream);
}

bool Informer::ReadWatch(WatchStream& stream) {
  WatchDecoder decoder;
  while (!stopping_) {
    auto line = stream.NextLine();
    if (!line) {
      if (!stopping_) {
        Log("watch broke: " + line.error().ToString());
        Sleep(backoff_.Next());
      }
      return true;
    }
    if (!line->has_value()) {
      backoff_.Reset();  // a normal end: resume from the last resourceVersion at once
      return true;
    }
    for (auto& event : decoder.Feed(**line + "\n")) {
      if (!event) {
        Log(event.error().ToString());
        continue;
      }
      const AfterEvent next = Handle(*event);
      if (next != AfterEvent::kReadOn) return next == AfterEvent::kWatchAgain;
    }
  }
  return true;
}

Informer::AfterEvent Informer::Handle(WatchEvent& event) {
  switch (event.type) {
    case WatchEvent::Type::kBookmark:
      Passed(event.ResourceVersion());
      return AfterEvent::kReadOn;
    case WatchEvent::Type::kError: {
      Error e = event.AsError();
      if (e.http_code == 410) return AfterEvent::kRelist;  // our resourceVersion is compacted away
      Log(e.ToString());
      Sleep(backoff_.Next());
      return AfterEvent::kWatchAgain;
    }
    default:
      backoff_.Reset();
      if (!Kept(event.object)) {  // not ours: only its resourceVersion moves us on
        Passed(ResourceVersionOf(event.object));
        return AfterEvent::kReadOn;
      }
      Trim(event.object);
      Apply(static_cast<int>(event.type), std::move(event.object));
      return AfterEvent::kReadOn;
  }
}

}  // namespace gearbox::kube
