// See behavior.h.
#include "convert/behavior.h"

#include "convert/fields.h"
#include "convert/quantity.h"

namespace gearbox::convert {

namespace {

bool IsHpaField(const std::string& key) {
  return key == "stabilizationWindowSeconds" || key == "selectPolicy" || key == "policies";
}

// One direction: the HPA's fields copied, the tolerance read, anything else noted.
Result<YAML::Node> ReadDirection(const YAML::Node& block, const std::string& path,
                                 double& tolerance, Draft& draft) {
  YAML::Node copied(YAML::NodeType::Map);
  for (const auto& item : block) {
    const std::string key = item.first.Scalar();
    if (IsHpaField(key)) {
      copied[key] = YAML::Clone(item.second);
    } else if (key == "tolerance") {
      ASSIGN_OR_RETURN(auto value, OptionalQuantity(block, key, path));
      if (*value < 0 || *value >= 1)
        return Error::Invalid(path + ".tolerance must be at least 0 and below 1");
      tolerance = *value;
    } else {
      draft.header_notes.push_back(path);
      draft.header_notes.back().append(".").append(key).append(" (not part of autoscaling/v2)");
    }
  }
  if (copied.size() == 0) return YAML::Node();  // nothing of the HPA's: its defaults
  copied.SetStyle(YAML::EmitterStyle::Block);
  return copied;
}

}  // namespace

Status ReadBehavior(const YAML::Node& parent, const std::string& path, Draft& draft) {
  ASSIGN_OR_RETURN(const YAML::Node behavior, OptionalMap(parent, "behavior", path));
  // The HPA tells no behavior (nil, null too) from `behavior: {}`: they limit differently.
  draft.behavior_given = parent["behavior"] && !parent["behavior"].IsNull();
  const std::string here = path + ".behavior";
  ASSIGN_OR_RETURN(const YAML::Node up, OptionalMap(behavior, "scaleUp", here));
  ASSIGN_OR_RETURN(const YAML::Node down, OptionalMap(behavior, "scaleDown", here));
  ASSIGN_OR_RETURN(draft.behavior_up,
                   ReadDirection(up, here + ".scaleUp", draft.tolerance_up, draft));
  ASSIGN_OR_RETURN(draft.behavior_down,
                   ReadDirection(down, here + ".scaleDown", draft.tolerance_down, draft));
  return OkStatus();
}

}  // namespace gearbox::convert
