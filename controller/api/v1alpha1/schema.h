// What the field table (fields.h) says of the API, as data: for each value its JSON kind, and for
// an object each field's JSON name, whether it is required, its default and its value's shape.
// The decode and encode read the same table (codec.h), so this description cannot differ from
// what they do; tests/unit/api walks it beside the CRD's openAPIV3Schema.
#pragma once

#include <cpprest/json.h>

#include <optional>
#include <string>
#include <vector>

namespace gearbox::api::v1alpha1 {

// The JSON kinds, as the CRD's `type` names them; kMap is an object whose keys are free
// (additionalProperties), kObject one with named fields (properties).
enum class Kind { kString, kInteger, kNumber, kBoolean, kObject, kMap, kArray };

const char* KindName(Kind kind);  // "string", "integer", ..., "map" (object + additionalProperties)

// How a string is read, beyond being a string.
enum class Text { kPlain, kDuration, kDateTime };

struct Schema;

struct FieldSchema {
  std::string name;  // the JSON name
  bool required = false;
  std::optional<web::json::value> default_value;  // what the API server fills in when absent
  const Schema* value = nullptr;
};

struct Schema {
  Kind kind = Kind::kString;
  int integer_bits = 0;             // kInteger: 32 or 64
  Text text = Text::kPlain;         // kString
  std::vector<std::string> values;  // kString: the enumeration, when it is one
  std::vector<FieldSchema> fields;  // kObject
  const Schema* items = nullptr;    // kArray, kMap: each element's
};

// The spec and the status, from the field table.
const Schema& SpecSchema();
const Schema& StatusSchema();

}  // namespace gearbox::api::v1alpha1
