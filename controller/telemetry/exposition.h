// The /metrics text: every family of one prometheus::Registry in the text exposition format
// (prometheus::TextSerializer), after the gauges that are read rather than kept (the process'
// own, the work in progress of a queue) are brought up to date.
#pragma once

#include <prometheus/registry.h>

#include <functional>
#include <string>
#include <vector>

#include "base/mutex.h"

namespace gearbox::telemetry {

inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

class Exposition {
 public:
  explicit Exposition(prometheus::Registry& registry) : registry_(registry) {}

  // Runs before every Render(), in the order added.
  void BeforeRender(std::function<void()> refresh) EXCLUDES(mu_);
  std::string Render() EXCLUDES(mu_);

 private:
  prometheus::Registry& registry_;
  Mutex mu_;  // one render at a time: the refreshers need not be thread-safe
  std::vector<std::function<void()>> refreshers_ GUARDED_BY(mu_);
};

}  // namespace gearbox::telemetry
