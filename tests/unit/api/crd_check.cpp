// See crd_check.h.
#include "crd_check.h"

#include <algorithm>
#include <climits>
#include <set>

namespace gearbox::api::v1alpha1::testing {

namespace {

// The pattern every duration field of the CRD has.
constexpr const char* kDurationPattern = R"(^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$)";

using Found = std::vector<std::string>;

std::string Text(const YAML::Node& node, const char* key) {
  return node[key] && node[key].IsScalar() ? node[key].Scalar() : "";
}

// The CRD's kind: its type, an object of free keys being a map.
std::string CrdKind(const YAML::Node& crd) {
  const std::string type = Text(crd, "type");
  return type == "object" && crd["additionalProperties"] ? "map" : type;
}

std::set<std::string> Names(const YAML::Node& list) {
  std::set<std::string> out;
  if (list && list.IsSequence())
    for (const auto& item : list) out.insert(item.Scalar());
  return out;
}

// A default as the CRD's YAML spells it.
std::string DefaultText(const web::json::value& value) {
  if (value.is_string()) return value.as_string();
  return value.serialize();
}

void CompareInteger(const YAML::Node& crd, const Schema& types, const std::string& path,
                    Found& found) {
  const std::string format = Text(crd, "format");
  const std::string bits = std::to_string(types.integer_bits);
  if (!format.empty() && format != "int" + bits) {
    found.push_back(path + ": format " + format + " in the CRD, int" + bits + " in the types");
  } else if (format.empty() && types.integer_bits == 32 &&
             (!crd["maximum"] || crd["maximum"].as<long long>() > INT_MAX)) {
    found.push_back(path + ": an int32 in the types, an integer without a bound in the CRD");
  }
}

void CompareString(const YAML::Node& crd, const Schema& types, const std::string& path,
                   Found& found) {
  const std::set<std::string> crd_values = Names(crd["enum"]);
  const std::set<std::string> type_values(types.values.begin(), types.values.end());
  if (crd_values != type_values)
    found.push_back(path + ": another enumeration in the CRD than in the types");
  const bool crd_duration = Text(crd, "pattern") == kDurationPattern;
  if (crd_duration != (types.text == Text::kDuration))
    found.push_back(path + ": a duration in " + (crd_duration ? "the CRD" : "the types") + " only");
  const bool crd_time = Text(crd, "format") == "date-time";
  if (crd_time != (types.text == Text::kDateTime))
    found.push_back(path + ": a date-time in " + (crd_time ? "the CRD" : "the types") + " only");
}

void CompareFields(const YAML::Node& crd, const Schema& types, const std::string& path,
                   Found& found);

void CompareValue(const YAML::Node& crd, const Schema& types, const std::string& path,
                  Found& found) {
  const std::string crd_kind = CrdKind(crd);
  if (crd_kind != KindName(types.kind)) {
    found.push_back(path + ": " + crd_kind + " in the CRD, " + KindName(types.kind) +
                    " in the types");
    return;
  }
  switch (types.kind) {
    case Kind::kInteger:
      return CompareInteger(crd, types, path, found);
    case Kind::kString:
      return CompareString(crd, types, path, found);
    case Kind::kObject:
      return CompareFields(crd, types, path, found);
    case Kind::kArray:
      return CompareValue(crd["items"], *types.items, path + "[]", found);
    case Kind::kMap:
      return CompareValue(crd["additionalProperties"], *types.items, path + ".*", found);
    default:
      return;
  }
}

void CompareField(const YAML::Node& crd, const YAML::Node& property, const FieldSchema& field,
                  const std::string& path, Found& found) {
  const bool crd_required = Names(crd["required"]).count(field.name) > 0;
  if (crd_required != field.required)
    found.push_back(path + ": required in " + (crd_required ? "the CRD" : "the types") + " only");
  const std::string crd_default = property["default"] ? property["default"].Scalar() : "";
  const std::string type_default = field.default_value ? DefaultText(*field.default_value) : "";
  if (property["default"].IsDefined() != field.default_value.has_value() ||
      crd_default != type_default)
    found.push_back(path + ": default \"" + crd_default + "\" in the CRD, \"" + type_default +
                    "\" in the types");
  CompareValue(property, *field.value, path, found);
}

void CompareFields(const YAML::Node& crd, const Schema& types, const std::string& path,
                   Found& found) {
  const YAML::Node properties = crd["properties"];
  std::set<std::string> in_types;
  for (const FieldSchema& field : types.fields) {
    in_types.insert(field.name);
    const std::string at = path + "." + field.name;
    if (!properties || !properties[field.name]) {
      found.push_back(at + ": in the types, not in the CRD");
      continue;
    }
    CompareField(crd, properties[field.name], field, at, found);
  }
  if (!properties) return;
  for (const auto& property : properties) {
    const std::string name = property.first.Scalar();
    if (!in_types.count(name))
      found.push_back(path + "." + name + ": in the CRD, not in the types");
  }
}

}  // namespace

std::vector<std::string> Differences(const YAML::Node& crd, const Schema& types,
                                     const std::string& path) {
  Found found;
  if (!crd || !crd.IsMap()) return {path + ": not in the CRD"};
  CompareValue(crd, types, path, found);
  return found;
}

YAML::Node OpenApiSchema(const std::string& crd_file) {
  return YAML::LoadFile(crd_file)["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

}  // namespace gearbox::api::v1alpha1::testing
