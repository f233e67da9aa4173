// See json_value.h.
#include "metrics/json_value.h"

#include <cmath>

#include "metrics/resource_metrics.h"

namespace gearbox::metrics {

using Json = web::json::value;

Result<std::vector<std::string>> SplitValuePath(const std::string& path) {
  std::vector<std::string> segments(1);
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\' && i + 1 < path.size()) {
      segments.back() += path[++i];
    } else if (path[i] == '.') {
      segments.emplace_back();
    } else {
      segments.back() += path[i];
    }
  }
  for (const auto& s : segments)
    if (s.empty())
      return Error::Of(Error::Kind::kConfig, "valueLocation \"" + path + "\" has an empty segment");
  return segments;
}

namespace {

bool IsIndex(const std::string& segment) {
  return segment.find_first_not_of("0123456789") == std::string::npos && segment.size() < 10;
}

// The member or element `segment` of `node`; null when there is none.
const Json* Child(const Json& node, const std::string& segment) {
  if (node.is_object()) {
    const auto& object = node.as_object();
    auto it = object.find(segment);
    return it == object.end() ? nullptr : &it->second;
  }
  if (node.is_array() && IsIndex(segment)) {
    const size_t index = std::stoul(segment);
    return index < node.size() ? &node.as_array().at(index) : nullptr;
  }
  return nullptr;
}

const char* TypeName(const Json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  return "a string that is not a number";
}

// A JSON number, or a string holding a number or a quantity ("12", "1.5", "250m").
std::optional<double> AsNumber(const Json& v) {
  if (v.is_number()) return v.as_double();
  if (v.is_string()) return ParseQuantity(v.as_string());
  return std::nullopt;
}

}  // namespace

Result<double> NumberAt(const Json& doc, const std::string& path, const std::string& what) {
  ASSIGN_OR_RETURN(const auto segments, SplitValuePath(path));
  const Json* node = &doc;
  std::string walked;
  for (const auto& segment : segments) {
    node = Child(*node, segment);
    walked += (walked.empty() ? "" : ".") + segment;
    if (!node) {
      std::string message = what;
      message += ": the answer has nothing at " + walked;
      message += " (valueLocation " + path + ")";
      return Error::Of(Error::Kind::kNoData, std::move(message));
    }
  }
  const auto number = AsNumber(*node);
  if (!number)
    return Error::Of(Error::Kind::kNotANumber,
                     what + ": the value at " + path + " is " + TypeName(*node) + ", not a number");
  if (!std::isfinite(*number))
    return Error::Of(Error::Kind::kNotANumber, what + ": the value at " + path + " is not finite");
  return *number;
}

}  // namespace gearbox::metrics
