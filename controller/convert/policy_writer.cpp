// See policy_writer.h. The component is spec.components[0]: an HPA or a ScaledObject drives one
// target.
#include "convert/policy_writer.h"

#include "convert/naming.h"
#include "convert/quantity.h"
#include "convert/rules.h"

namespace gearbox::convert {

namespace {

const std::string kComponent = "spec.components[0]";

void WriteMetadata(const Draft& draft, const WriteOptions& options, Document& document) {
  YAML::Node metadata = document.policy["metadata"];
  metadata["name"] = Text(options.name.empty() ? draft.name : options.name);
  if (!draft.ns.empty()) metadata["namespace"] = Text(draft.ns);
  if (draft.paused) metadata["annotations"]["gearbox.dev/paused"] = Text("true");
}

void WriteMode(const Draft& draft, const WriteOptions& options, Document& document) {
  document.policy["spec"]["mode"] = Text(options.mode);
  const std::string old = draft.origin;
  document.notes["spec.mode"].push_back(
      options.mode == "DryRun"
          ? "run it next to the " + old +
                ", compare (kubectl describe sp), then switch to "
                "Enforce and delete the " +
                old
          : "delete the " + old + " first: two autoscalers must not drive one target");
}

void WriteSources(const Draft& draft, YAML::Node spec) {
  if (!draft.prometheus_url.empty())
    spec["sources"]["prometheus"]["url"] = Text(draft.prometheus_url);
  if (!draft.redis_url.empty()) spec["sources"]["redis"]["url"] = Text(draft.redis_url);
}

YAML::Node MetricNode(const SizedMetric& metric, const std::string& component) {
  YAML::Node node;
  node["name"] = Text(metric.name);
  switch (metric.source) {
    case MetricSource::kResource:
      node["resource"]["name"] = Text(metric.resource);
      node["resource"]["component"] = Text(component);
      break;
    case MetricSource::kPrometheus:
      node["prometheus"]["query"] = Text(metric.query);
      break;
    case MetricSource::kQueue:
      node["queue"]["flavor"] = Text("list");
      node["queue"]["name"] = Text(metric.list);
      break;
  }
  return node;
}

void WriteMetrics(const Draft& draft, const std::string& component, Document& document) {
  for (std::size_t i = 0; i < draft.metrics.size(); ++i) {
    document.policy["spec"]["metrics"].push_back(MetricNode(draft.metrics[i], component));
    if (!draft.metrics[i].note.empty())
      document.notes["spec.metrics[" + std::to_string(i) + "].name"].push_back(
          draft.metrics[i].note);
  }
}

// The HPA's default behavior (autoscaling/v2), written out: Gearbox's own defaults differ.
YAML::Node DefaultBehavior(bool up) {
  YAML::Node block = YAML::Load(
      up ? "{stabilizationWindowSeconds: 0, selectPolicy: Max, policies: [{type: Percent, value: "
           "100, periodSeconds: 15}, {type: Pods, value: 4, periodSeconds: 15}]}"
         : "{stabilizationWindowSeconds: 300, selectPolicy: Max, policies: [{type: Percent, "
           "value: 100, periodSeconds: 15}]}");
  block.SetStyle(YAML::EmitterStyle::Block);
  return block;
}

void WriteBehavior(const Draft& draft, YAML::Node component, Document& document) {
  for (const bool up : {true, false}) {
    const YAML::Node& given = up ? draft.behavior_up : draft.behavior_down;
    const std::string key = up ? "scaleUp" : "scaleDown";
    const bool pasted = given.IsMap();
    component["behavior"][key] = pasted ? YAML::Clone(given) : DefaultBehavior(up);
    std::string path = kComponent + ".behavior.";
    path += key;
    if (!pasted)
      document.notes[path].push_back(
          "the HPA's default, written out (Gearbox's own default differs)");
  }
}

void WriteScaleToZero(const Draft& draft, YAML::Node component) {
  if (!draft.scale_to_zero_cooldown) return;
  YAML::Node zero = component["scaleToZero"];
  for (const auto& metric : draft.metrics) {
    if (!metric.activation || zero["activation"].size() >= 4) continue;
    YAML::Node activation;
    activation["metric"] = Text(metric.name);
    activation["above"] = FormatNumber(*metric.activation);
    zero["activation"].push_back(activation);
  }
  zero["cooldown"] = Text(*draft.scale_to_zero_cooldown);
}

void WriteComponent(const Draft& draft, const std::string& name, Document& document) {
  YAML::Node component;
  component["name"] = Text(name);
  component["target"]["apiVersion"] = Text(draft.target_api_version);
  component["target"]["kind"] = Text(draft.target_kind);
  component["target"]["name"] = Text(draft.target_name);
  component["replicas"]["min"] = draft.min;
  component["replicas"]["max"] = draft.max;
  WriteRules(draft, component, kComponent, document);
  WriteBehavior(draft, component, document);
  if (draft.fallback) {
    component["fallback"]["failureThreshold"] = draft.fallback->failure_threshold;
    component["fallback"]["replicas"] = draft.fallback->replicas;
  }
  WriteScaleToZero(draft, component);
  document.policy["spec"]["components"].push_back(component);
}

void WriteSchedules(const Draft& draft, const std::string& component, YAML::Node spec) {
  for (const auto& schedule : draft.schedules) {
    YAML::Node node;
    node["name"] = Text(schedule.name);
    node["start"] = Text(schedule.start);
    node["duration"] = Text(schedule.duration);
    node["timeZone"] = Text(schedule.time_zone);
    node["components"][component]["min"] = schedule.min;
    spec["schedules"].push_back(node);
  }
}

}  // namespace

Document WritePolicy(const Draft& draft, const WriteOptions& options) {
  Document document;
  document.header.push_back("Converted from the " + draft.origin +
                            " by gearbox-controller convert.");
  for (const auto& note : draft.header_notes)
    document.header.push_back("Not carried over: " + note);
  document.policy["apiVersion"] = Text("gearbox.dev/v1alpha1");
  document.policy["kind"] = Text("ScalingPolicy");
  WriteMetadata(draft, options, document);
  WriteMode(draft, options, document);
  YAML::Node spec = document.policy["spec"];
  spec["interval"] = Text(draft.interval);
  WriteSources(draft, spec);
  const std::string component = DnsLabel(draft.target_name);
  WriteMetrics(draft, component, document);
  WriteComponent(draft, component, document);
  WriteSchedules(draft, component, spec);
  for (const auto& note : draft.line_notes) document.notes[note.path].push_back(note.text);
  return document;
}

}  // namespace gearbox::convert
