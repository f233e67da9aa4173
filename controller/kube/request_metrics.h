// What the API client reports about each request it makes, as client-go's rest_client metrics
// do, but by verb and resource: the client calls this and knows nothing of how it is exported
// (telemetry/api_request_metrics.h implements it on prometheus-cpp), so kube/ depends on no
// metrics library.
#pragma once

#include <string>

namespace gearbox::kube {

class RequestMetrics {
 public:
  virtual ~RequestMetrics() = default;
  // verb: get, list, watch, create, update, patch, delete; resource: "deployments",
  // "deployments/scale", "scalingpolicies/status"; code: the HTTP status, 0 when no answer came
  // (a transport error or a timeout). Called once per attempt, from any thread.
  virtual void Requested(const std::string& verb, const std::string& resource, int code) = 0;
};

}  // namespace gearbox::kube
