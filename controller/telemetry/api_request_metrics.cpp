// See api_request_metrics.h.
#include "telemetry/api_request_metrics.h"

namespace gearbox::telemetry {

ApiRequestMetrics::ApiRequestMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("gearbox_api_requests_total")
                    .Help("Requests the controller made to the Kubernetes API server, by verb, "
                          "resource (with its subresource) and HTTP status code ('<error>': no "
                          "answer came).")
                    .Register(registry)) {}

void ApiRequestMetrics::Requested(const std::string& verb, const std::string& resource, int code) {
  // Family::Add returns the existing series for labels seen before.
  requests_
      .Add({{"verb", verb},
            {"resource", resource},
            {"code", code == 0 ? "<error>" : std::to_string(code)}})
      .Increment();
}

}  // namespace gearbox::telemetry
