// A credential that expires (a cloud access token, temporary AWS keys), fetched when first needed
// and again shortly before it expires, shared by every request that needs it: one fetch at a time,
// the others wait for its result. A failed fetch is remembered for a few seconds so that a token
// endpoint that refuses is not asked again by every reading of every policy; its error is returned
// meanwhile. Time comes from a kube::Clock, so tests move it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <utility>

#include "base/mutex.h"
#include "base/result.h"
#include "kube/clock.h"

namespace gearbox::metrics {

template <typename T>
struct Expiring {
  T value;
  std::chrono::seconds lifetime;  // from now
};

template <typename T>
class ExpiringCache {
 public:
  using Fetch = std::function<Result<Expiring<T>>()>;

  // Fetched again when less than `margin` of its lifetime is left (or half of it, for a short one).
  ExpiringCache(Fetch fetch, const kube::Clock& clock,
                std::chrono::seconds margin = std::chrono::minutes(5),
                std::chrono::seconds retry_after_failure = std::chrono::seconds(10))
      : fetch_(std::move(fetch)), clock_(clock), margin_(margin), retry_(retry_after_failure) {}

  Result<T> Get() {
    MutexLock lock(mu_);
    const auto now = clock_.Now();
    if (value_ && now < refresh_at_) return *value_;
    if (failure_ && now < retry_at_) return *failure_;
    Result<Expiring<T>> fetched = fetch_();
    if (!fetched) {
      failure_ = fetched.error();
      retry_at_ = now + retry_;
      return *failure_;
    }
    failure_.reset();
    ++fetches_;
    const auto lifetime = fetched->lifetime;
    refresh_at_ = now + (lifetime > 2 * margin_ ? lifetime - margin_ : lifetime / 2);
    value_ = std::move(fetched->value);
    return *value_;
  }

  int fetches() const {  // successful ones, for tests
    MutexLock lock(mu_);
    return fetches_;
  }

 private:
  const Fetch fetch_;
  const kube::Clock& clock_;
  const std::chrono::seconds margin_, retry_;
  mutable Mutex mu_;
  std::optional<T> value_ GUARDED_BY(mu_);
  kube::SteadyTime refresh_at_ GUARDED_BY(mu_);
  std::optional<Error> failure_ GUARDED_BY(mu_);
  kube::SteadyTime retry_at_ GUARDED_BY(mu_);
  int fetches_ GUARDED_BY(mu_) = 0;
};

}  // namespace gearbox::metrics
