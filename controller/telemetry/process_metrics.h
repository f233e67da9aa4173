// The process' own families, as every Prometheus client library exports them (read from
// /proc/self at each scrape: Refresh), and gearbox_build_info{version,revision} 1.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string>

namespace gearbox::telemetry {

class ProcessMetrics {
 public:
  explicit ProcessMetrics(prometheus::Registry& registry);
  // Reads CPU time, resident memory and open descriptors now. Not thread-safe: call it from one
  // thread (the /metrics handler's).
  void Refresh();

 private:
  prometheus::Counter& cpu_seconds_;
  prometheus::Gauge& resident_bytes_;
  prometheus::Gauge& start_time_;
  prometheus::Gauge& open_fds_;
  double cpu_seconds_seen_ = 0;  // what cpu_seconds_ holds: it only goes up, by the difference
};

void RegisterBuildInfo(prometheus::Registry& registry, const std::string& version,
                       const std::string& revision);

}  // namespace gearbox::telemetry
