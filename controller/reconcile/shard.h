// Which ScalingPolicies one controller replica serves when the fleet is split into shards
// (--shard-count N --shard-index I): a namespace belongs to shard FNV-1a(namespace) mod N, so all
// of a namespace's policies (and the conflicts between them) are one replica's, and the split
// does not depend on the order in which policies arrive. Each shard elects its own leader, on a
// Lease of its own. One shard (the default) serves every namespace.
#pragma once

#include <cpprest/json.h>

#include <cstdint>
#include <functional>
#include <string>

namespace gearbox::reconcile {

struct Shard {
  int index = 0;
  int count = 1;

  bool Owns(const std::string& ns) const;
  // "" for the one shard; "-shard-1-of-2" otherwise, appended to the Lease's name.
  std::string LeaseSuffix() const;
};

// An informer's keep predicate for the shard's own objects (by their namespace); empty (keep
// everything) for the one shard.
std::function<bool(const web::json::value&)> KeepOwn(Shard shard);

// FNV-1a, 32 bits: the same for a name on every replica, build and platform (std::hash is not).
uint32_t StableHash(const std::string& s);

}  // namespace gearbox::reconcile
