// Reading fields of API objects that may be absent or of another type, without exceptions:
// StringAt(obj, {"metadata", "name"}), IntAt(obj, {"status", "readyReplicas"}). The one place
// these accessors live; cpprestsdk's own at() throws on a missing field.
#pragma once

#include <cpprest/json.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

namespace gearbox::kube {

// The value at `path`, or null when a step is missing or not an object.
inline const web::json::value* FieldAt(const web::json::value& v,
                                       std::initializer_list<const char*> path) {
  const web::json::value* cur = &v;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    const auto& obj = cur->as_object();
    auto it = obj.find(key);
    if (it == obj.end()) return nullptr;
    cur = &it->second;
  }
  return cur;
}

// Removes `key` from the object `v` if it is there (cpprestsdk's erase() throws when it is not).
inline void EraseField(web::json::value& v, const char* key) {
  if (v.is_object() && v.has_field(key)) v.erase(key);
}

inline std::string StringAt(const web::json::value& v, std::initializer_list<const char*> path,
                            const std::string& fallback = "") {
  const auto* f = FieldAt(v, path);
  return f && f->is_string() ? f->as_string() : fallback;
}

// An integer that fits: nullopt for a missing field, a fraction or a number out of range (JSON
// may hold 1e300; converting it would overflow), never a converted wrong value.
inline std::optional<int64_t> IntAt(const web::json::value& v,
                                    std::initializer_list<const char*> path) {
  const auto* f = FieldAt(v, path);
  if (!f || !f->is_number() || !f->as_number().is_int64()) return std::nullopt;
  return f->as_number().to_int64();
}

inline std::optional<int> Int32At(const web::json::value& v,
                                  std::initializer_list<const char*> path) {
  const auto* f = FieldAt(v, path);
  if (!f || !f->is_number() || !f->as_number().is_int32()) return std::nullopt;
  return f->as_number().to_int32();
}

}  // namespace gearbox::kube
