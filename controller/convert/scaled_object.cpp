// See scaled_object.h. KEDA's defaults: minReplicaCount 0, maxReplicaCount 100, pollingInterval
// 30, cooldownPeriod 300, scaleTargetRef.kind Deployment (apps/v1).
#include "convert/scaled_object.h"

#include <algorithm>

#include "convert/behavior.h"
#include "convert/fields.h"
#include "convert/keda_triggers.h"
#include "convert/naming.h"
#include "convert/quantity.h"

namespace gearbox::convert {

namespace {

// KEDA's autoscaling.keda.sh/paused-scale-out and paused-scale-in: "true" stops that direction
// only (KEDA sets its HPA's selectPolicy: Disabled on it, as convert does).
Status ReadPausedDirections(const YAML::Node& annotations, Draft& draft) {
  const std::string path = "metadata.annotations";
  ASSIGN_OR_RETURN(const auto out,
                   OptionalText(annotations, "autoscaling.keda.sh/paused-scale-out", path));
  ASSIGN_OR_RETURN(const auto in,
                   OptionalText(annotations, "autoscaling.keda.sh/paused-scale-in", path));
  draft.scale_up_paused = out == std::optional<std::string>("true");
  draft.scale_down_paused = in == std::optional<std::string>("true");
  return OkStatus();
}

Status ReadMetadata(const YAML::Node& object, Draft& draft) {
  RETURN_IF_ERROR(ReadIdentity(object, "ScaledObject", draft));
  ASSIGN_OR_RETURN(const YAML::Node metadata, OptionalMap(object, "metadata", ""));
  ASSIGN_OR_RETURN(const YAML::Node annotations, OptionalMap(metadata, "annotations", "metadata"));
  const std::string path = "metadata.annotations";
  ASSIGN_OR_RETURN(const auto paused,
                   OptionalText(annotations, "autoscaling.keda.sh/paused", path));
  ASSIGN_OR_RETURN(const auto paused_replicas,
                   OptionalText(annotations, "autoscaling.keda.sh/paused-replicas", path));
  draft.paused = paused == std::optional<std::string>("true") || paused_replicas.has_value();
  if (paused_replicas)
    draft.header_notes.push_back("metadata.annotations.autoscaling.keda.sh/paused-replicas " +
                                 *paused_replicas +
                                 " (KEDA set that count, then paused; Gearbox pauses at the count "
                                 "the target has)");
  return ReadPausedDirections(annotations, draft);
}

Status ReadTargetRef(const YAML::Node& spec, Draft& draft) {
  ASSIGN_OR_RETURN(const YAML::Node ref, OptionalMap(spec, "scaleTargetRef", "spec"));
  const std::string path = "spec.scaleTargetRef";
  ASSIGN_OR_RETURN(draft.target_name, RequiredText(ref, "name", path));
  ASSIGN_OR_RETURN(const auto kind, OptionalText(ref, "kind", path));
  ASSIGN_OR_RETURN(const auto api_version, OptionalText(ref, "apiVersion", path));
  ASSIGN_OR_RETURN(const auto container, OptionalText(ref, "envSourceContainerName", path));
  draft.env_source_container = container.value_or("");
  draft.target_kind = kind.value_or("Deployment");
  draft.target_api_version = api_version.value_or("apps/v1");
  return OkStatus();
}

Status ReadCounts(const YAML::Node& spec, Draft& draft) {
  ASSIGN_OR_RETURN(const auto min, OptionalInteger(spec, "minReplicaCount", "spec"));
  ASSIGN_OR_RETURN(const auto max, OptionalInteger(spec, "maxReplicaCount", "spec"));
  ASSIGN_OR_RETURN(const auto polling, OptionalInteger(spec, "pollingInterval", "spec"));
  draft.min = min.value_or(0);
  draft.max = max.value_or(100);
  if (draft.min < 0 || draft.max < 1 || draft.max > 10000)
    return Error::Invalid("spec.minReplicaCount must be at least 0 and maxReplicaCount 1 to 10000");
  if (draft.min > draft.max)
    return Error::Invalid("spec.minReplicaCount " + std::to_string(draft.min) +
                          " is above spec.maxReplicaCount " + std::to_string(draft.max));
  const long long seconds = polling.value_or(30);
  if (seconds < 1 || seconds > 3600)
    return Error::Invalid("spec.pollingInterval must be 1 to 3600 seconds");
  draft.interval = FormatSeconds(seconds);
  return OkStatus();
}

Status ReadFallback(const YAML::Node& spec, Draft& draft) {
  if (!spec["fallback"]) return OkStatus();
  ASSIGN_OR_RETURN(const YAML::Node fallback, OptionalMap(spec, "fallback", "spec"));
  ASSIGN_OR_RETURN(const auto threshold,
                   OptionalInteger(fallback, "failureThreshold", "spec.fallback"));
  ASSIGN_OR_RETURN(const auto replicas, OptionalInteger(fallback, "replicas", "spec.fallback"));
  ASSIGN_OR_RETURN(const auto behavior, OptionalText(fallback, "behavior", "spec.fallback"));
  if (!threshold || *threshold < 1 || !replicas || *replicas < 0)
    return Error::Invalid(
        "spec.fallback needs failureThreshold (1 or more) and replicas (0 or more)");
  draft.fallback = Fallback{*threshold, *replicas};
  if (behavior && *behavior != "static")
    draft.header_notes.push_back("spec.fallback.behavior " + *behavior +
                                 " (Gearbox goes to fallback.replicas, KEDA's static)");
  return OkStatus();
}

Status ReadAdvanced(const YAML::Node& spec, Draft& draft) {
  ASSIGN_OR_RETURN(const YAML::Node advanced, OptionalMap(spec, "advanced", "spec"));
  ASSIGN_OR_RETURN(const YAML::Node hpa_config,
                   OptionalMap(advanced, "horizontalPodAutoscalerConfig", "spec.advanced"));
  if (advanced["restoreToOriginalReplicaCount"])
    draft.header_notes.push_back(
        "spec.advanced.restoreToOriginalReplicaCount (deleting a policy leaves the count as it "
        "is)");
  if (advanced["scalingModifiers"])
    draft.header_notes.push_back(
        "spec.advanced.scalingModifiers (a formula over the triggers: write it as one prometheus "
        "metric)");
  return ReadBehavior(hpa_config, "spec.advanced.horizontalPodAutoscalerConfig", draft);
}

// Why a ScaledObject at minReplicaCount 0 whose triggers cannot wake it rests at 1: cpu and
// memory cannot be read at 0 pods, and a cron schedule brings it up but its rules would keep it.
std::string RestsAtOneBecause(const Draft& draft) {
  std::string why =
      "minReplicaCount 0: no trigger read at 0 pods (prometheus, redis, metrics-api, rabbitmq, "
      "kubernetes-workload) can wake the workload from 0 (cpu and "
      "memory cannot be read at 0 pods)";
  if (!draft.schedules.empty())
    why +=
        "; KEDA rested at 0 between the cron windows, but the cpu or memory rules never take "
        "it below 1";
  return why;
}

// KEDA scales to 0 when minReplicaCount is 0 and no trigger is active for cooldownPeriod; only a
// trigger that can be read at 0 pods (prometheus, redis, metrics-api, rabbitmq,
// kubernetes-workload) can wake the workload again. A cron trigger alone is a schedule: its window
// raises the minimum, and a workload without rules returns to the minimum (0) when the window
// closes, as KEDA's does (docs/engine.md).
Status ReadScaleToZero(const YAML::Node& spec, Draft& draft) {
  ASSIGN_OR_RETURN(const auto cooldown, OptionalInteger(spec, "cooldownPeriod", "spec"));
  if (cooldown && (*cooldown < 0 || *cooldown > 86400))
    return Error::Invalid("spec.cooldownPeriod must be 0 to 86400 seconds");
  if (draft.min > 0) return OkStatus();
  const bool wakes = std::any_of(draft.metrics.begin(), draft.metrics.end(),
                                 [](const SizedMetric& m) { return m.activation.has_value(); });
  if (wakes) {
    draft.scale_to_zero_cooldown = FormatSeconds(cooldown.value_or(300));
    return OkStatus();
  }
  if (draft.metrics.empty() && !draft.schedules.empty()) {
    draft.line_notes.push_back({"spec.components[0].replicas.min",
                                "minReplicaCount 0, as KEDA: the schedules raise it in their "
                                "windows and it returns here when they close"});
    return OkStatus();
  }
  draft.min = 1;
  draft.line_notes.push_back({"spec.components[0].replicas.min", RestsAtOneBecause(draft)});
  return OkStatus();
}

Status ReadTriggers(const YAML::Node& spec, const TriggerAuthentications& auths, Draft& draft) {
  ASSIGN_OR_RETURN(const YAML::Node triggers, OptionalList(spec, "triggers", "spec"));
  if (triggers.size() == 0) return Error::Invalid("spec.triggers is required (at least one)");
  for (std::size_t i = 0; i < triggers.size(); ++i)
    RETURN_IF_ERROR(
        ReadTrigger(triggers[i], "spec.triggers[" + std::to_string(i) + "]", auths, draft));
  return OkStatus();
}

void NoteUnsupported(const YAML::Node& spec, Draft& draft) {
  if (spec["idleReplicaCount"])
    draft.header_notes.push_back(
        "spec.idleReplicaCount (Gearbox rests at 0 with scaleToZero, or at replicas.min)");
  if (spec["initialCooldownPeriod"])
    draft.header_notes.push_back("spec.initialCooldownPeriod (the cooldown starts at once)");
}

}  // namespace

Result<Draft> ReadScaledObject(const YAML::Node& object) {
  return ReadScaledObject(object, TriggerAuthentications());
}

Result<Draft> ReadScaledObject(const YAML::Node& object, const TriggerAuthentications& auths) {
  ASSIGN_OR_RETURN(const std::string api_version, RequiredText(object, "apiVersion", ""));
  if (api_version != "keda.sh/v1alpha1")
    return Error::Invalid("ScaledObject " + api_version + " is not supported: keda.sh/v1alpha1 is");
  Draft draft;
  RETURN_IF_ERROR(ReadMetadata(object, draft));
  ASSIGN_OR_RETURN(const YAML::Node spec, OptionalMap(object, "spec", ""));
  RETURN_IF_ERROR(ReadTargetRef(spec, draft));
  RETURN_IF_ERROR(ReadCounts(spec, draft));
  RETURN_IF_ERROR(ReadFallback(spec, draft));
  RETURN_IF_ERROR(ReadAdvanced(spec, draft));
  RETURN_IF_ERROR(ReadTriggers(spec, auths, draft));
  RETURN_IF_ERROR(ReadScaleToZero(spec, draft));
  NoteUnsupported(spec, draft);
  draft.line_notes.push_back({"spec.interval", "KEDA's pollingInterval"});
  return draft;
}

}  // namespace gearbox::convert
