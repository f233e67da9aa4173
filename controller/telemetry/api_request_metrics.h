// gearbox_api_requests_total{verb,resource,code}: every request the controller makes to the API
// server, so an operator sees what a pass costs the API server (a steady fleet should make
// almost none: targets and HPAs are read from informer caches) and any 429s it gets.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <string>

#include "kube/request_metrics.h"

namespace gearbox::telemetry {

class ApiRequestMetrics final : public kube::RequestMetrics {
 public:
  explicit ApiRequestMetrics(prometheus::Registry& registry);
  void Requested(const std::string& verb, const std::string& resource, int code) override;

 private:
  prometheus::Family<prometheus::Counter>& requests_;
};

}  // namespace gearbox::telemetry
