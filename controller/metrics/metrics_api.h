// KEDA's metrics-api scaler: any HTTP endpoint that answers JSON, the metric one number in it at
// a path (valueLocation, json_value.h). The endpoint is read with http_json.h: one deadline for
// the whole GET, a byte cap on the answer, a bearer token or basic authentication from the
// policy's Secrets, and errors that give the HTTP status and what was at the path (an object, a
// string that is not a number), never the answer.
#pragma once

#include <memory>
#include <string>

#include "metrics/http_json.h"
#include "metrics/source.h"

namespace gearbox::metrics {

class MetricsApiMetric : public MetricSource {
 public:
  MetricsApiMetric(std::shared_ptr<HttpJsonClient> client, std::string value_location)
      : client_(std::move(client)), value_location_(std::move(value_location)) {}
  Result<Reading> Read() override;
  std::string Describe() const override;

 private:
  std::shared_ptr<HttpJsonClient> client_;
  std::string value_location_;
};

}  // namespace gearbox::metrics
