// See keda_triggers.h. KEDA's metadata holds every value as text; KEDA sizes through an HPA it
// makes, so a trigger's threshold is an HPA target (metricType AverageValue by default: the
// value is divided by the replicas, which is perReplica).
#include "convert/keda_triggers.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "convert/cron.h"
#include "convert/document.h"
#include "convert/fields.h"
#include "convert/hpa_metrics.h"
#include "convert/naming.h"
#include "convert/prometheus_auth.h"
#include "convert/quantity.h"
#include "convert/trigger_auth.h"
#include "metrics/redacted_url.h"

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
  // What its authenticationRef names when that was not among the inputs, for comments
  // ("TriggerAuthentication rabbitmq-auth (not in the input)"); "" when none, or given.
  std::string not_given;
  // Its authenticationRef, when that was among the inputs; or the Secrets of the target's
  // environment that its `...FromEnv` parameters name.
  std::optional<TriggerAuth> auth;
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

// A trigger's target (required, more than 0) and its activation threshold (0 when not given).
struct TargetAndActivation {
  double target;
  double activation;
};

Result<TargetAndActivation> ReadTarget(const Trigger& trigger, const std::string& target_key,
                                       const std::string& activation_key) {
  ASSIGN_OR_RETURN(const double target, RequiredNumber(trigger, target_key));
  ASSIGN_OR_RETURN(const double activation, NumberOr(trigger, activation_key, 0));
  if (target <= 0)
    return Error::Invalid(trigger.path + ".metadata." + target_key + " must be more than 0");
  return TargetAndActivation{target, activation};
}

// The trigger's metric, named for the trigger (or `unnamed` when it has no name), its target per
// replica unless its metricType is Value.
SizedMetric TriggerMetric(const Trigger& trigger, const std::string& unnamed, MetricSource source,
                          double target, const Draft& draft) {
  return SizedOn(UniqueMetricName(trigger.name.empty() ? unnamed : trigger.name, draft), source,
                 target, trigger.metric_type != "Value");
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
  if (trigger.metadata["containerName"]) {
    draft.metrics.back().note = "KEDA measured one container; Gearbox measures whole pods";
    draft.header_notes.push_back(trigger.path + " (" + trigger.type + ") metadata containerName " +
                                 trigger.metadata["containerName"].Scalar() +
                                 ": KEDA measured that container's utilization; Gearbox measures "
                                 "the whole pod's (spec.metrics[" +
                                 std::to_string(draft.metrics.size() - 1) + "])");
  }
  return OkStatus();
}

// The one server of a kind a policy reads: the first trigger's (it replaces the placeholder a
// cpu or memory AverageValue trigger put there). A trigger on another server is left out, and
// said: read from the first server, its metric would be some other number.
bool UseServer(const Trigger& trigger, const std::string& url, std::string& server, Draft& draft) {
  if (server == kPlaceholderPrometheus) {
    std::erase_if(draft.line_notes, [](const LineNote& n) { return n.path == kPrometheusUrlPath; });
    std::erase_if(draft.header_notes,
                  [](const std::string& n) { return n.rfind(kPrometheusUrlPath, 0) == 0; });
  }
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
  const TriggerAuth* auth = trigger.auth ? &*trigger.auth : nullptr;
  ASSIGN_OR_RETURN(CarriedAuth carried, CarryPrometheusAuth(trigger.metadata, server,
                                                            trigger.not_given, auth, trigger.path));
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
  ASSIGN_OR_RETURN(const TargetAndActivation sized,
                   ReadTarget(trigger, "threshold", "activationThreshold"));
  ASSIGN_OR_RETURN(const auto metric_name, OptionalText(trigger.metadata, "metricName", here));
  const std::string wanted =
      !trigger.name.empty() ? trigger.name : metric_name.value_or("prometheus");
  SizedMetric metric = PrometheusMetric(UniqueMetricName(wanted, draft), query, sized.target,
                                        trigger.metric_type != "Value");
  metric.activation = sized.activation;
  if (!UseServer(trigger, server, draft.prometheus_url, draft)) return OkStatus();
  draft.metrics.push_back(metric);
  NoteOtherKeys(trigger,
                {"serverAddress", "query", "threshold", "activationThreshold", "metricName",
                 "authModes", "awsRegion", "customHeaders", "cortexOrgID", "identityOwner"},
                draft);
  draft.prometheus_auth.reset(auth->fields);
  for (auto& note : auth->notes) draft.line_notes.push_back({kPrometheusUrlPath, std::move(note)});
  for (const auto& note : auth->missing) NoteMissing(draft, kPrometheusUrlPath, note);
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
    NoteMissing(draft, "spec.sources.redis.url",
                "a placeholder: KEDA read the address from the target's environment (give the "
                "Deployment in the same run, or write the address here)");
  }
  return "redis://" + url + (db && *db != 0 ? "/" + std::to_string(*db) : "");
}

// Where KEDA took a password that the policy has no Secret reference for.
std::string PasswordOrigin(const Trigger& trigger, bool from_env) {
  if (from_env) return "the target's environment (not from a Secret convert was given)";
  if (trigger.auth) return trigger.auth->what + ", which gives no password parameter";
  return trigger.not_given;
}

// Whether KEDA logged in with a password the policy has no reference for: from the environment,
// or an authentication not given or without one (a pod identity is said by NoteAuthLeft).
bool PasswordLeftToSet(const Trigger& trigger) {
  if (trigger.metadata["passwordFromEnv"]) return true;
  return trigger.authenticated && !(trigger.auth && !trigger.auth->pod_identity.empty());
}

void NoteRedisPassword(const Trigger& trigger, Draft& draft) {
  const bool from_env = static_cast<bool>(trigger.metadata["passwordFromEnv"]);
  if (!PasswordLeftToSet(trigger)) return;
  NoteMissing(draft, "spec.sources.redis.url",
              "KEDA took the password from " + PasswordOrigin(trigger, from_env) +
                  ": set passwordSecretRef {name, key} to the Secret that holds it");
}

// --- Redis Cluster and Sentinel, PostgreSQL ---

// The Secret key a parameter of the trigger's TriggerAuthentication comes from; null when none.
const AuthSecret* SecretOf(const Trigger& trigger, const std::string& parameter) {
  if (!trigger.auth) return nullptr;
  const auto found = trigger.auth->secrets.find(parameter);
  return found == trigger.auth->secrets.end() ? nullptr : &found->second;
}

// The Secret key a parameter of the trigger's TriggerAuthentication comes from, set as `field` of
// `block` (at `path` in the policy); a ClusterTriggerAuthentication's Secret is in KEDA's
// namespace, and that is said. False when the authentication does not give the parameter.
bool SetSecretRef(const Trigger& trigger, const std::string& parameter, YAML::Node block,
                  const std::string& field, const std::string& path, Draft& draft) {
  const AuthSecret* secret = SecretOf(trigger, parameter);
  if (!secret) return false;
  block[field] = SecretRefNode(*secret);
  if (secret->cluster_scoped)
    draft.line_notes.push_back({path + "." + field + ".name",
                                "from a ClusterTriggerAuthentication: this Secret is in KEDA's "
                                "namespace; Gearbox reads the policy's, copy it there"});
  return true;
}

// What the trigger's authentication gives that the policy does not use: above the policy.
void NoteAuthLeft(const Trigger& trigger, const std::set<std::string>& used, Draft& draft) {
  if (!trigger.auth) return;
  for (const auto& [parameter, secret] : trigger.auth->secrets) {
    if (!used.count(parameter))
      draft.header_notes.push_back(trigger.path + " (" + trigger.type + "): " + trigger.auth->what +
                                   " parameter " + parameter + " (Secret " + secret.name + " key " +
                                   secret.key +
                                   "): Gearbox's source takes no Secret for it (write its value "
                                   "in the policy, if it has a field for it)");
  }
  for (const auto& parameter : trigger.auth->elsewhere)
    draft.header_notes.push_back(trigger.path + " (" + trigger.type + "): " + trigger.auth->what +
                                 " parameter " + parameter +
                                 ": Gearbox reads Secrets only; put it in one and reference it");
  if (!trigger.auth->pod_identity.empty())
    draft.header_notes.push_back(trigger.path + " (" + trigger.type + "): " + trigger.auth->what +
                                 " podIdentity (" + trigger.auth->pod_identity +
                                 "): Gearbox reads Secrets only; put the credentials in one");
}

// Host lists as KEDA's redis-cluster and redis-sentinel give them: addresses "h1:p1, h2:p2", or
// hosts and ports (one port for all, or one each); a placeholder, and said, when KEDA read them
// from the target's environment and convert was not given it.
Result<std::vector<std::string>> RedisAddresses(const Trigger& trigger, const std::string& path,
                                                Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const auto addresses, OptionalText(trigger.metadata, "addresses", here));
  ASSIGN_OR_RETURN(const auto hosts, OptionalText(trigger.metadata, "hosts", here));
  ASSIGN_OR_RETURN(const auto ports, OptionalText(trigger.metadata, "ports", here));
  auto split = [](const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      if (!item.empty()) out.push_back(item);
    }
    return out;
  };
  if (addresses) return split(*addresses);
  if (!hosts && (trigger.metadata["addressesFromEnv"] || trigger.metadata["hostsFromEnv"])) {
    NoteMissing(draft, path,
                "a placeholder: KEDA read the addresses from the target's environment (give the "
                "Deployment in the same run, or write them here)");
    return std::vector<std::string>{"redis.example.invalid:6379"};
  }
  if (!hosts) return Error::Invalid(here + ": addresses (or hosts and ports) is required");
  std::vector<std::string> out, host_list = split(*hosts), port_list = split(ports.value_or(""));
  if (port_list.size() > 1 && port_list.size() != host_list.size())
    return Error::Invalid(here + ": hosts and ports do not pair up");
  for (std::size_t i = 0; i < host_list.size(); ++i)
    out.push_back(host_list[i] + ":" +
                  (port_list.empty() ? "6379" : port_list[port_list.size() == 1 ? 0 : i]));
  return out;
}

enum class RedisTopology { kServer, kCluster, kSentinel };

// KEDA's enableTLS and its TriggerAuthentication's tls parameters (ca, cert, key).
Result<bool> RedisTls(const Trigger& trigger, YAML::Node source, Draft& draft) {
  ASSIGN_OR_RETURN(const auto enable,
                   OptionalText(trigger.metadata, "enableTLS", trigger.path + ".metadata"));
  bool tls = enable == std::optional<std::string>("true");
  const std::string path = "spec.sources.redis.tls";
  for (auto [parameter, field] :
       {std::pair{"ca", "caSecretRef"}, std::pair{"cert", "certSecretRef"},
        std::pair{"key", "keySecretRef"}})
    tls = SetSecretRef(trigger, parameter, source["tls"], field, path, draft) || tls;
  if (tls && !source["tls"]) source["tls"] = YAML::Node(YAML::NodeType::Map);
  return tls;
}

// The password and user: a Secret from the TriggerAuthentication, or said where KEDA took them.
void RedisCredentials(const Trigger& trigger, YAML::Node& source, Draft& draft) {
  const std::string path = "spec.sources.redis";
  if (!SetSecretRef(trigger, "password", source, "passwordSecretRef", path, draft))
    NoteRedisPassword(trigger, draft);
  const bool user_in_secret = trigger.auth && trigger.auth->secrets.count("username");
  if (user_in_secret || trigger.metadata["usernameFromEnv"])
    NoteMissing(draft,
                path + (trigger.metadata["address"] || trigger.metadata["host"] ? ".url" : ""),
                "KEDA took the ACL user from " +
                    std::string(user_in_secret ? "a Secret" : "the target's environment") +
                    ": write it in username");
}

// A sentinel's master name and the sentinels' own credentials.
Status RedisSentinelFields(const Trigger& trigger, YAML::Node sentinel, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const auto master, OptionalText(trigger.metadata, "sentinelMaster", here));
  ASSIGN_OR_RETURN(const auto db, OptionalInteger(trigger.metadata, "databaseIndex", here));
  sentinel["masterName"] = Text(master.value_or("mymaster"));
  if (!master)
    NoteMissing(draft, "spec.sources.redis.sentinel.masterName",
                "a placeholder: KEDA read the master's name from the target's environment "
                "(sentinelMasterFromEnv)");
  if (db && *db != 0) sentinel["database"] = *db;
  const std::string path = "spec.sources.redis.sentinel";
  if (!SetSecretRef(trigger, "sentinelPassword", sentinel, "passwordSecretRef", path, draft) &&
      trigger.metadata["sentinelPasswordFromEnv"])
    NoteMissing(draft, path + ".masterName",
                "KEDA took the sentinels' password from the target's environment: set "
                "passwordSecretRef {name, key} to the Secret that holds it");
  return OkStatus();
}

// The Redis the trigger reads as spec.sources.redis, and what names it ("redis://host:6379",
// "cluster a:1,b:2"); false (and said) when the policy already reads another.
Result<bool> ReadRedisServer(const Trigger& trigger, RedisTopology topology, Draft& draft) {
  YAML::Node source(YAML::NodeType::Map);
  ASSIGN_OR_RETURN(const bool tls, RedisTls(trigger, source, draft));
  std::string identity;
  if (topology == RedisTopology::kServer) {
    ASSIGN_OR_RETURN(identity, RedisUrl(trigger, draft));
    if (tls) identity.insert(5, "s");  // redis:// -> rediss://
  } else {
    const char* key = topology == RedisTopology::kCluster ? "cluster" : "sentinel";
    ASSIGN_OR_RETURN(const auto addresses,
                     RedisAddresses(trigger, "spec.sources.redis." + std::string(key), draft));
    identity = std::string(key);
    for (const auto& a : addresses) {
      source[key]["addresses"].push_back(Text(a));
      identity += " " + a;
    }
    if (topology == RedisTopology::kSentinel)
      RETURN_IF_ERROR(RedisSentinelFields(trigger, source["sentinel"], draft));
  }
  if (!UseServer(trigger, identity, draft.redis_url, draft)) return false;
  RedisCredentials(trigger, source, draft);
  if (source.size() > 0) draft.redis_source = source;
  return true;
}

const std::set<std::string> kRedisServerKeys = {"address",
                                                "host",
                                                "port",
                                                "addresses",
                                                "hosts",
                                                "ports",
                                                "databaseIndex",
                                                "enableTLS",
                                                "passwordFromEnv",
                                                "usernameFromEnv",
                                                "sentinelMaster",
                                                "sentinelMasterFromEnv",
                                                "sentinelPasswordFromEnv",
                                                "sentinelUsernameFromEnv",
                                                "addressFromEnv",
                                                "hostFromEnv",
                                                "portFromEnv",
                                                "addressesFromEnv",
                                                "hostsFromEnv",
                                                "portsFromEnv"};

std::set<std::string> With(std::set<std::string> keys, std::initializer_list<const char*> more) {
  keys.insert(more.begin(), more.end());
  return keys;
}

// redis, redis-cluster, redis-sentinel: a list's length (LLEN).
Status ReadRedisList(const Trigger& trigger, RedisTopology topology, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const std::string list, RequiredText(trigger.metadata, "listName", here));
  ASSIGN_OR_RETURN(const double length, NumberOr(trigger, "listLength", 5));
  ASSIGN_OR_RETURN(const double activation, NumberOr(trigger, "activationListLength", 0));
  if (length <= 0) return Error::Invalid(here + ".listLength must be more than 0");
  SizedMetric metric =
      QueueMetric(UniqueMetricName(trigger.name.empty() ? list : trigger.name, draft), list, length,
                  trigger.metric_type != "Value");
  metric.activation = activation;
  ASSIGN_OR_RETURN(const bool used, ReadRedisServer(trigger, topology, draft));
  if (!used) return OkStatus();
  draft.metrics.push_back(metric);
  NoteOtherKeys(trigger, With(kRedisServerKeys, {"listName", "listLength", "activationListLength"}),
                draft);
  NoteAuthLeft(trigger, {"password", "username", "ca", "cert", "key", "tls", "sentinelPassword"},
               draft);
  return OkStatus();
}

// KEDA's redis-streams sizes on a consumer group's lag (lagCount) or pending entries (XPENDING),
// or, without a consumerGroup, on the stream's length (XLEN). The length is Gearbox's queue
// {flavor: stream, measure: length}; a group's lag alone or pending alone is not: Gearbox's
// group measure is lag + pending, another number.
Status NoteRedisStreamGroup(const Trigger& trigger, const std::string& group, Draft& draft) {
  const std::string kedas = trigger.metadata["lagCount"]
                                ? "consumer group " + group + "'s lag"
                                : "consumer group " + group + "'s pending entries (XPENDING)";
  draft.header_notes.push_back(trigger.path + " (" + trigger.type + "): KEDA sized on " + kedas +
                               "; Gearbox measures a stream's length (measure: length) or a "
                               "group's lag + pending entries (queue {flavor: stream, group}), "
                               "not either alone");
  return OkStatus();
}

// redis-streams, redis-cluster-streams, redis-sentinel-streams.
Status ReadRedisStream(const Trigger& trigger, RedisTopology topology, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const auto group, OptionalText(trigger.metadata, "consumerGroup", here));
  if (group) return NoteRedisStreamGroup(trigger, *group, draft);
  ASSIGN_OR_RETURN(const std::string stream, RequiredText(trigger.metadata, "stream", here));
  ASSIGN_OR_RETURN(const double length, NumberOr(trigger, "streamLength", 5));
  if (length <= 0) return Error::Invalid(here + ".streamLength must be more than 0");
  SizedMetric metric =
      QueueMetric(UniqueMetricName(trigger.name.empty() ? stream : trigger.name, draft), stream,
                  length, trigger.metric_type != "Value");
  metric.stream_length = true;
  ASSIGN_OR_RETURN(const bool used, ReadRedisServer(trigger, topology, draft));
  if (!used) return OkStatus();
  draft.metrics.push_back(metric);
  NoteOtherKeys(trigger, With(kRedisServerKeys, {"stream", "streamLength"}), draft);
  NoteAuthLeft(trigger, {"password", "username", "ca", "cert", "key", "tls", "sentinelPassword"},
               draft);
  return OkStatus();
}

// KEDA's postgresql connection: a connection string (the TriggerAuthentication's connection, or
// connectionFromEnv: a placeholder Secret), or host, port, userName, dbName and the password.
Status ReadPostgresConnection(const Trigger& trigger, YAML::Node source, Draft& draft) {
  const std::string here = trigger.path + ".metadata", path = "spec.sources.postgresql";
  if (SetSecretRef(trigger, "connection", source, "connectionSecretRef", path, draft))
    return OkStatus();
  ASSIGN_OR_RETURN(const auto host, OptionalText(trigger.metadata, "host", here));
  if (!host) {
    source["connectionSecretRef"]["name"] = Text("postgresql-connection");
    source["connectionSecretRef"]["key"] = Text("connection");
    NoteMissing(draft, path + ".connectionSecretRef.name",
                "a placeholder: KEDA read the connection string from the target's environment; "
                "put it in a Secret of the policy's namespace");
    return OkStatus();
  }
  ASSIGN_OR_RETURN(const auto port, OptionalInteger(trigger.metadata, "port", here));
  ASSIGN_OR_RETURN(const std::string user, RequiredText(trigger.metadata, "userName", here));
  ASSIGN_OR_RETURN(const std::string db, RequiredText(trigger.metadata, "dbName", here));
  ASSIGN_OR_RETURN(const auto sslmode, OptionalText(trigger.metadata, "sslmode", here));
  source["host"] = Text(*host);
  if (port) source["port"] = *port;
  source["database"] = Text(db);
  source["user"] = Text(user);
  if (sslmode) source["sslmode"] = Text(*sslmode);
  if (!SetSecretRef(trigger, "password", source, "passwordSecretRef", path, draft) &&
      PasswordLeftToSet(trigger))
    NoteMissing(
        draft, path + ".host",
        "KEDA took the password from " +
            PasswordOrigin(trigger, static_cast<bool>(trigger.metadata["passwordFromEnv"])) +
            ": set passwordSecretRef {name, key} to the Secret");
  return OkStatus();
}

Status ReadPostgresql(const Trigger& trigger, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const std::string query, RequiredText(trigger.metadata, "query", here));
  ASSIGN_OR_RETURN(const TargetAndActivation sized,
                   ReadTarget(trigger, "targetQueryValue", "activationTargetQueryValue"));
  YAML::Node source(YAML::NodeType::Map);
  RETURN_IF_ERROR(ReadPostgresConnection(trigger, source, draft));
  const std::string identity = YAML::Dump(source);
  if (!UseServer(trigger, identity, draft.postgresql_server, draft)) return OkStatus();
  draft.postgresql_source = source;
  SizedMetric metric =
      TriggerMetric(trigger, "postgresql", MetricSource::kPostgres, sized.target, draft);
  metric.sql = query;
  metric.activation = sized.activation;
  draft.metrics.push_back(metric);
  NoteOtherKeys(trigger,
                {"query", "targetQueryValue", "activationTargetQueryValue", "host", "port",
                 "userName", "dbName", "sslmode", "passwordFromEnv", "connectionFromEnv"},
                draft);
  NoteAuthLeft(trigger, {"connection", "password"}, draft);
  return OkStatus();
}

// --- end of Redis Cluster and Sentinel, PostgreSQL ---

Status ReadRedis(const Trigger& trigger, Draft& draft) {
  return ReadRedisList(trigger, RedisTopology::kServer, draft);
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

// ---- metrics-api, rabbitmq, kubernetes-workload ----

// The Secret keys of `fields` ({parameter, ScalingPolicy field}) in the trigger's
// TriggerAuthentication, all or none: a policy field of a pair needs the other.
bool SecretsFromAuth(const Trigger& trigger,
                     std::initializer_list<std::pair<const char*, const char*>> fields,
                     std::map<std::string, AuthSecret>& refs) {
  if (!trigger.auth) return false;
  std::map<std::string, AuthSecret> found;
  for (const auto& [parameter, field] : fields) {
    const AuthSecret* secret = SecretOf(trigger, parameter);
    if (!secret) return false;
    found[field] = *secret;
  }
  refs.insert(found.begin(), found.end());
  return true;
}

// Where KEDA took credentials that are not carried over as Secret references, and what to set.
std::string AuthNote(const Trigger& trigger, const std::string& fields) {
  const std::string from = trigger.auth            ? trigger.auth->what
                           : trigger.authenticated ? trigger.not_given
                                                   : "the target's environment";
  return "KEDA took the credentials from " + from + ": set " + fields +
         " {name, key} to the Secret keys that hold them";
}

// Once per metric or source, where SetSecretRef says it per Secret reference.
void NoteClusterAuth(const Trigger& trigger, const std::string& path, Draft& draft) {
  if (trigger.auth && trigger.auth->cluster_scoped)
    draft.line_notes.push_back({path, "the Secrets of " + trigger.auth->what +
                                          " are in KEDA's namespace: copy them to the policy's"});
}

// KEDA's metrics-api authModes (a comma-separated list) Gearbox cannot carry (an API key, a client
// certificate), or "".
std::string UnsupportedApiAuth(const std::optional<std::string>& mode) {
  std::stringstream in(mode.value_or(""));
  for (std::string part; std::getline(in, part, ',');) {
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    if (part.empty() || part == "bearer" || part == "basic") continue;
    return part == "apiKey" ? "an API key (authMode: apiKey)"
           : part == "tls"  ? "a client certificate (authMode: tls)"
                            : "authMode " + part;
  }
  return "";
}

// KEDA's metrics-api authMode: the trigger's, else the one a TriggerAuthentication that holds it in
// a Secret implies by the credentials it gives (bearer a token, basic a username and password,
// apiKey a key, tls a certificate): each mode takes its own, so which was used is no guess.
std::optional<std::string> ApiAuthMode(const Trigger& trigger,
                                       const std::optional<std::string>& given, Draft& draft) {
  const AuthSecret* secret = SecretOf(trigger, "authMode");
  if (given || !secret) return given;
  const std::string mode = SecretOf(trigger, "token") ? "bearer"
                           : SecretOf(trigger, "username") && SecretOf(trigger, "password")
                               ? "basic"
                           : SecretOf(trigger, "apiKey") ? "apiKey"
                           : SecretOf(trigger, "cert")   ? "tls"
                                                         : "";
  if (mode.empty()) {
    draft.header_notes.push_back(trigger.path + " (metrics-api): KEDA read authMode from Secret " +
                                 secret->name + " key " + secret->key +
                                 ", and the TriggerAuthentication gives no credentials that say "
                                 "which: set the metric's Secret references by hand");
    return std::nullopt;
  }
  draft.line_notes.push_back({"spec.metrics[" + std::to_string(draft.metrics.size()) + "].name",
                              "KEDA read authMode from Secret " + secret->name + " key " +
                                  secret->key + ": " + mode + ", the credentials " +
                                  trigger.auth->what + " gives"});
  return mode;
}

// The bearer token or the basic user of a metrics-api trigger, as Secret references; what is
// left to set, when the TriggerAuthentication did not give them.
std::string MetricsApiAuth(const Trigger& trigger, const std::optional<std::string>& mode,
                           SizedMetric& metric) {
  if (!mode) return "";
  const bool bearer = *mode == "bearer";
  const bool resolved =
      bearer ? SecretsFromAuth(trigger, {{"token", "bearerTokenSecretRef"}}, metric.secret_refs)
             : SecretsFromAuth(
                   trigger, {{"username", "usernameSecretRef"}, {"password", "passwordSecretRef"}},
                   metric.secret_refs);
  SecretsFromAuth(trigger, {{"ca", "caSecretRef"}}, metric.secret_refs);
  if (resolved) return "";
  return AuthNote(trigger,
                  bearer ? "bearerTokenSecretRef" : "usernameSecretRef and passwordSecretRef");
}

// A metrics-api trigger the metricsApi source cannot read: left out, and said.
Result<bool> MetricsApiLeftOut(const Trigger& trigger, const std::optional<std::string>& mode,
                               Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const auto format, OptionalText(trigger.metadata, "format", here));
  ASSIGN_OR_RETURN(const auto aggregate,
                   OptionalText(trigger.metadata, "aggregateFromKubeServiceEndpoints", here));
  std::string why;
  if (aggregate == std::optional<std::string>("true"))
    why =
        "aggregateFromKubeServiceEndpoints: KEDA read every endpoint of the Service and "
        "aggregated their values; Gearbox's metricsApi reads the one URL (serve the aggregate "
        "there, or export it to Prometheus)";
  else if (format && *format != "json")
    why = "format " + *format + ": Gearbox's metricsApi reads JSON answers";
  else if (const std::string auth = UnsupportedApiAuth(mode); !auth.empty())
    why = "KEDA authenticated with " + auth +
          ", which Gearbox's metricsApi does not support (a bearer token or basic only)";
  if (why.empty()) return false;
  draft.header_notes.push_back(trigger.path + " (metrics-api): " + why);
  return true;
}

Status ReadMetricsApi(const Trigger& trigger, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const auto given_mode, OptionalText(trigger.metadata, "authMode", here));
  const auto mode = ApiAuthMode(trigger, given_mode, draft);
  ASSIGN_OR_RETURN(const bool left_out, MetricsApiLeftOut(trigger, mode, draft));
  if (left_out) return OkStatus();
  ASSIGN_OR_RETURN(const std::string url, RequiredText(trigger.metadata, "url", here));
  ASSIGN_OR_RETURN(const std::string location,
                   RequiredText(trigger.metadata, "valueLocation", here));
  ASSIGN_OR_RETURN(const TargetAndActivation sized,
                   ReadTarget(trigger, "targetValue", "activationTargetValue"));
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Error::Invalid(here + ".url must be an http:// or https:// URL");
  SizedMetric metric =
      TriggerMetric(trigger, "api", MetricSource::kMetricsApi, sized.target, draft);
  metric.url = metrics::RedactedUrl(url);
  metric.value_location = location;
  metric.activation = sized.activation;
  std::string to_set = MetricsApiAuth(trigger, mode, metric);
  if (metric.url != url)
    to_set = "KEDA's url held credentials; set usernameSecretRef and passwordSecretRef";
  if (!to_set.empty()) MetricNeeds(metric, to_set, draft);
  NoteClusterAuth(trigger, "spec.metrics[" + std::to_string(draft.metrics.size()) + "].name",
                  draft);
  draft.metrics.push_back(metric);
  NoteOtherKeys(
      trigger,
      {"url", "valueLocation", "targetValue", "activationTargetValue", "format", "authMode",
       "method", "keyParamName", "aggregateFromKubeServiceEndpoints", "aggregationType"},
      draft);
  return OkStatus();
}

// A management API URL split as KEDA reads it: the vhost is the path's last segment ("/" when
// there is none), the rest is the base.
struct RabbitHost {
  std::string base;
  std::string vhost = "/";
  bool had_credentials = false;
};

RabbitHost SplitRabbitHost(const std::string& host) {
  RabbitHost out;
  const std::string url = metrics::RedactedUrl(host);
  out.had_credentials = url != host;
  const size_t authority = url.find("://") + 3;
  const size_t path = url.find('/', authority);
  out.base = url.substr(0, path);
  if (path == std::string::npos) return out;
  const std::string rest = url.substr(path);
  const size_t last = rest.find_last_of('/');
  if (last + 1 < rest.size()) {
    out.vhost = rest.substr(last + 1);
    if (out.vhost == "%2F" || out.vhost == "%2f") out.vhost = "/";
  }
  out.base += rest.substr(0, last);
  return out;
}

// How KEDA logged in to the management API when Gearbox cannot (a pod identity's OAuth token,
// OAuth client credentials), or "".
std::string RabbitAuthLeftOut(const Trigger& trigger) {
  if (!trigger.auth) return "";
  const std::string how = !trigger.auth->pod_identity.empty()
                              ? "pod identity " + trigger.auth->pod_identity + " (an OAuth token)"
                          : !trigger.auth->elsewhere.empty() ? trigger.auth->elsewhere.front()
                                                             : "";
  if (how.empty()) return "";
  return "KEDA logged in to the management API with " + how + " from " + trigger.auth->what +
         "; Gearbox's rabbitmq logs in with a user and password from Secrets";
}

// Why a rabbitmq trigger cannot be read through the management API ("" when it can), from its
// host (given, or the Secret that holds it) and protocol.
std::string RabbitLeftOut(const std::optional<std::string>& host, const AuthSecret* host_secret,
                          const std::string& protocol) {
  const std::string read_with =
      "Gearbox reads queues through the management API (KEDA's protocol "
      "http): ";
  if (host && host->rfind("amqp", 0) == 0)
    return "KEDA read the queue over AMQP (" + metrics::RedactedUrl(*host) + "); " + read_with +
           "give the management plugin's URL as host (http://HOST:15672/VHOST) and convert "
           "again, or write spec.sources.rabbitmq.url";
  if (!host && protocol != "http")
    return "KEDA read the host from " +
           (host_secret ? "Secret " + host_secret->name + " key " + host_secret->key
                        : std::string("a Secret or the environment")) +
           ", protocol " + protocol + (protocol == "auto" ? " (AMQP or HTTP by its scheme)" : "") +
           "; " + read_with +
           "set protocol: http if it is the management URL, or write "
           "spec.sources.rabbitmq.url";
  return "";
}

// KEDA's rabbitmq modes that Gearbox's rabbitmq source has no measure for, and what they are.
const std::map<std::string, std::string> kRabbitModesLeftOut = {
    {"DeliverGetRate", "the queue's rate of deliveries to consumers"},
    {"PublishedToDeliveredRatio", "the ratio of the publish rate to the delivery rate"},
    {"ExpectedQueueConsumptionTime",
     "the seconds to empty the queue, estimated from its length and rates"}};

// The queue's measure: KEDA's mode QueueLength (excludeUnacknowledged: ready ones only) or
// MessageRate; the deprecated queueLength is QueueLength. A mode of kRabbitModesLeftOut: an empty
// measure.
Result<std::pair<std::string, double>> RabbitMeasure(const Trigger& trigger) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const auto mode, OptionalText(trigger.metadata, "mode", here));
  ASSIGN_OR_RETURN(const auto exclude,
                   OptionalText(trigger.metadata, "excludeUnacknowledged", here));
  ASSIGN_OR_RETURN(const auto old_length, OptionalQuantity(trigger.metadata, "queueLength", here));
  if (mode && kRabbitModesLeftOut.count(*mode)) return std::make_pair(std::string(), 1.0);
  if (mode && *mode != "QueueLength" && *mode != "MessageRate")
    return Error::Invalid(here +
                          ".mode must be QueueLength, MessageRate, DeliverGetRate, "
                          "PublishedToDeliveredRatio or ExpectedQueueConsumptionTime");
  if (mode && *mode == "MessageRate") {
    ASSIGN_OR_RETURN(const double value, RequiredNumber(trigger, "value"));
    return std::make_pair(std::string("publishRate"), value);
  }
  ASSIGN_OR_RETURN(const double value, NumberOr(trigger, "value", old_length.value_or(20)));
  return std::make_pair(std::string(exclude == "true" ? "messagesReady" : "messages"), value);
}

// The management user: from the TriggerAuthentication, else a placeholder Secret and a comment.
void RabbitCredentials(const Trigger& trigger, bool in_host, Draft& draft) {
  if (!draft.rabbitmq_secret_refs.empty()) return;  // the first trigger's server's
  const std::string path = "spec.sources.rabbitmq.usernameSecretRef";
  if (SecretsFromAuth(trigger,
                      {{"username", "usernameSecretRef"}, {"password", "passwordSecretRef"}},
                      draft.rabbitmq_secret_refs)) {
    NoteClusterAuth(trigger, path, draft);
    return;
  }
  draft.rabbitmq_secret_refs = {{"usernameSecretRef", {"rabbitmq-management", "username"}},
                                {"passwordSecretRef", {"rabbitmq-management", "password"}}};
  const std::string where =
      in_host                 ? "KEDA's host URL held the management user"
      : trigger.auth          ? "KEDA took it from " + trigger.auth->what + " (its host URL's user)"
      : trigger.authenticated ? "KEDA took it from " + trigger.not_given
                              : "KEDA's trigger named no user";
  NoteMissing(draft, path,
              "a placeholder Secret: " + where +
                  "; name the Secret keys that hold the management user and password");
}

Result<std::string> RabbitUrl(const Trigger& trigger, const std::optional<std::string>& host,
                              std::string& vhost, Draft& draft) {
  if (host) {
    const RabbitHost split = SplitRabbitHost(*host);
    vhost = split.vhost;
    RabbitCredentials(trigger, split.had_credentials, draft);
    return split.base;
  }
  RabbitCredentials(trigger, false, draft);
  const AuthSecret* secret = SecretOf(trigger, "host");
  NoteMissing(draft, "spec.sources.rabbitmq.url",
              "a placeholder: KEDA read the management URL from " +
                  (secret ? "Secret " + secret->name + " key " + secret->key
                          : std::string("the target's environment")) +
                  "; put it here without the user and password");
  return std::string("http://rabbitmq.example.invalid:15672");
}

Status ReadRabbitmq(const Trigger& trigger, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const std::string queue, RequiredText(trigger.metadata, "queueName", here));
  ASSIGN_OR_RETURN(const auto host, OptionalText(trigger.metadata, "host", here));
  ASSIGN_OR_RETURN(const auto protocol, OptionalText(trigger.metadata, "protocol", here));
  ASSIGN_OR_RETURN(const auto vhost_name, OptionalText(trigger.metadata, "vhostName", here));
  ASSIGN_OR_RETURN(const auto measure, RabbitMeasure(trigger));
  ASSIGN_OR_RETURN(const double activation, NumberOr(trigger, "activationValue", 0));
  if (measure.second <= 0) return Error::Invalid(here + ".value must be more than 0");
  const std::string why =
      measure.first.empty()
          ? "mode " + trigger.metadata["mode"].Scalar() + ": KEDA sized on " +
                kRabbitModesLeftOut.at(trigger.metadata["mode"].Scalar()) +
                "; Gearbox's rabbitmq measures messages, messagesReady (KEDA's QueueLength) or "
                "publishRate (MessageRate)"
      : trigger.metadata["useRegex"] && trigger.metadata["useRegex"].Scalar() == "true"
          ? "useRegex: Gearbox reads one named queue"
      : !RabbitAuthLeftOut(trigger).empty()
          ? RabbitAuthLeftOut(trigger)
          : RabbitLeftOut(host, SecretOf(trigger, "host"), protocol.value_or("auto"));
  if (!why.empty()) {
    draft.header_notes.push_back(trigger.path + " (rabbitmq " + queue + "): " + why);
    return OkStatus();
  }
  SizedMetric metric =
      TriggerMetric(trigger, queue, MetricSource::kRabbitmq, measure.second, draft);
  metric.queue = queue;
  metric.measure = measure.first;
  metric.activation = activation;
  ASSIGN_OR_RETURN(const std::string url, RabbitUrl(trigger, host, metric.vhost, draft));
  if (vhost_name) metric.vhost = *vhost_name;
  if (!UseServer(trigger, url, draft.rabbitmq_url, draft)) return OkStatus();
  if (!host && !vhost_name)
    MetricNeeds(metric,
                "KEDA took the vhost from the URL it read from a Secret: set rabbitmq.vhost "
                "to its last path segment (/ when it has none)",
                draft);
  draft.metrics.push_back(metric);
  NoteOtherKeys(trigger,
                {"host", "protocol", "queueName", "mode", "value", "activationValue", "vhostName",
                 "queueLength", "excludeUnacknowledged", "useRegex", "hostFromEnv"},
                draft);
  return OkStatus();
}

Status ReadKubernetesWorkload(const Trigger& trigger, Draft& draft) {
  const std::string here = trigger.path + ".metadata";
  ASSIGN_OR_RETURN(const std::string selector, RequiredText(trigger.metadata, "podSelector", here));
  ASSIGN_OR_RETURN(const TargetAndActivation sized,
                   ReadTarget(trigger, "value", "activationValue"));
  ASSIGN_OR_RETURN(const auto by_node, OptionalText(trigger.metadata, "groupByNode", here));
  if (by_node == std::optional<std::string>("true")) {
    draft.header_notes.push_back(trigger.path +
                                 " (kubernetes-workload): groupByNode: KEDA counted the nodes "
                                 "that run matching pods; Gearbox's podCount counts the pods");
    return OkStatus();
  }
  SizedMetric metric = TriggerMetric(trigger, "pods", MetricSource::kPodCount, sized.target, draft);
  metric.selector = selector;
  metric.activation = sized.activation;
  draft.metrics.push_back(metric);
  NoteOtherKeys(trigger, {"podSelector", "value", "activationValue", "groupByNode"}, draft);
  return OkStatus();
}

// ---- end of metrics-api, rabbitmq, kubernetes-workload ----

// KEDA's parameters that are credentials: taken from the target's environment only as Secret
// references (a value written in the Deployment stays said, not copied into the policy).
const std::set<std::string> kCredentialParameters = {"password", "sentinelPassword", "connection",
                                                     "token", "bearerToken"};

// KEDA's `xFromEnv: VAR` parameters whose variable the target given in the run holds: a value
// becomes the parameter x (unless the trigger gives x itself), a Secret key a Secret reference of
// parameter x, as a TriggerAuthentication's would be (whose own parameters come first, as in
// KEDA). What stays unknown (a ConfigMap key, a variable not found) keeps its `xFromEnv` key.
void ResolveFromEnv(Trigger& trigger, const ContainerEnv& env, const std::string& target) {
  std::vector<std::pair<std::string, EnvValue>> found;  // the xFromEnv key, what VAR holds
  for (const auto& item : trigger.metadata) {
    const std::string key = item.first.Scalar();
    const size_t base = key.size() - std::min<size_t>(key.size(), 7);
    if (base == 0 || key.compare(base, 7, "FromEnv") != 0 || !item.second.IsScalar()) continue;
    if (auto value = env.Lookup(item.second.Scalar())) found.emplace_back(key, *value);
  }
  for (const auto& [key, value] : found) {
    const std::string parameter = key.substr(0, key.size() - 7);
    if (value.secret) {
      if (!trigger.auth) {
        trigger.auth = TriggerAuth();
        trigger.auth->what = "the environment of " + target;
      }
      trigger.auth->secrets.insert({parameter, {value.secret->name, value.secret->key}});
    } else if (value.value && !kCredentialParameters.count(parameter)) {
      const YAML::Node& given = trigger.metadata;  // const: a lookup adds no key
      if (!given[parameter]) trigger.metadata[parameter] = *value.value;
    } else {
      continue;
    }
    trigger.metadata.remove(key);
  }
}

Result<Trigger> ParseTrigger(const YAML::Node& node, const std::string& path,
                             const TriggerAuthentications& auths, const Draft& draft) {
  if (!node.IsMap()) return Error::Invalid(path + " must be a map");
  Trigger trigger;
  trigger.path = path;
  ASSIGN_OR_RETURN(trigger.type, RequiredText(node, "type", path));
  ASSIGN_OR_RETURN(const auto name, OptionalText(node, "name", path));
  ASSIGN_OR_RETURN(const auto metric_type, OptionalText(node, "metricType", path));
  ASSIGN_OR_RETURN(const YAML::Node metadata, OptionalMap(node, "metadata", path));
  trigger.metadata = YAML::Clone(metadata);  // the environment's values are added to it
  trigger.name = name.value_or("");
  trigger.metric_type = metric_type.value_or("");
  trigger.authenticated = static_cast<bool>(node["authenticationRef"]);
  trigger.auth = auths.Find(node["authenticationRef"], draft.ns);
  if (trigger.authenticated && !trigger.auth) {
    const std::string other = auths.NamespaceOf(node["authenticationRef"]);
    trigger.not_given = NamedAuthentication(node["authenticationRef"]) +
                        (other.empty() ? " (not in the input)"
                                       : " (given in namespace " + other +
                                             ", not the ScaledObject's: KEDA would not find it "
                                             "either)");
  }
  const auto env = auths.targets().Find(draft.target_kind, draft.target_name, draft.ns,
                                        draft.env_source_container);
  if (env) ResolveFromEnv(trigger, *env, draft.target_kind + " " + draft.target_name);
  return trigger;
}

}  // namespace

Status ReadTrigger(const YAML::Node& node, const std::string& path, Draft& draft) {
  return ReadTrigger(node, path, TriggerAuthentications(), draft);
}

Status ReadTrigger(const YAML::Node& node, const std::string& path,
                   const TriggerAuthentications& auths, Draft& draft) {
  ASSIGN_OR_RETURN(const Trigger trigger, ParseTrigger(node, path, auths, draft));
  if (trigger.type == "cpu" || trigger.type == "memory") return ReadResource(trigger, draft);
  if (trigger.type == "prometheus") return ReadPrometheus(trigger, draft);
  if (trigger.type == "redis") return ReadRedis(trigger, draft);
  if (trigger.type == "cron") return ReadCron(trigger, draft);
  // --- Redis Cluster and Sentinel, PostgreSQL ---
  if (trigger.type == "redis-streams")
    return ReadRedisStream(trigger, RedisTopology::kServer, draft);
  if (trigger.type == "redis-cluster")
    return ReadRedisList(trigger, RedisTopology::kCluster, draft);
  if (trigger.type == "redis-sentinel")
    return ReadRedisList(trigger, RedisTopology::kSentinel, draft);
  if (trigger.type == "redis-cluster-streams")
    return ReadRedisStream(trigger, RedisTopology::kCluster, draft);
  if (trigger.type == "redis-sentinel-streams")
    return ReadRedisStream(trigger, RedisTopology::kSentinel, draft);
  if (trigger.type == "postgresql") return ReadPostgresql(trigger, draft);
  // --- end of Redis Cluster and Sentinel, PostgreSQL ---
  if (trigger.type == "metrics-api") return ReadMetricsApi(trigger, draft);
  if (trigger.type == "rabbitmq") return ReadRabbitmq(trigger, draft);
  if (trigger.type == "kubernetes-workload") return ReadKubernetesWorkload(trigger, draft);
  draft.header_notes.push_back(path + " (" + trigger.type +
                               "): no such source in Gearbox (resource, prometheus, Redis "
                               "queue, PostgreSQL, metricsApi, rabbitmq and podCount metrics); a "
                               "prometheus metric exporting it would do");
  return OkStatus();
}

}  // namespace gearbox::convert
