// See fields.h.
#include "convert/fields.h"

#include <regex>

#include "convert/quantity.h"

namespace gearbox::convert {

namespace {

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// A map or a list at `key`, or an empty one when it is absent.
Result<YAML::Node> OptionalOfType(const YAML::Node& parent, const std::string& key,
                                  const std::string& path, YAML::NodeType::value type) {
  const YAML::Node node = parent[key];
  if (!node || node.IsNull()) return YAML::Node(type);
  if (node.Type() != type)
    return Error::Invalid(Join(path, key) +
                          (type == YAML::NodeType::Map ? " must be a map" : " must be a list"));
  return node;
}

}  // namespace

Result<std::optional<std::string>> OptionalText(const YAML::Node& parent, const std::string& key,
                                                const std::string& path) {
  const YAML::Node node = parent[key];
  if (!node || node.IsNull()) return std::optional<std::string>{};
  if (!node.IsScalar()) return Error::Invalid(Join(path, key) + " must be a single value");
  return std::optional<std::string>{node.Scalar()};
}

Result<std::string> RequiredText(const YAML::Node& parent, const std::string& key,
                                 const std::string& path) {
  ASSIGN_OR_RETURN(auto text, OptionalText(parent, key, path));
  if (!text || text->empty()) return Error::Invalid(Join(path, key) + " is required");
  return *text;
}

Result<std::optional<long long>> OptionalInteger(const YAML::Node& parent, const std::string& key,
                                                 const std::string& path) {
  static const std::regex kInteger("[+-]?[0-9]{1,12}");
  ASSIGN_OR_RETURN(auto text, OptionalText(parent, key, path));
  if (!text) return std::optional<long long>{};
  if (!std::regex_match(*text, kInteger))
    return Error::Invalid(Join(path, key) + ": \"" + *text + "\" is not a whole number");
  return std::optional<long long>{std::stoll(*text)};
}

Result<std::optional<double>> OptionalQuantity(const YAML::Node& parent, const std::string& key,
                                               const std::string& path) {
  ASSIGN_OR_RETURN(auto text, OptionalText(parent, key, path));
  if (!text) return std::optional<double>{};
  auto value = ParseQuantity(*text);
  if (!value) return Error::Invalid(Join(path, key) + ": " + value.error().message);
  return std::optional<double>{*value};
}

std::string TextAt(const YAML::Node& node, const char* key) {
  const YAML::Node value = node.IsDefined() && node.IsMap() ? node[key] : YAML::Node();
  return value && value.IsScalar() ? value.Scalar() : "";
}

Result<YAML::Node> OptionalMap(const YAML::Node& parent, const std::string& key,
                               const std::string& path) {
  return OptionalOfType(parent, key, path, YAML::NodeType::Map);
}

Result<YAML::Node> OptionalList(const YAML::Node& parent, const std::string& key,
                                const std::string& path) {
  return OptionalOfType(parent, key, path, YAML::NodeType::Sequence);
}

}  // namespace gearbox::convert
