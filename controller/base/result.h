// Errors as values, the one convention of the controller: a Result<T> holds a T or an Error, an
// Error says what kind of failure it was and carries, for an API answer, its HTTP code and
// reason. Every layer (kube/, metrics/, policy/, reconcile/) returns these; exceptions are caught
// where a library throws them and turned into an Error there. Header-only and std-only, so the
// pure policy/ library can use it too.
//
//   Result<int> Parse(const std::string& s);
//   Result<Config> Load() {
//     ASSIGN_OR_RETURN(int port, Parse(text));   // returns the Error if Parse failed
//     RETURN_IF_ERROR(Check(port));              // the same for a Status
//     return Config{port};
//   }
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <variant>

namespace gearbox {

struct Error {
  enum class Kind {
    kApi,         // the server answered with an error status (http_code, reason)
    kTransport,   // connection refused, reset, DNS: the server is down or elsewhere
    kTls,         // the TLS handshake or the certificate was refused
    kTimeout,     // no answer within the time allowed
    kDecode,      // the answer is not what the protocol says
    kConfig,      // configured wrongly (bad URL, missing Secret key, pods without requests)
    kCancelled,   // stopped on purpose
    kNoData,      // the query or the key holds nothing to measure
    kAmbiguous,   // several series where one number was wanted
    kNotANumber,  // NaN or an infinity
    kAuth,        // credentials refused
    kInvalid,     // input that breaks a rule (a duration that does not parse, a bad spec)
    kNotLeader,   // a write refused because this replica cannot prove it holds the leader Lease
  };

  Kind kind = Kind::kApi;
  int http_code = 0;    // kApi: the HTTP status
  std::string reason;   // kApi: the Status reason ("NotFound", "Conflict", "Forbidden", ...)
  std::string message;  // what went wrong, for people
  std::chrono::seconds retry_after{0};  // kApi 429/503: what the server asked us to wait

  static Error Api(int code, std::string reason, std::string message) {
    return {Kind::kApi, code, std::move(reason), std::move(message), {}};
  }
  static Error Of(Kind kind, std::string message) { return {kind, 0, {}, std::move(message), {}}; }
  static Error Invalid(std::string message) { return Of(Kind::kInvalid, std::move(message)); }

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

  // The message, prefixed by the kind where the message alone would not say it:
  // "transport: connection refused", "TLS: certificate verify failed", "timeout: ...". An API
  // error's message already names the code ("patch deployments.apps/web/scale in shop: 403 ...").
  std::string ToString() const {
    switch (kind) {
      case Kind::kTransport:
        return "transport: " + message;
      case Kind::kTls:
        return "TLS: " + message;
      case Kind::kTimeout:
        return "timeout: " + message;
      case Kind::kDecode:
        return "decode: " + message;
      case Kind::kConfig:
        return "config: " + message;
      case Kind::kCancelled:
        return "cancelled: " + message;
      default:
        return message;
    }
  }
};

// A short stable name of the kind, for metric labels and Event reasons: "timeout", "api", ...
inline const char* KindName(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::kApi:
      return "api";
    case Error::Kind::kTransport:
      return "unreachable";
    case Error::Kind::kTls:
      return "tls";
    case Error::Kind::kTimeout:
      return "timeout";
    case Error::Kind::kDecode:
      return "bad_answer";
    case Error::Kind::kConfig:
      return "config";
    case Error::Kind::kCancelled:
      return "cancelled";
    case Error::Kind::kNoData:
      return "no_data";
    case Error::Kind::kAmbiguous:
      return "ambiguous";
    case Error::Kind::kNotANumber:
      return "not_a_number";
    case Error::Kind::kAuth:
      return "auth";
    case Error::Kind::kInvalid:
      return "invalid";
    case Error::Kind::kNotLeader:
      return "not_leader";
  }
  return "unknown";
}

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
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }
  // The value, or `fallback` when there is none.
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

// For calls that return nothing but can fail.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace gearbox

#define GEARBOX_CONCAT_INNER_(a, b) a##b
#define GEARBOX_CONCAT_(a, b) GEARBOX_CONCAT_INNER_(a, b)

// Returns the Error of `expr` (a Result or Status) from the enclosing function when it failed.
#define RETURN_IF_ERROR(expr)                                             \
  do {                                                                    \
    auto gearbox_result_ = (expr);                                        \
    if (!gearbox_result_.ok()) return std::move(gearbox_result_).error(); \
  } while (false)

// `lhs` = the value of `expr` (a Result), or returns its Error from the enclosing function. `lhs`
// may be a declaration (`auto x`), which parentheses would break: hence the NOLINT.
#define ASSIGN_OR_RETURN(lhs, expr)                                       \
  auto GEARBOX_CONCAT_(gearbox_result_, __LINE__) = (expr);               \
  if (!GEARBOX_CONCAT_(gearbox_result_, __LINE__).ok())                   \
    return std::move(GEARBOX_CONCAT_(gearbox_result_, __LINE__)).error(); \
  lhs = std::move(GEARBOX_CONCAT_(gearbox_result_, __LINE__)).value() /* NOLINT */
