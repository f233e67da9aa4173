// See hpa_metrics.h.
#include "convert/hpa_metrics.h"

#include "convert/fields.h"
#include "convert/naming.h"
#include "convert/quantity.h"

namespace gearbox::convert {

namespace {

// An autoscaling/v2 MetricTarget: its value and whether it is an average over the pods.
struct Target {
  std::string type;
  double value = 0;
  bool per_replica = false;
};

Result<Target> ReadTarget(const YAML::Node& source, const std::string& path) {
  ASSIGN_OR_RETURN(const YAML::Node target, OptionalMap(source, "target", path));
  const std::string here = path + ".target";
  ASSIGN_OR_RETURN(const std::string type, RequiredText(target, "type", here));
  const char* key = type == "Utilization"    ? "averageUtilization"
                    : type == "AverageValue" ? "averageValue"
                    : type == "Value"        ? "value"
                                             : nullptr;
  if (key == nullptr)
    return Error::Invalid(here + ".type must be Utilization, AverageValue or Value, not " + type);
  ASSIGN_OR_RETURN(const auto value, OptionalQuantity(target, key, here));
  if (!value || *value <= 0) return Error::Invalid(here + "." + key + " must be more than 0");
  return Target{type, *value, type == "AverageValue"};
}

Status ReadResource(const YAML::Node& source, const std::string& path, const std::string& container,
                    Draft& draft) {
  ASSIGN_OR_RETURN(const std::string resource, RequiredText(source, "name", path));
  ASSIGN_OR_RETURN(const Target target, ReadTarget(source, path));
  const std::string name = UniqueMetricName(resource, draft);
  if (target.type != "Utilization" || (resource != "cpu" && resource != "memory")) {
    AddPlaceholderMetric(name, "the total " + resource + " of the target's pods", target.value,
                         true, draft);
    return OkStatus();
  }
  SizedMetric metric = ResourceMetric(name, resource, target.value);
  if (!container.empty()) {
    metric.note = "the HPA measured container " + container + "; Gearbox measures whole pods";
    draft.header_notes.push_back(path + " (ContainerResource " + resource + " of container " +
                                 container +
                                 "): Gearbox measures the whole pod's utilization (spec.metrics[" +
                                 std::to_string(draft.metrics.size()) + "])");
  }
  draft.metrics.push_back(metric);
  return OkStatus();
}

// What the PromQL must give for an adapter's metric. A Pods metric is one value per pod, which the
// HPA averages: the PromQL sums them and perReplica divides. An Object or External metric is one
// value (of an object, or from outside the cluster), divided by the replicas for AverageValue.
std::string AdapterMetricText(const std::string& type, const std::string& name) {
  if (type == "Pods") return "Pods metric " + name + " summed over the target's pods";
  if (type == "Object") return "Object metric " + name + ", one value for the object it describes";
  return "External metric " + name + ", one value from outside the cluster, not per pod";
}

// Pods, Object and External metrics: served by an adapter, named by metric.name.
Status ReadAdapterMetric(const YAML::Node& source, const std::string& path, const std::string& type,
                         Draft& draft) {
  ASSIGN_OR_RETURN(const YAML::Node metric, OptionalMap(source, "metric", path));
  ASSIGN_OR_RETURN(const std::string name, RequiredText(metric, "name", path + ".metric"));
  ASSIGN_OR_RETURN(const Target target, ReadTarget(source, path));
  const std::string what = AdapterMetricText(type, name);
  AddPlaceholderMetric(UniqueMetricName(name, draft), what, target.value,
                       target.per_replica || type == "Pods", draft);
  return OkStatus();
}

std::string SourceKey(const std::string& type) {
  if (type == "Resource") return "resource";
  if (type == "ContainerResource") return "containerResource";
  if (type == "Pods") return "pods";
  if (type == "Object") return "object";
  if (type == "External") return "external";
  return "";
}

}  // namespace

void AddPlaceholderMetric(const std::string& name, const std::string& what, double target,
                          bool per_replica, Draft& draft) {
  SizedMetric metric = PrometheusMetric(name, "TODO(gearbox convert): the PromQL of the " + what,
                                        target, per_replica);
  MetricNeeds(
      metric,
      "give the PromQL of the " + what + " (the old one came from a metrics adapter" +
          (per_replica ? "; perReplica divides it by the replicas, as the HPA's average)" : ")") +
          "; until then it reads as unavailable and nothing scales down",
      draft);
  draft.metrics.push_back(metric);
  if (!draft.prometheus_url.empty()) return;
  draft.prometheus_url = kPlaceholderPrometheus;
  NoteMissing(draft, kPrometheusUrlPath,
              "a placeholder: the Prometheus that holds the metrics below");
}

Status ReadHpaMetric(const YAML::Node& metric, const std::string& path, Draft& draft) {
  ASSIGN_OR_RETURN(const std::string type, RequiredText(metric, "type", path));
  const std::string key = SourceKey(type);
  if (key.empty())
    return Error::Invalid(path +
                          ".type must be Resource, ContainerResource, Pods, Object or "
                          "External, not " +
                          type);
  ASSIGN_OR_RETURN(const YAML::Node source, OptionalMap(metric, key, path));
  const std::string here = path + "." + key;
  if (type == "Resource") return ReadResource(source, here, "", draft);
  if (type == "ContainerResource") {
    ASSIGN_OR_RETURN(const std::string container, RequiredText(source, "container", here));
    return ReadResource(source, here, container, draft);
  }
  return ReadAdapterMetric(source, here, type, draft);
}

}  // namespace gearbox::convert
