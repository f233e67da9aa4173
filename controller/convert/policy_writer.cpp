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

// Secret references {field: {name, key}} into `node`.
void WriteSecretRefs(const std::map<std::string, AuthSecret>& refs, YAML::Node node) {
  for (const auto& [field, secret] : refs) node[field] = SecretRefNode(secret);
}

// --- Redis Cluster and Sentinel, PostgreSQL ---

// The url, unless the server is a cluster or a sentinel-watched master, then what else was read.
void WriteRedisSource(const Draft& draft, YAML::Node redis) {
  const YAML::Node& more = draft.redis_source;
  const bool topology = more.IsMap() && (more["cluster"] || more["sentinel"]);
  if (!topology) redis["url"] = Text(draft.redis_url);
  if (!more.IsMap()) return;
  for (const auto& item : more) redis[item.first.Scalar()] = YAML::Clone(item.second);
}

// --- end of Redis Cluster and Sentinel, PostgreSQL ---

void WriteSources(const Draft& draft, YAML::Node spec) {
  if (!draft.prometheus_url.empty()) {
    spec["sources"]["prometheus"]["url"] = Text(draft.prometheus_url);
    if (draft.prometheus_auth && draft.prometheus_auth.IsMap()) {
      for (const auto& field : draft.prometheus_auth)
        spec["sources"]["prometheus"][field.first.Scalar()] = field.second;
    }
  }
  if (!draft.redis_url.empty()) WriteRedisSource(draft, spec["sources"]["redis"]);
  if (draft.postgresql_source.IsMap())
    spec["sources"]["postgresql"] = YAML::Clone(draft.postgresql_source);
  if (!draft.rabbitmq_url.empty()) {
    spec["sources"]["rabbitmq"]["url"] = Text(draft.rabbitmq_url);
    WriteSecretRefs(draft.rabbitmq_secret_refs, spec["sources"]["rabbitmq"]);
  }
}

// The HTTP and pod metrics: metricsApi, rabbitmq, podCount.
void HttpOrPodMetricNode(const SizedMetric& metric, YAML::Node node) {
  switch (metric.source) {
    case MetricSource::kMetricsApi:
      node["metricsApi"]["url"] = Text(metric.url);
      node["metricsApi"]["valueLocation"] = Text(metric.value_location);
      WriteSecretRefs(metric.secret_refs, node["metricsApi"]);
      break;
    case MetricSource::kRabbitmq:
      node["rabbitmq"]["queue"] = Text(metric.queue);
      node["rabbitmq"]["vhost"] = Text(metric.vhost);
      node["rabbitmq"]["measure"] = Text(metric.measure);
      break;
    case MetricSource::kPodCount:
      node["podCount"]["selector"] = Text(metric.selector);
      break;
    default:
      break;
  }
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
      node["queue"]["flavor"] = Text(metric.stream_length ? "stream" : "list");
      node["queue"]["name"] = Text(metric.list);
      if (metric.stream_length) node["queue"]["measure"] = Text("length");
      break;
    case MetricSource::kPostgres:
      node["postgresql"]["query"] = Text(metric.sql);
      break;
    default:
      HttpOrPodMetricNode(metric, node);
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

// A block in the HPA form: a `window` of seconds, Max of Percent 100 and (when pods > 0) Pods
// `pods`, each per 15 seconds.
YAML::Node HpaBlock(int window, int pods) {
  std::string text = "{stabilizationWindowSeconds: " + std::to_string(window) +
                     ", selectPolicy: Max, policies: [{type: Percent, value: 100, "
                     "periodSeconds: 15}";
  if (pods > 0) text += ", {type: Pods, value: " + std::to_string(pods) + ", periodSeconds: 15}";
  YAML::Node block = YAML::Load(text + "]}");
  block.SetStyle(YAML::EmitterStyle::Block);
  return block;
}

// A direction the old object does not give. With a behavior (`{}` too), the HPA fills it with
// the autoscaling/v2 defaults: up Percent 100 and Pods 4, down Percent 100 and a 300 s window.
// Without one, the HPA controller uses its older limit (horizontal.go, normalizeDesiredReplicas):
// up to max(2 x current, 4) per sync, down at once to the highest recommendation of its downscale
// window; Pods 3 is the closest policy to the 4 (below).
YAML::Node DefaultBlock(bool up, bool behavior_given) {
  if (!up) return HpaBlock(300, 0);
  return HpaBlock(0, behavior_given ? 4 : 3);
}

void NoteDefaultBlock(bool up, bool behavior_given, const std::string& path, Document& document) {
  auto& notes = document.notes;
  if (behavior_given) {
    notes[path].push_back("the HPA's default, written out (Gearbox's own default differs)");
  } else {
    notes[path].push_back(up ? "no behavior: the HPA's older limit, at most max(2 x current, 4) "
                               "per 15s sync (not the autoscaling/v2 default)"
                             : "no behavior: the HPA's older limit; down, none but the "
                               "stabilization window");
  }
  if (!up)
    notes[path + ".stabilizationWindowSeconds"].push_back(
        "the HPA controller's --horizontal-pod-autoscaler-downscale-stabilization, default 5m: "
        "yours if your cluster sets another");
  // No set of policies is max(2 x current, 4): one that allows 4 from 1 allows more from 2.
  if (up && !behavior_given)
    notes[path + ".policies[1].value"].push_back(
        "max(2 x current, 3 + current): the HPA's limit at every count but 2, where this allows 5 "
        "(the HPA: 4); no policy allows 4 from both 1 and 2");
}

// KEDA's paused-scale-out (paused-scale-in): no scale-up (scale-down) at all, its block's
// policies kept for when the annotation is lifted.
void DisableDirection(bool up, YAML::Node block, const std::string& path, Document& document) {
  block["selectPolicy"] = Text("Disabled");
  document.notes[path + ".selectPolicy"].push_back(
      std::string("KEDA's autoscaling.keda.sh/") + (up ? "paused-scale-out" : "paused-scale-in") +
      ": no scale-" + (up ? "up" : "down") + " while Disabled");
}

void WriteBehavior(const Draft& draft, YAML::Node component, Document& document) {
  for (const bool up : {true, false}) {
    const YAML::Node& given = up ? draft.behavior_up : draft.behavior_down;
    const std::string key = up ? "scaleUp" : "scaleDown";
    const std::string path = kComponent + ".behavior." + key;
    if (given.IsMap()) {
      component["behavior"][key] = YAML::Clone(given);
    } else {
      component["behavior"][key] = DefaultBlock(up, draft.behavior_given);
      NoteDefaultBlock(up, draft.behavior_given, path, document);
    }
    if (up ? draft.scale_up_paused : draft.scale_down_paused)
      DisableDirection(up, component["behavior"][key], path, document);
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
  document.dropped = draft.header_notes;
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
