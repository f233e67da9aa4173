// leader_election_master_status{name=<Lease name>}: 1 while this process leads, 0 otherwise, as
// client-go's leader election reports it.
#pragma once

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string>

namespace gearbox::telemetry {

class LeaderMetrics {
 public:
  LeaderMetrics(prometheus::Registry& registry, const std::string& lease_name);
  void SetLeading(bool leading) { status_.Set(leading ? 1 : 0); }

 private:
  prometheus::Gauge& status_;
};

}  // namespace gearbox::telemetry
