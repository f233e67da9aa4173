// Where a reconciler reads the objects it watches: an informer's cache in the controller, a plain
// map in tests. Objects are immutable and shared: a read never copies one.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "kube/client.h"

namespace gearbox::kube {

using ObjectPtr = std::shared_ptr<const Json>;

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // The object at "namespace/name" (or "name"), or null when there is none.
  virtual ObjectPtr Get(const std::string& key) const = 0;
  virtual std::vector<ObjectPtr> List() const = 0;
};

// A store that holds what it is given: for tests, and for objects assembled by hand.
class MapStore final : public ObjectStore {
 public:
  void Put(const std::string& key, Json object) {
    MutexLock lock(mu_);
    objects_[key] = std::make_shared<const Json>(std::move(object));
  }
  void Erase(const std::string& key) {
    MutexLock lock(mu_);
    objects_.erase(key);
  }
  ObjectPtr Get(const std::string& key) const override {
    MutexLock lock(mu_);
    auto it = objects_.find(key);
    return it == objects_.end() ? nullptr : it->second;
  }
  std::vector<ObjectPtr> List() const override {
    MutexLock lock(mu_);
    std::vector<ObjectPtr> out;
    out.reserve(objects_.size());
    for (const auto& [key, object] : objects_) out.push_back(object);
    return out;
  }

 private:
  mutable Mutex mu_;
  std::map<std::string, ObjectPtr> objects_ GUARDED_BY(mu_);
};

}  // namespace gearbox::kube
