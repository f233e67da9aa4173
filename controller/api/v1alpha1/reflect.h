// The machinery behind codec.h: a field table per struct (fields.h fills it in) and, from that one
// table, a struct's decode (JSON -> the type, each error naming its field path), its encode (the
// type -> JSON) and its description (schema.h). Nothing outside api/ includes this file.
//
//   GEARBOX_API_FIELDS(Replicas, Required("min", &T::min), Required("max", &T::max));
//
// Required(name, member): the member is a plain value and an object without it is refused.
// Optional(name, member): a std::optional (absent: none) or a list or map (absent: empty).
// Defaulted(name, member, value): a std::optional that the decode fills with `value` when absent,
// as the API server does with the CRD's `default:`.
// KeepEmpty(name, member): an optional list written even when empty (status's lists).
#pragma once

#include <cpprest/json.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "api/v1alpha1/schema.h"
#include "api/v1alpha1/types.h"
#include "base/result.h"

namespace gearbox::api::v1alpha1::reflect {

using Json = web::json::value;

// Decode(json, path, out), Encode(value) and Describe() of one C++ type.
template <typename T, typename = void>
struct Codec;

// A struct's fields: `static const auto& List()`, a tuple of Member (fields.h).
template <typename S>
struct Fields;

// The scalars (reflect.cpp): a JSON string (a duration, a time stamp), boolean, number, integer.
template <>
struct Codec<std::string> {
  static Status Decode(const Json& json, const std::string& path, std::string& out);
  static Json Encode(const std::string& value);
  static const Schema& Describe();
};
template <>
struct Codec<Duration> {
  static Status Decode(const Json& json, const std::string& path, Duration& out);
  static Json Encode(const Duration& value);
  static const Schema& Describe();
};
template <>
struct Codec<DateTime> {
  static Status Decode(const Json& json, const std::string& path, DateTime& out);
  static Json Encode(const DateTime& value);
  static const Schema& Describe();
};
template <>
struct Codec<bool> {
  static Status Decode(const Json& json, const std::string& path, bool& out);
  static Json Encode(const bool& value);
  static const Schema& Describe();
};
template <>
struct Codec<double> {
  static Status Decode(const Json& json, const std::string& path, double& out);
  static Json Encode(const double& value);
  static const Schema& Describe();
};
template <>
struct Codec<int32_t> {
  static Status Decode(const Json& json, const std::string& path, int32_t& out);
  static Json Encode(const int32_t& value);
  static const Schema& Describe();
};
template <>
struct Codec<int64_t> {
  static Status Decode(const Json& json, const std::string& path, int64_t& out);
  static Json Encode(const int64_t& value);
  static const Schema& Describe();
};

// The helpers of the templates below (reflect.cpp).
Error NotOneOf(const Json& json, const std::string& path, const std::vector<std::string>& names);
Error Missing(const std::string& path, Kind kind, const char* hint);
Schema EnumSchema(std::vector<std::string> names);
Schema ElementsSchema(Kind kind, const Schema& element);
// The field `name` of `object`; none when it is absent or null (JSON null is "not given").
const Json* Given(const Json& object, const char* name);

template <typename E>
struct Codec<E, std::enable_if_t<std::is_enum_v<E>>> {
  static std::vector<std::string> Names() {
    std::vector<std::string> names;
    for (const auto& entry : EnumNames<E>::kNames) names.emplace_back(entry.second);
    return names;
  }
  static Status Decode(const Json& json, const std::string& path, E& out) {
    for (const auto& [value, name] : EnumNames<E>::kNames) {
      if (json.is_string() && json.as_string() == name) {
        out = value;
        return OkStatus();
      }
    }
    return NotOneOf(json, path, Names());
  }
  static Json Encode(const E& value) { return Json::string(NameOf(value)); }
  static const Schema& Describe() {
    static const Schema schema = EnumSchema(Names());
    return schema;
  }
};

template <typename T>
struct Codec<std::vector<T>> {
  static Status Decode(const Json& json, const std::string& path, std::vector<T>& out) {
    if (!json.is_array()) return Error::Invalid(path + " must be a list");
    out.clear();
    for (const Json& item : json.as_array()) {
      std::string at = path;
      at.append("[").append(std::to_string(out.size())).append("]");
      T value{};
      RETURN_IF_ERROR(Codec<T>::Decode(item, at, value));
      out.push_back(std::move(value));
    }
    return OkStatus();
  }
  static Json Encode(const std::vector<T>& values) {
    Json out = Json::array(values.size());
    for (size_t i = 0; i < values.size(); ++i) out[i] = Codec<T>::Encode(values[i]);
    return out;
  }
  static const Schema& Describe() {
    static const Schema schema = ElementsSchema(Kind::kArray, Codec<T>::Describe());
    return schema;
  }
};

// An object whose keys are names (phases' and schedules' components): `path.key` each.
template <typename T>
struct Codec<std::map<std::string, T>> {
  static Status Decode(const Json& json, const std::string& path, std::map<std::string, T>& out) {
    if (!json.is_object()) return Error::Invalid(path + " must be an object");
    out.clear();
    for (const auto& [key, item] : json.as_object()) {
      std::string at = path;
      at.append(".").append(key);
      T value{};
      RETURN_IF_ERROR(Codec<T>::Decode(item, at, value));
      out.emplace(key, std::move(value));
    }
    return OkStatus();
  }
  static Json Encode(const std::map<std::string, T>& values) {
    Json out = Json::object();
    for (const auto& [key, value] : values) out[key] = Codec<T>::Encode(value);
    return out;
  }
  static const Schema& Describe() {
    static const Schema schema = ElementsSchema(Kind::kMap, Codec<T>::Describe());
    return schema;
  }
};

template <typename T>
struct Unwrapped {
  using type = T;
  static constexpr bool kOptional = false;
};
template <typename T>
struct Unwrapped<std::optional<T>> {
  using type = T;
  static constexpr bool kOptional = true;
};

template <typename T>
inline constexpr bool kIsContainer = false;
template <typename T>
inline constexpr bool kIsContainer<std::vector<T>> = true;
template <typename T>
inline constexpr bool kIsContainer<std::map<std::string, T>> = true;

// One row of a field table.
template <typename S, typename M>
struct Member {
  using Value = typename Unwrapped<M>::type;
  const char* name;
  M S::*member;
  bool required = false;
  std::optional<Value> fallback{};  // the default
  const char* hint = nullptr;       // said after "is required"
  bool keep_empty = false;          // an empty list is written
};

template <typename S, typename M>
Member<S, M> Required(const char* name, M S::*member, const char* hint = nullptr) {
  static_assert(!Unwrapped<M>::kOptional, "a required field is a plain member");
  return {name, member, true, std::nullopt, hint};
}

template <typename S, typename M>
Member<S, M> Optional(const char* name, M S::*member) {
  static_assert(Unwrapped<M>::kOptional || kIsContainer<M>, "an optional field may be absent");
  return {name, member};
}

template <typename S, typename V>
Member<S, std::optional<V>> Defaulted(const char* name, std::optional<V> S::*member,
                                      std::type_identity_t<V> fallback) {
  return {name, member, false, std::move(fallback)};
}

template <typename S, typename T>
Member<S, std::vector<T>> KeepEmpty(const char* name, std::vector<T> S::*member) {
  return {name, member, false, std::nullopt, nullptr, true};
}

template <typename S, typename M>
Status DecodeMember(const Member<S, M>& m, const Json& object, const std::string& path, S& out) {
  using Value = typename Member<S, M>::Value;
  const std::string at = path + "." + m.name;
  M& target = out.*(m.member);
  const Json* given = Given(object, m.name);
  if (!given && m.required) return Missing(at, Codec<Value>::Describe().kind, m.hint);
  if constexpr (Unwrapped<M>::kOptional) {
    if (!given) {
      target = m.fallback;
      return OkStatus();
    }
    Value value{};
    RETURN_IF_ERROR(Codec<Value>::Decode(*given, at, value));
    target = std::move(value);
    return OkStatus();
  } else {
    if (!given) return OkStatus();  // an optional list or map: empty
    return Codec<M>::Decode(*given, at, target);
  }
}

template <typename S, typename M>
void EncodeMember(const Member<S, M>& m, const S& in, Json& out) {
  const M& value = in.*(m.member);
  if constexpr (Unwrapped<M>::kOptional) {
    if (value) out[m.name] = Codec<typename Member<S, M>::Value>::Encode(*value);
  } else if constexpr (kIsContainer<M>) {
    if (m.required || m.keep_empty || !value.empty()) out[m.name] = Codec<M>::Encode(value);
  } else {
    out[m.name] = Codec<M>::Encode(value);
  }
}

template <typename S, typename M>
FieldSchema DescribeMember(const Member<S, M>& m) {
  using Value = typename Member<S, M>::Value;
  FieldSchema field{m.name, m.required, std::nullopt, &Codec<Value>::Describe()};
  if (m.fallback) field.default_value = Codec<Value>::Encode(*m.fallback);
  return field;
}

template <typename S>
struct Codec<S, std::void_t<decltype(Fields<S>::List())>> {
  static Status Decode(const Json& json, const std::string& path, S& out) {
    if (!json.is_object()) return Error::Invalid(path + " must be an object");
    Status status = OkStatus();
    std::apply(
        [&](const auto&... m) { (void)(... && (status = DecodeMember(m, json, path, out)).ok()); },
        Fields<S>::List());
    return status;
  }
  static Json Encode(const S& value) {
    Json out = Json::object();
    std::apply([&](const auto&... m) { (EncodeMember(m, value, out), ...); }, Fields<S>::List());
    return out;
  }
  static const Schema& Describe() {
    static const Schema schema = [] {
      Schema s;
      s.kind = Kind::kObject;
      std::apply([&](const auto&... m) { (s.fields.push_back(DescribeMember(m)), ...); },
                 Fields<S>::List());
      return s;
    }();
    return schema;
  }
};

// A struct's field table: GEARBOX_API_FIELDS(Type, rows...), each row naming members as &T::x.
#define GEARBOX_API_FIELDS(Type, ...)                        \
  template <>                                                \
  struct Fields<Type> {                                      \
    using T = Type;                                          \
    static const auto& List() {                              \
      static const auto list = std::make_tuple(__VA_ARGS__); \
      return list;                                           \
    }                                                        \
  }

}  // namespace gearbox::api::v1alpha1::reflect
