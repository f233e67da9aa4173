// The metric sources' families: reads that failed, by source (resource, prometheus, queue) and
// kind of error (timeout, unreachable, no_data, ... as KindName names them), and how long each
// read took, by source. Thread-safe: the reads run on a pool.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <map>
#include <string>

namespace gearbox::telemetry {

class SourceMetrics {
 public:
  explicit SourceMetrics(prometheus::Registry& registry);

  void Read(const std::string& source, std::chrono::duration<double> took);
  void Failed(const std::string& source, const std::string& error_kind);

 private:
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Histogram>& read_seconds_;
  std::map<std::string, prometheus::Histogram*> by_source_;  // the known sources; never changes
};

}  // namespace gearbox::telemetry
