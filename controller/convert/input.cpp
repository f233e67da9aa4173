// See input.h.
#include "convert/input.h"

#include "convert/fields.h"
#include "convert/hpa.h"
#include "convert/scaled_object.h"

namespace gearbox::convert {

namespace {

Result<std::vector<YAML::Node>> Parse(const std::string& text, const std::string& source) {
  try {
    return YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return Error::Invalid(source + ": not YAML: line " + std::to_string(e.mark.line + 1) +
                          ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

std::string Describe(const YAML::Node& object, const std::string& kind) {
  const YAML::Node name = object["metadata"]["name"];
  return kind + (name && name.IsScalar() ? " " + name.Scalar() : "");
}

// The TriggerAuthentications and ClusterTriggerAuthentications among `documents` (List items too).
TriggerAuthentications CollectTriggerAuths(const std::vector<YAML::Node>& documents) {
  TriggerAuthentications auths;
  for (const auto& document : documents) auths.AddAll(document);
  return auths;
}

class Walker {
 public:
  Walker(const std::string& source, const WriteOptions& options,
         const TriggerAuthentications& auths, Converted& converted)
      : source_(source), options_(options), auths_(auths), converted_(converted) {}

  // A document that cannot be converted is refused, and the walk goes on to the next.
  void Object(const YAML::Node& object, const std::string& where) {
    if (!object || object.IsNull()) return;  // an empty document (--- at the end)
    if (!object.IsMap()) return Refuse(where, "not a Kubernetes object");
    const auto kind = OptionalText(object, "kind", "");
    if (!kind) return Refuse(where, kind.error().message);
    if (!*kind) return Refuse(where, "kind is missing");
    if (**kind == "List") return List(object, where);
    const std::string what = where + " (" + Describe(object, **kind) + ")";
    // read for the triggers that name it
    if (**kind == "TriggerAuthentication" || **kind == "ClusterTriggerAuthentication") return;
    if (**kind != "HorizontalPodAutoscaler" && **kind != "ScaledObject") {
      converted_.skipped.push_back(source_ + ": " + what +
                                   ": not an HPA or a ScaledObject, skipped");
      return;
    }
    auto policy = ConvertObject(object, options_, auths_);
    if (!policy) return Refuse(what, policy.error().message);
    AddPolicy(std::move(*policy), source_ + ": " + what, converted_);
  }

 private:
  void List(const YAML::Node& list, const std::string& where) {
    const auto items = OptionalList(list, "items", "");
    if (!items) return Refuse(where, items.error().message);
    for (std::size_t i = 0; i < items->size(); ++i)
      Object((*items)[i], where + " item " + std::to_string(i + 1));
  }

  void Refuse(const std::string& what, const std::string& why) {
    converted_.refused.push_back(source_ + ": " + what + ": " + why);
  }

  const std::string& source_;
  const WriteOptions& options_;
  const TriggerAuthentications& auths_;
  Converted& converted_;
};

}  // namespace

Result<Document> ConvertObject(const YAML::Node& object, const WriteOptions& options) {
  return ConvertObject(object, options, TriggerAuthentications());
}

Result<Document> ConvertObject(const YAML::Node& object, const WriteOptions& options,
                               const TriggerAuthentications& auths) {
  const bool hpa = object["kind"].Scalar() == "HorizontalPodAutoscaler";
  try {
    ASSIGN_OR_RETURN(const Draft draft, hpa ? ReadHpa(object) : ReadScaledObject(object, auths));
    return WritePolicy(draft, options);
  } catch (const YAML::Exception& e) {  // a node of an unexpected shape deep in the object
    return Error::Invalid(std::string("the input is not what was expected: ") + e.what());
  }
}

void AddPolicy(Document policy, const std::string& what, Converted& converted) {
  for (const auto& note : policy.dropped)
    converted.dropped.push_back(what + ": not carried over: " + note);
  converted.policies.push_back(std::move(policy));
}

TriggerAuthentications TriggerAuthsIn(const std::string& text) {
  auto documents = Parse(text, "");
  return documents ? CollectTriggerAuths(*documents) : TriggerAuthentications();
}

void ConvertText(const std::string& text, const std::string& source, const WriteOptions& options,
                 Converted& converted, const TriggerAuthentications& other_auths) {
  auto documents = Parse(text, source);
  if (!documents) {
    converted.refused.push_back(documents.error().message);
    return;
  }
  TriggerAuthentications auths = CollectTriggerAuths(*documents);
  auths.Merge(other_auths);  // this text's own first
  Walker walker(source, options, auths, converted);
  for (std::size_t i = 0; i < documents->size(); ++i)
    walker.Object((*documents)[i], "document " + std::to_string(i + 1));
}

}  // namespace gearbox::convert
