// See metrics_api.h.
#include "metrics/metrics_api.h"

#include "metrics/json_value.h"

namespace gearbox::metrics {

Result<Reading> MetricsApiMetric::Read() {
  ASSIGN_OR_RETURN(const web::json::value doc, client_->Get());
  ASSIGN_OR_RETURN(const double value, NumberAt(doc, value_location_, client_->Where()));
  return Reading{value, value_location_};
}

std::string MetricsApiMetric::Describe() const { return client_->Where() + ": " + value_location_; }

}  // namespace gearbox::metrics
