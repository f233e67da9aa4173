// See target_reader.h.
#include "reconcile/target_reader.h"

#include "reconcile/dotted_path.h"
#include "reconcile/scale_in_object.h"

namespace gearbox::reconcile {

Result<kube::ObjectPtr> TargetReader::Object(const kube::ResourceRef& ref, const std::string& ns,
                                             const TargetRef& target) {
  std::optional<kube::ObjectPtr> cached;
  if (cache_) cached = cache_->Lookup(ref, ns, target.name);
  if (cached && *cached) return *cached;
  if (cached) return Error::Api(404, "NotFound", target.Describe() + " not found in " + ns);
  auto got = client_.Get(ref, ns, target.name);
  if (!got) {
    if (got.error().IsNotFound())
      return Error::Api(404, "NotFound", target.Describe() + " not found in " + ns);
    return got.error();
  }
  return std::make_shared<const kube::Json>(std::move(*got));
}

Result<TargetSnapshot> TargetReader::Read(const std::string& ns, const TargetRef& target) {
  auto info = discovery_.Resolve(target.api_version, target.kind);
  if (!info) {
    Error e = info.error();
    e.message = target.Describe() + ": " + e.message;
    return e;
  }
  ASSIGN_OR_RETURN(kube::ObjectPtr object, Object(info->ref, ns, target));
  if (!target.replicas_field.empty()) {
    if (!IntAtPath(*object, target.replicas_field))
      return Error::Invalid(target.Describe() + " has no integer at " + target.replicas_field);
    return TargetSnapshot{info->ref, ReadTargetState(*object, nullptr, target.replicas_field)};
  }
  if (ScaleIsInObject(target.api_version, target.kind)) {
    const kube::Json scale = ScaleFromObject(*object);
    return TargetSnapshot{info->ref, ReadTargetState(*object, &scale, "")};
  }
  if (!info->has_scale)
    return Error::Invalid(target.Describe() +
                          " has no /scale subresource: set target.replicasField");
  auto scale = client_.Get(info->ref, ns, target.name, "scale");
  if (!scale) {
    Error e = scale.error();
    e.message = "cannot read the scale of " + target.Describe() + ": " + e.message;
    return e;
  }
  return TargetSnapshot{info->ref, ReadTargetState(*object, &*scale, "")};
}

Status TargetReader::Write(const TargetSnapshot& snapshot, const std::string& ns,
                           const TargetRef& target, int replicas) {
  Result<kube::Json> w = Error{};
  if (target.replicas_field.empty()) {
    kube::Json patch = kube::Json::object();
    patch["spec"]["replicas"] = kube::Json::number(replicas);
    w = client_.Patch(snapshot.ref, ns, target.name, kube::PatchType::kMerge, patch, "scale");
  } else {
    w = client_.Patch(snapshot.ref, ns, target.name, kube::PatchType::kMerge,
                      ReplicasMergePatch(target.replicas_field, replicas));
  }
  if (!w) return w.error();
  return OkStatus();
}

Result<std::vector<kube::ObjectPtr>> TargetReader::HorizontalPodAutoscalers(const std::string& ns) {
  if (cache_)
    if (auto cached = cache_->ListIn(kHorizontalPodAutoscalers, ns)) return std::move(*cached);
  ASSIGN_OR_RETURN(kube::Json list, client_.List(kHorizontalPodAutoscalers, ns));
  std::vector<kube::ObjectPtr> out;
  if (list.has_array_field("items"))
    for (const auto& item : list.at("items").as_array())
      out.push_back(std::make_shared<const kube::Json>(item));
  return out;
}

}  // namespace gearbox::reconcile
