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

class Walker {
 public:
  Walker(const std::string& source, const WriteOptions& options, Converted& converted)
      : source_(source), options_(options), converted_(converted) {}

  Status Object(const YAML::Node& object, const std::string& where) {
    if (!object || object.IsNull()) return OkStatus();  // an empty document (--- at the end)
    if (!object.IsMap())
      return Error::Invalid(source_ + ": " + where + ": not a Kubernetes object");
    ASSIGN_OR_RETURN(const auto kind, OptionalText(object, "kind", ""));
    if (!kind) return Error::Invalid(source_ + ": " + where + ": kind is missing");
    if (*kind == "List") return List(object, where);
    const std::string what = where + " (" + Describe(object, *kind) + ")";
    if (*kind != "HorizontalPodAutoscaler" && *kind != "ScaledObject") {
      converted_.skipped.push_back(source_ + ": " + what +
                                   ": not an HPA or a ScaledObject, skipped");
      return OkStatus();
    }
    auto policy = ConvertObject(object, options_);
    if (!policy) return Error::Invalid(source_ + ": " + what + ": " + policy.error().message);
    converted_.policies.push_back(std::move(*policy));
    return OkStatus();
  }

 private:
  Status List(const YAML::Node& list, const std::string& where) {
    ASSIGN_OR_RETURN(const YAML::Node items, OptionalList(list, "items", ""));
    for (std::size_t i = 0; i < items.size(); ++i)
      RETURN_IF_ERROR(Object(items[i], where + " item " + std::to_string(i + 1)));
    return OkStatus();
  }

  const std::string& source_;
  const WriteOptions& options_;
  Converted& converted_;
};

}  // namespace

Result<Document> ConvertObject(const YAML::Node& object, const WriteOptions& options) {
  const bool hpa = object["kind"].Scalar() == "HorizontalPodAutoscaler";
  ASSIGN_OR_RETURN(const Draft draft, hpa ? ReadHpa(object) : ReadScaledObject(object));
  return WritePolicy(draft, options);
}

Status ConvertText(const std::string& text, const std::string& source, const WriteOptions& options,
                   Converted& converted) {
  ASSIGN_OR_RETURN(const auto documents, Parse(text, source));
  Walker walker(source, options, converted);
  for (std::size_t i = 0; i < documents.size(); ++i)
    RETURN_IF_ERROR(walker.Object(documents[i], "document " + std::to_string(i + 1)));
  return OkStatus();
}

}  // namespace gearbox::convert
