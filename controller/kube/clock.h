// Time as an interface, so every timer in the runtime (backoff, delayed requeue, leases) can be
// tested with a FakeClock instead of sleeping.
#pragma once

#include <chrono>
#include <condition_variable>

#include "base/mutex.h"

namespace gearbox::kube {

using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Now() const = 0;
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
  // Waits on `cv` (with `mu` held) until `deadline` or a notification; spurious wake-ups allowed.
  virtual void WaitUntil(std::condition_variable_any& cv, Mutex& mu, SteadyTime deadline) const
      REQUIRES(mu) = 0;
};

class RealClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::now();
  }
  void WaitUntil(std::condition_variable_any& cv, Mutex& mu, SteadyTime deadline) const
      REQUIRES(mu) override {
    cv.wait_until(mu, deadline);
  }
  static RealClock& Instance() {
    static RealClock clock;
    return clock;
  }
};

// Moves only when told. Waiters do not block on time: WaitUntil returns at once (the caller loops
// and re-checks), which keeps tests single-threaded and deterministic.
class FakeClock final : public Clock {
 public:
  SteadyTime Now() const override {
    MutexLock lock(mu_);
    return now_;
  }
  std::chrono::system_clock::time_point WallNow() const override {
    MutexLock lock(mu_);
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(now_.time_since_epoch()));
  }
  void WaitUntil(std::condition_variable_any&, [[maybe_unused]] Mutex& mu, SteadyTime) const
      REQUIRES(mu) override {}
  void Advance(std::chrono::steady_clock::duration d) {
    MutexLock lock(mu_);
    now_ += d;
  }

 private:
  mutable Mutex mu_;
  SteadyTime now_ GUARDED_BY(mu_){std::chrono::hours(1000)};
};

}  // namespace gearbox::kube
