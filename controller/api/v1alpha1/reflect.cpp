// See reflect.h: the scalars' codecs and the helpers of the templates.
#include "api/v1alpha1/reflect.h"

namespace gearbox::api::v1alpha1 {

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "string";
    case Kind::kInteger:
      return "integer";
    case Kind::kNumber:
      return "number";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kObject:
      return "object";
    case Kind::kMap:
      return "map";
    case Kind::kArray:
      return "array";
  }
  return "unknown";
}

}  // namespace gearbox::api::v1alpha1

namespace gearbox::api::v1alpha1::reflect {

namespace {

Schema Scalar(Kind kind, int integer_bits = 0, Text text = Text::kPlain) {
  Schema schema;
  schema.kind = kind;
  schema.integer_bits = integer_bits;
  schema.text = text;
  return schema;
}

// "a, b or c"
std::string Alternatives(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

Status DecodeText(const Json& json, const std::string& path, std::string& out) {
  if (!json.is_string()) return Error::Invalid(path + " must be a string");
  out = json.as_string();
  return OkStatus();
}

}  // namespace

Error NotOneOf(const Json& json, const std::string& path, const std::vector<std::string>& names) {
  std::string message = path + " must be " + Alternatives(names);
  if (json.is_string()) message += ", not \"" + json.as_string() + "\"";
  return Error::Invalid(message);
}

// An integer that is missing is refused in the words of one that is not an integer: a number the
// API server would have refused and one it would have required read the same in status.
Error Missing(const std::string& path, Kind kind, const char* hint) {
  if (kind == Kind::kInteger) return Error::Invalid(path + " must be an integer");
  std::string message = path + " is required";
  if (hint) message += std::string(" (") + hint + ")";
  return Error::Invalid(message);
}

Schema EnumSchema(std::vector<std::string> names) {
  Schema schema = Scalar(Kind::kString);
  schema.values = std::move(names);
  return schema;
}

Schema ElementsSchema(Kind kind, const Schema& element) {
  Schema schema = Scalar(kind);
  schema.items = &element;
  return schema;
}

const Json* Given(const Json& object, const char* name) {
  const auto& fields = object.as_object();
  const auto it = fields.find(name);
  if (it == fields.end() || it->second.is_null()) return nullptr;
  return &it->second;
}

Status Codec<std::string>::Decode(const Json& json, const std::string& path, std::string& out) {
  return DecodeText(json, path, out);
}
Json Codec<std::string>::Encode(const std::string& value) { return Json::string(value); }
const Schema& Codec<std::string>::Describe() {
  static const Schema schema = Scalar(Kind::kString);
  return schema;
}

Status Codec<Duration>::Decode(const Json& json, const std::string& path, Duration& out) {
  return DecodeText(json, path, out.text);
}
Json Codec<Duration>::Encode(const Duration& value) { return Json::string(value.text); }
const Schema& Codec<Duration>::Describe() {
  static const Schema schema = Scalar(Kind::kString, 0, Text::kDuration);
  return schema;
}

Status Codec<DateTime>::Decode(const Json& json, const std::string& path, DateTime& out) {
  return DecodeText(json, path, out.text);
}
Json Codec<DateTime>::Encode(const DateTime& value) { return Json::string(value.text); }
const Schema& Codec<DateTime>::Describe() {
  static const Schema schema = Scalar(Kind::kString, 0, Text::kDateTime);
  return schema;
}

Status Codec<bool>::Decode(const Json& json, const std::string& path, bool& out) {
  if (!json.is_boolean()) return Error::Invalid(path + " must be true or false");
  out = json.as_bool();
  return OkStatus();
}
Json Codec<bool>::Encode(const bool& value) { return Json::boolean(value); }
const Schema& Codec<bool>::Describe() {
  static const Schema schema = Scalar(Kind::kBoolean);
  return schema;
}

Status Codec<double>::Decode(const Json& json, const std::string& path, double& out) {
  if (!json.is_number()) return Error::Invalid(path + " must be a number");
  out = json.as_double();
  return OkStatus();
}
Json Codec<double>::Encode(const double& value) { return Json::number(value); }
const Schema& Codec<double>::Describe() {
  static const Schema schema = Scalar(Kind::kNumber);
  return schema;
}

// Integers that fit only: JSON may hold 1e300, and converting that would overflow.
Status Codec<int32_t>::Decode(const Json& json, const std::string& path, int32_t& out) {
  if (!json.is_number() || !json.as_number().is_int32())
    return Error::Invalid(path + " must be an integer");
  out = json.as_number().to_int32();
  return OkStatus();
}
Json Codec<int32_t>::Encode(const int32_t& value) { return Json::number(value); }
const Schema& Codec<int32_t>::Describe() {
  static const Schema schema = Scalar(Kind::kInteger, 32);
  return schema;
}

Status Codec<int64_t>::Decode(const Json& json, const std::string& path, int64_t& out) {
  if (!json.is_number() || !json.as_number().is_int64())
    return Error::Invalid(path + " must be an integer");
  out = json.as_number().to_int64();
  return OkStatus();
}
Json Codec<int64_t>::Encode(const int64_t& value) { return Json::number(value); }
const Schema& Codec<int64_t>::Describe() {
  static const Schema schema = Scalar(Kind::kInteger, 64);
  return schema;
}

}  // namespace gearbox::api::v1alpha1::reflect
