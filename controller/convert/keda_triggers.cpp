// See keda_triggers.h. KEDA's metadata holds every value as text; KEDA sizes through an HPA it
// makes, so a trigger's threshold is an HPA target (metricType AverageValue by default: the
// value is divided by the replicas, which is perReplica).
#include "convert/keda_triggers.h"

#include <set>

#include "convert/cron.h"
#include "convert/fields.h"
#include "convert/hpa_metrics.h"
#include "convert/naming.h"
#include "convert/prometheus_auth.h"
#include "convert/quantity.h"

namespace gearbox::convert {

namespace {

// A trigger as read: its type, name, metadata, metricType and where it is.
struct Trigger {
  std::string type;
  std::string name;
  std::string metric_type;
  YAML::Node metadata;
  std::string path;
  bool authenticated = false;
  YAML::Node authentication_ref;
};

// The metadata keys of a scaler that are carried over; the others are noted.
void NoteOtherKeys(const Trigger& trigger, const std::set<std::string>& known, Draft& draft) {
  std::string others;
  for (const auto& item : trigger.metadata) {
    const std::string key = item.first.Scalar();
    if (!known.count(key)) others += (others.empty() ? "" : ", ") + key;
  }
  if (!others.empty())
    draft.header_notes.push_back(trigger.path + " (" + trigger.type + ") metadata " + others);
}

Result<double> RequiredNumber(const Trigger& trigger, const std::string& key) {
  ASSIGN_OR_RETURN(const auto value,
                   OptionalQuantity(trigger.metadata, key, trigger.path + ".metadata"));
  if (!value) return Error::Invalid(trigger.path + ".metadata." + key + " is required");
  return *value;
}

Result<double> NumberOr(const Trigger& trigger, const std::string& key, double fallback) {
  ASSIGN_OR_RETURN(const auto value,
                   OptionalQuantity(trigger.metadata, key, trigger.path + ".metadata"));
  return value.value_or(fallback);
}

Status ReadResource(const Trigger& trigger, Draft& draft) {
  ASSIGN_OR_RETURN(const auto old_type,
                   OptionalText(trigger.metadata, "type", trigger.path + ".metadata"));
  const std::string metric_type =
      trigger.metric_type.empty() ? old_type.value_or("") : trigger.metric_type;
  ASSIGN_OR_RETURN(const double value, RequiredNumber(trigger, "value"));
  if (value <= 0) return Error::Invalid(trigger.path + ".metadata.value must be more than 0");
  const std::string name =
      UniqueMetricName(trigger.name.empty() ? trigger.type : trigger.name, draft);
  NoteOtherKeys(trigger, {"type", "value", "containerName"}, draft);
  if (metric_type != "Utilization") {  // AverageValue: an absolute amount per pod
    AddPlaceholderMetric(name, "the total " + trigger.type + " of the target's pods", value, true,
                         draft);
    return OkStatus();
  }
  draft.metrics.push_back(ResourceMetric(name, trigger.type, value));
  if (trigger.metadata["containerName"])
    draft.metrics.back().note = "KEDA measured one container; Gearbox measures whole pods";
  return OkStatus();
}

// The one server of a kind a policy reads: the first trigger's (it replaces the placeholder a
// cpu or memory AverageValue trigger put there). A trigger on another server is left out, and
// said: read from the first server, its metric would be some other number.
bool UseServer(const Trigger& trigger, const std::string& url, std::string& server, Draft& draft) {
  if (server == kPlaceholderPrometheus)
    std::erase_if(draft.line_notes, [](const LineNote& n) { return n.path == kPrometheusUrlPath; });
  if (server.empty() || server == kPlaceholderPrometheus) server = url;
  if (server == url) return true;
  draft.header_notes.push_back(trigger.path + " (" + trigger.type + " on " + url +
                               "): a policy reads one " + trigger.type + " server (" + server +
                               "); put it in a policy of its own, or export it to that server");
  return false;
}

// How the trigger authenticated, carried over (prometheus_auth.h); a trigger whose authentication
// cannot be carried is left out, and said.
Result<std::optional<CarriedAuth>> CarryAuth(const Trigger& trigger, const std::string& server,
                                             Draft& draft) {
  const TriggerAuth* auth = trigger.authenticated && draft.trigger_auths
                                ? draft.trigger_auths->Find(trigger.authentication_ref, draft.ns)
                                : nullptr;
  ASSIGN_OR_RETURN(
      CarriedAuth carried,
      CarryPrometheusAuth(trigger.metadata, server, trigger.authenticated, auth, trigger.path));
  if (!carried.refused) return std::optional<CarriedAuth>(std::move(carried));
  draft.header_notes.push_back(trigger.path + " (prometheus on " + server +
                               "): KEDA authenticated with " + *carried.refused);
  return std::optional<CarriedAuth>();
}

Status ReadPrometheus(const Trigger& trigger, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const std::string server, RequiredText(trigger.metadata, "serverAddress", here));
  ASSIGN_OR_RETURN(std::optional<CarriedAuth> auth, CarryAuth(trigger, server, draft));
  if (!auth) return OkStatus();
  ASSIGN_OR_RETURN(const std::string query, RequiredText(trigger.metadata, "query", here));
  ASSIGN_OR_RETURN(const double threshold, RequiredNumber(trigger, "threshold"));
  ASSIGN_OR_RETURN(const double activation, NumberOr(trigger, "activationThreshold", 0));
  if (threshold <= 0) return Error::Invalid(here + ".threshold must be more than 0");
  ASSIGN_OR_RETURN(const auto metric_name, OptionalText(trigger.metadata, "metricName", here));
  const std::string wanted =
      !trigger.name.empty() ? trigger.name : metric_name.value_or("prometheus");
  SizedMetric metric = PrometheusMetric(UniqueMetricName(wanted, draft), query, threshold,
                                        trigger.metric_type != "Value");
  metric.activation = activation;
  if (!UseServer(trigger, server, draft.prometheus_url, draft)) return OkStatus();
  draft.metrics.push_back(metric);
  NoteOtherKeys(trigger,
                {"serverAddress", "query", "threshold", "activationThreshold", "metricName",
                 "authModes", "awsRegion", "customHeaders", "cortexOrgID", "identityOwner"},
                draft);
  draft.prometheus_auth.reset(auth->fields);
  for (auto& note : auth->notes) draft.line_notes.push_back({kPrometheusUrlPath, std::move(note)});
  return OkStatus();
}

Result<std::string> RedisUrl(const Trigger& trigger, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const auto address, OptionalText(trigger.metadata, "address", here));
  ASSIGN_OR_RETURN(const auto host, OptionalText(trigger.metadata, "host", here));
  ASSIGN_OR_RETURN(const auto port, OptionalText(trigger.metadata, "port", here));
  ASSIGN_OR_RETURN(const auto db, OptionalInteger(trigger.metadata, "databaseIndex", here));
  std::string url = address ? *address : host ? *host + ":" + port.value_or("6379") : "";
  if (url.empty()) {
    url = "redis.example.invalid:6379";
    draft.line_notes.push_back(
        {"spec.sources.redis.url",
         "a placeholder: KEDA read the address from the target's environment"});
  }
  return "redis://" + url + (db && *db != 0 ? "/" + std::to_string(*db) : "");
}

void NoteRedisPassword(const Trigger& trigger, Draft& draft) {
  const bool from_env = static_cast<bool>(trigger.metadata["passwordFromEnv"]);
  if (!from_env && !trigger.authenticated) return;
  draft.line_notes.push_back(
      {"spec.sources.redis.url",
       std::string("KEDA took the password from ") +
           (from_env ? "the target's environment" : "a TriggerAuthentication") +
           ": set passwordSecretRef {name, key} to the Secret that holds it"});
}

Status ReadRedis(const Trigger& trigger, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const std::string list, RequiredText(trigger.metadata, "listName", here));
  ASSIGN_OR_RETURN(const double length, NumberOr(trigger, "listLength", 5));
  ASSIGN_OR_RETURN(const double activation, NumberOr(trigger, "activationListLength", 0));
  if (length <= 0) return Error::Invalid(here + ".listLength must be more than 0");
  ASSIGN_OR_RETURN(const std::string url, RedisUrl(trigger, draft));
  SizedMetric metric =
      QueueMetric(UniqueMetricName(trigger.name.empty() ? list : trigger.name, draft), list, length,
                  trigger.metric_type != "Value");
  metric.activation = activation;
  if (!UseServer(trigger, url, draft.redis_url, draft)) return OkStatus();
  draft.metrics.push_back(metric);
  NoteRedisPassword(trigger, draft);
  NoteOtherKeys(trigger,
                {"address", "host", "port", "databaseIndex", "listName", "listLength",
                 "activationListLength", "passwordFromEnv"},
                draft);
  return OkStatus();
}

std::string ScheduleName(const Trigger& trigger, const Draft& draft) {
  std::string name = trigger.name.empty() ? "cron" : DnsLabel(trigger.name);
  if (!std::isalpha(static_cast<unsigned char>(name.front()))) name = "cron-" + name;
  std::string unique = name;
  for (int n = 2;; ++n) {
    bool taken = false;
    for (const auto& s : draft.schedules) taken = taken || s.name == unique;
    if (!taken) return unique;
    unique = name + "-" + std::to_string(n);
  }
}

Status ReadCron(const Trigger& trigger, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const std::string start, RequiredText(trigger.metadata, "start", here));
  ASSIGN_OR_RETURN(const std::string end, RequiredText(trigger.metadata, "end", here));
  ASSIGN_OR_RETURN(const std::string zone, RequiredText(trigger.metadata, "timezone", here));
  ASSIGN_OR_RETURN(const auto replicas, OptionalInteger(trigger.metadata, "desiredReplicas", here));
  if (!replicas || *replicas < 0)
    return Error::Invalid(here + ".desiredReplicas is required (0 or more)");
  const auto duration = CronWindowDuration(start, end);
  if (!duration) {
    draft.header_notes.push_back(trigger.path + " (cron " + start + " to " + end +
                                 "): a schedule opens at a cron and stays open a fixed duration; " +
                                 duration.error().message);
    return OkStatus();
  }
  draft.schedules.push_back({ScheduleName(trigger, draft), start, *duration, zone, *replicas});
  return OkStatus();
}

// KEDA's redis-streams sizes on a consumer group's lag (lagCount) or pending entries (XPENDING),
// or, without a consumerGroup, on the stream's length (XLEN); Gearbox's stream metric is the
// group's lag + pending, another number in each case.
Status NoteRedisStreams(const Trigger& trigger, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const auto group, OptionalText(trigger.metadata, "consumerGroup", here));
  const std::string kedas = !group ? "the stream's length (XLEN)"
                            : trigger.metadata["lagCount"]
                                ? "consumer group " + *group + "'s lag"
                                : "consumer group " + *group + "'s pending entries (XPENDING)";
  draft.header_notes.push_back(trigger.path + " (redis-streams): KEDA sized on " + kedas +
                               "; Gearbox's stream metric (queue {flavor: stream, group}) is a "
                               "consumer group's lag + pending entries, another number");
  return OkStatus();
}

Result<Trigger> ParseTrigger(const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) return Error::Invalid(path + " must be a map");
  Trigger trigger;
  trigger.path = path;
  ASSIGN_OR_RETURN(trigger.type, RequiredText(node, "type", path));
  ASSIGN_OR_RETURN(const auto name, OptionalText(node, "name", path));
  ASSIGN_OR_RETURN(const auto metric_type, OptionalText(node, "metricType", path));
  ASSIGN_OR_RETURN(trigger.metadata, OptionalMap(node, "metadata", path));
  trigger.name = name.value_or("");
  trigger.metric_type = metric_type.value_or("");
  trigger.authenticated = static_cast<bool>(node["authenticationRef"]);
  if (trigger.authenticated) trigger.authentication_ref.reset(node["authenticationRef"]);
  return trigger;
}

}  // namespace

Status ReadTrigger(const YAML::Node& node, const std::string& path, Draft& draft) {
  ASSIGN_OR_RETURN(const Trigger trigger, ParseTrigger(node, path));
  if (trigger.type == "cpu" || trigger.type == "memory") return ReadResource(trigger, draft);
  if (trigger.type == "prometheus") return ReadPrometheus(trigger, draft);
  if (trigger.type == "redis") return ReadRedis(trigger, draft);
  if (trigger.type == "cron") return ReadCron(trigger, draft);
  if (trigger.type == "redis-streams") return NoteRedisStreams(trigger, draft);
  draft.header_notes.push_back(path + " (" + trigger.type +
                               "): no such source in Gearbox (resource, prometheus and Redis "
                               "queue metrics); a prometheus metric exporting it would do");
  return OkStatus();
}

}  // namespace gearbox::convert
