// Time as an interface, so every timer in the runtime (backoff, delayed requeue, leases) can be
// tested with a FakeClock instead of sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace gearbox::kube {

using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Now() const = 0;
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
  // Waits on `cv` (with `lock` held) until `deadline` or a notification; spurious wake-ups allowed.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         SteadyTime deadline) const = 0;
};

class RealClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::now();
  }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 SteadyTime deadline) const override {
    cv.wait_until(lock, deadline);
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
    std::lock_guard lock(mu_);
    return now_;
  }
  std::chrono::system_clock::time_point WallNow() const override {
    std::lock_guard lock(mu_);
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(now_.time_since_epoch()));
  }
  void WaitUntil(std::condition_variable&, std::unique_lock<std::mutex>&,
                 SteadyTime) const override {}
  void Advance(std::chrono::steady_clock::duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  SteadyTime now_{std::chrono::hours(1000)};
};

}  // namespace gearbox::kube
