// See leader_metrics.h.
#include "telemetry/leader_metrics.h"

namespace gearbox::telemetry {

LeaderMetrics::LeaderMetrics(prometheus::Registry& registry, const std::string& lease_name)
    : status_(prometheus::BuildGauge()
                  .Name("leader_election_master_status")
                  .Help("Gauge of if the reporting system is master of the relevant lease, 0 "
                        "indicates backup, 1 indicates master. 'name' is the string used to "
                        "identify the lease.")
                  .Register(registry)
                  .Add({{"name", lease_name}})) {}

}  // namespace gearbox::telemetry
