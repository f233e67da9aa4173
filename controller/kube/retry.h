// Optimistic-concurrency writes, as client-go's RetryOnConflict: `attempt` reads the object,
// changes it and writes it with the resourceVersion it read; when the API server answers 409
// Conflict (someone wrote in between) the whole read-modify-write runs again, with a short
// growing pause, so that no writer's change is lost and none overwrites another's.
#pragma once

#include <chrono>
#include <thread>

#include "kube/result.h"

namespace gearbox::kube {

struct ConflictRetry {
  int attempts = 8;
  std::chrono::milliseconds first_pause{10};
  int conflicts = 0;  // out: how many 409s were retried
};

// `attempt` is a callable returning Result<T>; retried while it fails with 409 Conflict.
template <typename F>
auto RetryOnConflict(F&& attempt, ConflictRetry* retry = nullptr) -> decltype(attempt()) {
  ConflictRetry defaults;
  ConflictRetry& r = retry ? *retry : defaults;
  auto pause = r.first_pause;
  for (int i = 1;; ++i) {
    auto result = attempt();
    if (result.ok() || !result.error().IsConflict() || i >= r.attempts) return result;
    ++r.conflicts;
    std::this_thread::sleep_for(pause);
    pause *= 2;
  }
}

}  // namespace gearbox::kube
