// See bounds.h.
#include "policy/bounds.h"

#include <algorithm>

namespace gearbox::policy::internal {

int PhaseIndex(const Phases& p, const std::string& name) {
  for (size_t i = 0; i < p.list.size(); ++i)
    if (p.list[i].name == name) return static_cast<int>(i);
  return -1;
}

EffectiveBounds WorkloadBounds(const Component& c, const Phase* phase) {
  EffectiveBounds b;
  Bounds own = c.replicas.value_or(Bounds{0, 1 << 20});
  b.min = own.min;
  b.max = own.max;
  b.from = "component";
  if (!phase) return b;
  auto it = phase->components.find(c.name);
  if (it == phase->components.end() || !it->second.min || !it->second.max) return b;
  int pmin = *it->second.min, pmax = *it->second.max;
  int lo = std::max(own.min, pmin), hi = std::min(own.max, pmax);
  if (lo <= hi) {
    b.min = lo;
    b.max = hi;
    b.from = (lo == pmin && hi == pmax)         ? "phase " + phase->name
             : (lo == own.min && hi == own.max) ? "component"
                                                : "component and phase " + phase->name;
  } else {  // the roadmap is the more specific statement: the phase wins
    b.min = pmin;
    b.max = pmax;
    b.conflict = true;
    b.from = "phase " + phase->name + " (outside the component's " + std::to_string(own.min) +
             ".." + std::to_string(own.max) + ")";
  }
  return b;
}

std::optional<int> TopologyTarget(const Component& c, const Phase* phase) {
  if (!phase) return std::nullopt;
  auto it = phase->components.find(c.name);
  if (it == phase->components.end() || !it->second.replicas) return std::nullopt;
  return *it->second.replicas;
}

}  // namespace gearbox::policy::internal
