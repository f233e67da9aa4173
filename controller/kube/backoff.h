// Exponential backoff with jitter, as client-go's watch and work queue use it: each failure doubles
// the delay from `base` up to `cap`; jitter spreads retries of many clients apart.
#pragma once

#include <algorithm>
#include <chrono>
#include <random>

namespace gearbox::kube {

class Backoff {
 public:
  using Duration = std::chrono::milliseconds;
  Backoff(Duration base, Duration cap, double jitter = 0.2, uint32_t seed = std::random_device{}())
      : base_(base), cap_(cap), jitter_(jitter), rng_(seed) {}

  // The delay before the next try; each call counts a failure.
  Duration Next() {
    double d =
        static_cast<double>(base_.count()) * static_cast<double>(1ull << std::min(failures_, 30));
    d = std::min(d, static_cast<double>(cap_.count()));
    ++failures_;
    if (jitter_ > 0) d *= 1.0 + std::uniform_real_distribution<double>(-jitter_, jitter_)(rng_);
    return Duration(static_cast<int64_t>(std::min(d, static_cast<double>(cap_.count()))));
  }
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  Duration base_, cap_;
  double jitter_;
  std::mt19937 rng_;
  int failures_ = 0;
};

}  // namespace gearbox::kube
