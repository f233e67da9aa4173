// See policy_file.h.
#include "backtest/policy_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace gearbox::backtest {

using Json = web::json::value;

namespace {

// YAML 1.2's core schema: which plain scalars are not strings.
bool IsNull(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> AsBool(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

Json PlainScalar(const std::string& s) {
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (IsNull(s)) return Json::null();
  if (auto b = AsBool(s)) return Json::boolean(*b);
  try {
    if (std::regex_match(s, kInt)) return Json::number(static_cast<int64_t>(std::stoll(s)));
    if (std::regex_match(s, kFloat)) return Json::number(std::stod(s));
  } catch (const std::out_of_range&) {  // an integer beyond 64 bits: a number all the same
    return Json::number(std::stod(s));
  }
  return Json::string(s);
}

Json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = ToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array(node.size());
      size_t i = 0;
      for (const auto& item : node) out[i++] = ToJson(item);
      return out;
    }
    case YAML::NodeType::Scalar:
      // yaml-cpp tags a quoted scalar "!": a string whatever it spells ("10", "true").
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str")
        return Json::string(node.Scalar());
      return PlainScalar(node.Scalar());
    default:
      return Json::null();
  }
}

bool IsScalingPolicy(const Json& doc) {
  return doc.is_object() && doc.has_string_field("kind") &&
         doc.at("kind").as_string() == "ScalingPolicy";
}

// The one ScalingPolicy among the documents of `text`.
Result<Json> OnePolicy(const std::string& text) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {  // yaml-cpp reports a syntax error by throwing
    return Error::Invalid(std::string("not YAML: ") + e.what());
  }
  std::optional<Json> found;
  for (const auto& doc : docs) {
    Json json = ToJson(doc);
    if (!IsScalingPolicy(json)) continue;
    if (found) return Error::Invalid("holds several ScalingPolicies: give a file with one");
    found = std::move(json);
  }
  if (!found) return Error::Invalid("holds no ScalingPolicy (kind: ScalingPolicy)");
  return *found;
}

}  // namespace

Result<Json> YamlToJson(const std::string& yaml) {
  try {
    return ToJson(YAML::Load(yaml));
  } catch (const YAML::Exception& e) {
    return Error::Invalid(std::string("not YAML: ") + e.what());
  }
}

Result<reconcile::ParsedPolicy> LoadPolicyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::Invalid(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  auto object = OnePolicy(text.str());
  if (!object) return Error::Invalid(path + ": " + object.error().message);
  auto parsed = reconcile::ParsePolicy(*object);
  if (!parsed) return Error::Invalid(path + ": " + parsed.error().message);
  return parsed;
}

}  // namespace gearbox::backtest
