// Typed reads of the fields of an input manifest (an HPA, a ScaledObject), each refusing a wrong
// type with a message that names the field's path, so that bad input says where it is bad.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "base/result.h"

namespace gearbox::convert {

// A field that may be absent: its text, or nothing. A map or a list there is an error.
Result<std::optional<std::string>> OptionalText(const YAML::Node& parent, const std::string& key,
                                                const std::string& path);
Result<std::string> RequiredText(const YAML::Node& parent, const std::string& key,
                                 const std::string& path);
// A whole number, written as one (5) or as text ("5", as KEDA's metadata holds every value).
Result<std::optional<long long>> OptionalInteger(const YAML::Node& parent, const std::string& key,
                                                 const std::string& path);
// A number or a Kubernetes quantity ("500m", "2Gi", "1.5", "0.7").
Result<std::optional<double>> OptionalQuantity(const YAML::Node& parent, const std::string& key,
                                               const std::string& path);
// The text at `key` of a map, leniently: "" when the node is not a map or the key is absent or
// not text (for objects read only for what they may give, as TriggerAuthentications).
std::string TextAt(const YAML::Node& node, const char* key);

// A map or nothing; a scalar or a list there is an error.
Result<YAML::Node> OptionalMap(const YAML::Node& parent, const std::string& key,
                               const std::string& path);
Result<YAML::Node> OptionalList(const YAML::Node& parent, const std::string& key,
                                const std::string& path);

}  // namespace gearbox::convert
