// A watcher with a cache (an informer): list, then watch from the list's resourceVersion with
// bookmarks; resume from the last resourceVersion after a normal end; on 410 Gone (HTTP or an
// ERROR event) relist and swap the cache atomically, reporting the deletion of whatever vanished
// meanwhile; back off 0.8 s -> 30 s with jitter between failures. Handlers run on the informer's
// own thread, in the order the changes happened; HasSynced() is true after the first full list.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "kube/backoff.h"
#include "kube/client.h"
#include "kube/object_store.h"
#include "kube/watch_decoder.h"

namespace gearbox::kube {

struct InformerHandlers {
  std::function<void(const Json& obj)> on_add;
  std::function<void(const Json& old_obj, const Json& new_obj)> on_update;
  std::function<void(const Json& last_known)> on_delete;
};

struct InformerOptions {
  std::string label_selector;
  std::string field_selector;  // e.g. metadata.name=x: one object (RBAC resourceNames allow it)
  int page_size = 500;
  int watch_timeout_seconds = 300;  // each watch lasts 1-2x this (randomized), then resumes
  std::function<void(const std::string&)> log;  // problems worth a log line
  // metadata.managedFields (and kubectl apply's last-applied-configuration annotation) are often
  // the larger part of an object and nothing here reads them.
  bool drop_managed_fields = true;
  // Removes what no reader needs from each object before it is cached (as controller-runtime's
  // cache TransformFunc): the cache is most of a controller's memory.
  std::function<void(Json&)> transform;
  // Objects for which this is false are neither cached nor handed to the handlers (a shard's
  // informer keeps its own namespaces' objects). It must not change over an object's life.
  std::function<bool(const Json&)> keep;
};

class Informer final : public ObjectStore {
 public:
  Informer(std::shared_ptr<Client> client, ResourceRef resource, std::string ns,
           InformerOptions options = {});
  ~Informer() override;
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void AddHandlers(InformerHandlers handlers);  // before Start()
  void Start();
  void Stop();

  bool HasSynced() const { return synced_; }
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  // The cached object ("namespace/name", or "name"), shared and immutable; null when absent.
  ObjectPtr Get(const std::string& key) const override;
  std::vector<ObjectPtr> List() const override;
  // The cached objects of one namespace (of an informer on all namespaces), without a scan.
  std::vector<ObjectPtr> ListIn(const std::string& ns) const;
  // The cached objects for which `select` is true, under the cache's lock: it must be quick and
  // must not call back into the informer.
  std::vector<ObjectPtr> Select(const std::function<bool(const Json& obj)>& select) const;
  // Calls fn on every cached object, under the cache's lock: fn must be quick and must not call
  // back into the informer.
  void ForEach(const std::function<void(const Json& obj)>& fn) const;
  size_t Size() const;

  // How often it had to relist and how many watches it opened (for tests and metrics).
  int relists() const { return relists_; }
  int watches() const { return watches_; }
  std::string last_resource_version() const;

  static std::string KeyOf(const Json& obj);
  const ResourceRef& resource() const { return resource_; }

 private:
  void Run();
  struct Snapshot {
    std::map<std::string, ObjectPtr> objects;
    std::string resource_version;  // to watch from
  };
  bool ListAndReplace();
  // Every page of a list; nullopt when a page failed (logged).
  std::optional<Snapshot> ListAll();
  // Returns true to resume watching, false to relist.
  bool WatchOnce();
  // The options of the next watch: from the last resourceVersion, with a jittered timeout.
  WatchOptions NextWatchOptions() const;
  // Reads a watch to its end; the same answer as WatchOnce.
  bool ReadWatch(WatchStream& stream);
  // What the watch does after an event: read on, or end and watch again from the last
  // resourceVersion, or end and relist.
  enum class AfterEvent { kReadOn, kWatchAgain, kRelist };
  AfterEvent Handle(WatchEvent& event);
  void Apply(int type, Json obj);
  void Trim(Json& obj) const;
  bool Kept(const Json& obj) const;
  // The watch has seen up to this resourceVersion (a bookmark, an event not kept).
  void Passed(const std::string& resource_version);
  void Sleep(std::chrono::milliseconds d);
  void Log(const std::string& m) const;

  std::shared_ptr<Client> client_;
  ResourceRef resource_;
  std::string ns_;
  InformerOptions options_;
  std::vector<InformerHandlers> handlers_;

  mutable Mutex mu_;
  mutable std::condition_variable_any cv_;
  std::map<std::string, ObjectPtr> cache_ GUARDED_BY(mu_);
  std::string resource_version_ GUARDED_BY(mu_);
  WatchStream* current_watch_ GUARDED_BY(mu_) = nullptr;  // Stop() cancels it

  std::atomic<bool> synced_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> relists_{0};
  std::atomic<int> watches_{0};
  Backoff backoff_;
  std::thread thread_;
};

}  // namespace gearbox::kube
