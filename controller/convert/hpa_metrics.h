// The metrics of an HPA (autoscaling/v2 spec.metrics[]) as the ScalingPolicy's metrics: cpu and
// memory utilization as resource metrics; what a metrics adapter serves (Pods, Object, External,
// an absolute resource value) as a prometheus metric whose query the user must give.
#pragma once

#include <string>

#include "base/result.h"
#include "convert/draft.h"

namespace gearbox::convert {

// The placeholder spec.sources.prometheus.url: .invalid never resolves, so nothing is read.
inline constexpr const char* kPlaceholderPrometheus = "http://prometheus.example.invalid:9090";
inline constexpr const char* kPrometheusUrlPath = "spec.sources.prometheus.url";

// Adds `metric` (spec.metrics[index] of the HPA at `path`) to the draft, or a note saying why not.
Status ReadHpaMetric(const YAML::Node& metric, const std::string& path, Draft& draft);

// A metric Gearbox cannot read where the old autoscaler did: a prometheus metric whose query is
// a placeholder that Prometheus refuses (so the metric reads as unavailable and nothing scales
// down on it), with a note saying which PromQL to write.
void AddPlaceholderMetric(const std::string& name, const std::string& what, double target,
                          bool per_replica, Draft& draft);

}  // namespace gearbox::convert
