// What an HPA or a ScaledObject says, in the terms of a ScalingPolicy: read by hpa.cpp and
// scaled_object.cpp, written out by policy_writer.cpp. Every loss on the way is a note: on the
// line it concerns (a metric's, a schedule's) or, for what has no line at all, above the policy.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "convert/trigger_auth.h"

namespace gearbox::convert {

enum class MetricSource {
  kResource,
  kPrometheus,
  kQueue,
  kPostgres,
  kMetricsApi,
  kRabbitmq,
  kPodCount
};

// One metric the old autoscaler sized on, with the target it sized to.
struct SizedMetric {
  std::string name;  // spec.metrics[].name
  MetricSource source = MetricSource::kResource;
  std::string resource;        // kResource: cpu or memory (average utilization, percent)
  std::string query;           // kPrometheus: the PromQL (a placeholder when the user must give it)
  std::string list;            // kQueue: the Redis list's key (or stream's, with stream_length)
  bool stream_length = false;  // kQueue: a stream's length (XLEN), not a list's
  std::string sql;             // kPostgres: the query
  double target = 0;           // utilization percent, a per-replica average, or a value
  bool per_replica = false;    // an AverageValue target: the metric is a total over the replicas
  std::optional<double> activation;  // KEDA's activation threshold: wakes the workload from 0
  std::string note;                  // why the metric is not the same as the old one's
  // The HTTP and pod sources: kMetricsApi's endpoint, value and Secret references by field
  // ("bearerTokenSecretRef"); kRabbitmq's queue; kPodCount's label selector.
  std::string url, value_location;
  std::map<std::string, AuthSecret> secret_refs;
  std::string queue, vhost = "/", measure;
  std::string selector;
};

inline SizedMetric SizedOn(const std::string& name, MetricSource source, double target,
                           bool per_replica) {
  SizedMetric metric;
  metric.name = name;
  metric.source = source;
  metric.target = target;
  metric.per_replica = per_replica;
  return metric;
}

inline SizedMetric ResourceMetric(const std::string& name, const std::string& resource,
                                  double utilization) {
  SizedMetric metric = SizedOn(name, MetricSource::kResource, utilization, false);
  metric.resource = resource;
  return metric;
}

inline SizedMetric PrometheusMetric(const std::string& name, const std::string& query,
                                    double target, bool per_replica) {
  SizedMetric metric = SizedOn(name, MetricSource::kPrometheus, target, per_replica);
  metric.query = query;
  return metric;
}

inline SizedMetric QueueMetric(const std::string& name, const std::string& list, double target,
                               bool per_replica) {
  SizedMetric metric = SizedOn(name, MetricSource::kQueue, target, per_replica);
  metric.list = list;
  return metric;
}

struct Schedule {
  std::string name;
  std::string start;  // five-field cron
  std::string duration;
  std::string time_zone;
  long long min = 0;
};

struct Fallback {
  long long failure_threshold = 0;
  long long replicas = 0;
};

// A line of the output that carries a comment: its path, as policy_writer.cpp names them
// ("spec.components[0].replicas.min"), and the comment.
struct LineNote {
  std::string path;
  std::string text;
};

struct Draft {
  std::string origin;  // "HorizontalPodAutoscaler shop/web", for the header
  std::string name;
  std::string ns;  // empty: none given
  std::string target_api_version;
  std::string target_kind;
  std::string target_name;
  std::string env_source_container;  // KEDA's scaleTargetRef.envSourceContainerName
  long long min = 1;
  long long max = 1;
  std::string interval;  // a Gearbox duration
  std::vector<SizedMetric> metrics;
  double tolerance_up = 0.1;  // the HPA's default tolerance, unless behavior sets its own
  double tolerance_down = 0.1;
  YAML::Node behavior_up;  // an HPA behavior.scaleUp block as given; null: the HPA's default
  YAML::Node behavior_down;
  // A behavior given (`{}` too): the HPA's behavior algorithm and the v2 defaults for a direction
  // it leaves out. None: the HPA controller's older limit (KEDA's HPA too, given none).
  bool behavior_given = false;
  std::optional<Fallback> fallback;
  std::optional<std::string> scale_to_zero_cooldown;  // set: the workload may rest at 0
  std::vector<Schedule> schedules;
  bool paused = false;
  // KEDA's paused-scale-out / paused-scale-in: that direction is disabled (selectPolicy: Disabled)
  bool scale_up_paused = false;
  bool scale_down_paused = false;
  std::string prometheus_url;  // empty: no prometheus metric
  YAML::Node prometheus_auth;  // beside url in spec.sources.prometheus: auth, headers, tls, refs
  std::string redis_url;       // empty: no queue metric
  // --- Redis Cluster and Sentinel, PostgreSQL ---
  // More of spec.sources.redis: cluster or sentinel (redis_url then only names the server, for
  // the check that a policy reads one), passwordSecretRef, username, tls.
  YAML::Node redis_source;
  YAML::Node postgresql_source;   // spec.sources.postgresql
  std::string postgresql_server;  // what names it: one server per policy
  // --- end of Redis Cluster and Sentinel, PostgreSQL ---
  std::string rabbitmq_url;  // empty: no rabbitmq metric (the management API)
  std::map<std::string, AuthSecret> rabbitmq_secret_refs;  // usernameSecretRef, passwordSecretRef
  std::vector<std::string> header_notes;                   // what could not be carried over at all
  std::vector<LineNote> line_notes;
};

// A value the policy needs that convert could not know (a placeholder, a credential left to set):
// a comment on its line, and also a line above the policy and on stderr, so that the exit status
// says the policy does not read the old autoscaler's signal as it is.
inline void NoteMissing(Draft& draft, const std::string& path, const std::string& text) {
  draft.line_notes.push_back({path, text});
  draft.header_notes.push_back(path + ": " + text);
}

// The same for the metric about to be added to the draft: its note says what to set.
inline void MetricNeeds(SizedMetric& metric, const std::string& text, Draft& draft) {
  metric.note = text;
  draft.header_notes.push_back("spec.metrics[" + std::to_string(draft.metrics.size()) + "] (" +
                               metric.name + "): " + text);
}

}  // namespace gearbox::convert
