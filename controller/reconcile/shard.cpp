// See shard.h.
#include "reconcile/shard.h"

#include "kube/json_fields.h"

namespace gearbox::reconcile {

uint32_t StableHash(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

bool Shard::Owns(const std::string& ns) const {
  return count <= 1 || static_cast<int>(StableHash(ns) % static_cast<uint32_t>(count)) == index;
}

std::string Shard::LeaseSuffix() const {
  if (count <= 1) return "";
  return "-shard-" + std::to_string(index) + "-of-" + std::to_string(count);
}

std::function<bool(const web::json::value&)> KeepOwn(Shard shard) {
  if (shard.count <= 1) return {};
  return [shard](const web::json::value& o) {
    return shard.Owns(kube::StringAt(o, {"metadata", "namespace"}));
  };
}

}  // namespace gearbox::reconcile
