// The fallback (KEDA's): a component whose rules cannot be read for failureThreshold evaluations
// in a row goes to a stated count, inside its effective bounds, and stays there until every
// metric can be read again. The count of failed evaluations is engine state (not durable); the
// fallback's own timer "<component>/fallback" is durable, so a restart keeps a fallback applied.
#include <algorithm>

#include "policy/workload.h"

namespace gearbox::policy::internal {

namespace {

bool ActivationUnreadable(const Pass& p, const Workload& w) {
  for (int metric : w.cc.activation)
    if (!p.Reading(metric)) return true;
  return false;
}

}  // namespace

bool DecideFallback(Pass& p, Workload& w) {
  const size_t k = Pass::Ix(w.k);
  const bool failing = w.d.missing > 0 || ActivationUnreadable(p, w);
  // Capped, so that a metric unreadable for years does not wrap the count around.
  const int count = failing ? std::min(p.before.failed_reads[k] + 1, 1 << 20) : 0;
  p.next.failed_reads[k] = count;
  w.d.failed_reads = count;
  const std::optional<Fallback>& f = w.cc.spec->fallback;
  if (!f) return false;
  const bool applied = p.Had(w.cc.fallback_timer);
  if (!failing) {
    if (applied) p.Emit({.kind = EventKind::kFallbackEnded, .component = w.k});
    return false;
  }
  if (!applied && count < f->failure_threshold) return false;
  w.d.fallback_since = p.Hold(w.cc.fallback_timer);
  if (!applied) p.Emit({.kind = EventKind::kFallbackStarted, .component = w.k});
  w.d.cause = Cause::kFallback;
  w.d.desired = std::clamp(f->replicas, w.b.min, w.b.max);
  return true;
}

}  // namespace gearbox::policy::internal
