// See bounds.h.
#include "policy/bounds.h"

#include <algorithm>

namespace gearbox::policy::internal {

int PhaseIndex(const Phases& p, const std::string& name) {
  for (size_t i = 0; i < p.list.size(); ++i)
    if (p.list[i].name == name) return static_cast<int>(i);
  return -1;
}

Bounds OwnBounds(const Component& c) { return c.replicas.value_or(Bounds{0, 1 << 20}); }

EffectiveBounds WorkloadBounds(const Component& c, const Phase* phase) {
  const Bounds own = OwnBounds(c);
  EffectiveBounds b{own.min, own.max, BoundsFrom::kComponent, false};
  if (!phase) return b;
  auto it = phase->components.find(c.name);
  if (it == phase->components.end() || !it->second.min || !it->second.max) return b;
  const int pmin = *it->second.min, pmax = *it->second.max;
  const int lo = std::max(own.min, pmin), hi = std::min(own.max, pmax);
  if (lo > hi) return {pmin, pmax, BoundsFrom::kPhaseOverComponent, true};  // the phase wins
  b.min = lo;
  b.max = hi;
  b.from = (lo == pmin && hi == pmax)         ? BoundsFrom::kPhase
           : (lo == own.min && hi == own.max) ? BoundsFrom::kComponent
                                              : BoundsFrom::kComponentAndPhase;
  return b;
}

std::optional<int> TopologyTarget(const Component& c, const Phase* phase) {
  if (!phase) return std::nullopt;
  auto it = phase->components.find(c.name);
  if (it == phase->components.end() || !it->second.replicas) return std::nullopt;
  return *it->second.replicas;
}

}  // namespace gearbox::policy::internal
