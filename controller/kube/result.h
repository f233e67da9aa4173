// Errors as values for everything that talks to the API server: an Error says what kind of
// failure it was (the API answered with a Status, the connection failed, TLS was refused, time ran
// out, the answer could not be decoded, the configuration is wrong) and carries the API's HTTP
// code, reason and message. Result<T> holds a T or an Error; nothing in kube/ throws to its
// callers.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <variant>

namespace gearbox::kube {

struct Error {
  enum class Kind { kApi, kTransport, kTls, kTimeout, kDecode, kConfig, kCancelled };

  Kind kind = Kind::kApi;
  int http_code = 0;    // kApi: the HTTP status
  std::string reason;   // kApi: the Status reason ("NotFound", "Conflict", "Forbidden", ...)
  std::string message;  // what went wrong, for people
  std::chrono::seconds retry_after{0};  // kApi 429/503: what the server asked us to wait

  static Error Api(int code, std::string reason, std::string message) {
    return {Kind::kApi, code, std::move(reason), std::move(message), {}};
  }
  static Error Of(Kind kind, std::string message) { return {kind, 0, {}, std::move(message), {}}; }

  bool IsNotFound() const { return kind == Kind::kApi && http_code == 404; }
  bool IsConflict() const { return kind == Kind::kApi && http_code == 409; }
  bool IsAlreadyExists() const { return IsConflict() && reason == "AlreadyExists"; }
  bool IsGone() const { return kind == Kind::kApi && http_code == 410; }
  bool IsForbidden() const { return kind == Kind::kApi && http_code == 403; }
  bool IsTooManyRequests() const { return kind == Kind::kApi && http_code == 429; }
  // Worth retrying as it is: the server or the network may answer differently next time.
  bool IsTransient() const {
    return kind == Kind::kTransport || kind == Kind::kTimeout ||
           (kind == Kind::kApi && (http_code == 429 || http_code >= 500));
  }

  // "409 Conflict: Operation cannot be fulfilled on ..." or "TLS: certificate verify failed ..."
  std::string ToString() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// For calls that return nothing but can fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace gearbox::kube
