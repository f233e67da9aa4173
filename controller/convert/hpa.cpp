// See hpa.h.
#include "convert/hpa.h"

#include "convert/behavior.h"
#include "convert/fields.h"
#include "convert/hpa_metrics.h"
#include "convert/naming.h"

namespace gearbox::convert {

namespace {

// The HPA's default, in v1 without targetCPUUtilizationPercentage and in v2 without metrics.
constexpr double kDefaultCpuUtilization = 80;

Status ReadTargetRef(const YAML::Node& spec, Draft& draft) {
  ASSIGN_OR_RETURN(const YAML::Node ref, OptionalMap(spec, "scaleTargetRef", "spec"));
  const std::string path = "spec.scaleTargetRef";
  ASSIGN_OR_RETURN(draft.target_kind, RequiredText(ref, "kind", path));
  ASSIGN_OR_RETURN(draft.target_name, RequiredText(ref, "name", path));
  ASSIGN_OR_RETURN(const auto api_version, OptionalText(ref, "apiVersion", path));
  draft.target_api_version = api_version.value_or("apps/v1");
  return OkStatus();
}

Status ReadReplicas(const YAML::Node& spec, Draft& draft) {
  ASSIGN_OR_RETURN(const auto min, OptionalInteger(spec, "minReplicas", "spec"));
  ASSIGN_OR_RETURN(const auto max, OptionalInteger(spec, "maxReplicas", "spec"));
  if (!max) return Error::Invalid("spec.maxReplicas is required");
  draft.min = min.value_or(1);
  draft.max = *max;
  if (draft.min < 0 || draft.max < 1 || draft.max > 10000)
    return Error::Invalid("spec.minReplicas must be at least 0 and spec.maxReplicas 1 to 10000");
  if (draft.min > draft.max)
    return Error::Invalid("spec.minReplicas " + std::to_string(draft.min) +
                          " is above spec.maxReplicas " + std::to_string(draft.max));
  if (draft.min == 0)  // the HPA's alpha HPAScaleToZero: Gearbox's is scaleToZero, with activation
    draft.line_notes.push_back({"spec.components[0].replicas.min",
                                "the HPA's alpha scale to zero: Gearbox's is scaleToZero, with an "
                                "activation metric (docs/convert.md)"});
  return OkStatus();
}

void AddDefaultCpu(double utilization, Draft& draft) {
  draft.metrics.push_back(ResourceMetric("cpu", "cpu", utilization));
}

Status ReadV1(const YAML::Node& spec, Draft& draft) {
  ASSIGN_OR_RETURN(const auto cpu, OptionalInteger(spec, "targetCPUUtilizationPercentage", "spec"));
  if (cpu && *cpu <= 0)
    return Error::Invalid("spec.targetCPUUtilizationPercentage must be more than 0");
  AddDefaultCpu(cpu ? static_cast<double>(*cpu) : kDefaultCpuUtilization, draft);
  if (!cpu)
    draft.metrics.back().note = "the HPA's default without targetCPUUtilizationPercentage: 80";
  return OkStatus();
}

Status ReadV2(const YAML::Node& spec, Draft& draft) {
  ASSIGN_OR_RETURN(const YAML::Node metrics, OptionalList(spec, "metrics", "spec"));
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const std::string path = "spec.metrics[" + std::to_string(i) + "]";
    if (!metrics[i].IsMap()) return Error::Invalid(path + " must be a map");
    RETURN_IF_ERROR(ReadHpaMetric(metrics[i], path, draft));
  }
  if (metrics.size() == 0) {
    AddDefaultCpu(kDefaultCpuUtilization, draft);
    draft.metrics.back().note = "the HPA's default without metrics: cpu at 80%";
  }
  return ReadBehavior(spec, "spec", draft);
}

}  // namespace

Result<Draft> ReadHpa(const YAML::Node& hpa) {
  ASSIGN_OR_RETURN(const std::string api_version, RequiredText(hpa, "apiVersion", ""));
  if (api_version != "autoscaling/v1" && api_version != "autoscaling/v2" &&
      api_version != "autoscaling/v2beta2")
    return Error::Invalid("HorizontalPodAutoscaler " + api_version +
                          " is not supported: use autoscaling/v2 (kubectl get hpa -o yaml "
                          "prints it) or autoscaling/v1");
  Draft draft;
  RETURN_IF_ERROR(ReadIdentity(hpa, "HorizontalPodAutoscaler", draft));
  ASSIGN_OR_RETURN(const YAML::Node spec, OptionalMap(hpa, "spec", ""));
  RETURN_IF_ERROR(ReadTargetRef(spec, draft));
  RETURN_IF_ERROR(ReadReplicas(spec, draft));
  draft.interval = "15s";
  draft.line_notes.push_back({"spec.interval", "the HPA controller's default sync period"});
  RETURN_IF_ERROR(api_version == "autoscaling/v1" ? ReadV1(spec, draft) : ReadV2(spec, draft));
  return draft;
}

}  // namespace gearbox::convert
