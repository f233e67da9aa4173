// One interface for every signal Gearbox scales on (KEDA's pkg/scalers shape): a MetricSource is
// configured once with what to measure and answers Read() with a number or an error value that
// says what went wrong. Implementations sit beside this file, one per file: resource metrics
// (metrics.k8s.io), Prometheus instant queries, Redis queues. Every Read() is bounded by the
// source's timeout and never throws.
#pragma once

#include <optional>
#include <string>

namespace gearbox::metrics {

enum class ErrorKind {
  kUnreachable,  // connection refused, DNS, reset: the server is down or elsewhere
  kTimeout,      // no answer within the source's timeout
  kBadAnswer,    // the server answered something that is not what the protocol says
  kNoData,       // the query or the key holds nothing to measure
  kAmbiguous,    // several series where one number was wanted
  kNotANumber,   // NaN or an infinity
  kAuth,         // credentials refused
  kRejected,     // the server refused the request (a bad query, forbidden, not found)
  kConfig,       // the source is configured wrongly (bad URL, pods without requests, ...)
};

const char* ErrorKindName(ErrorKind kind);

struct Sample {
  std::optional<double> value;
  ErrorKind kind = ErrorKind::kNoData;
  std::string error;   // why there is no value: "prometheus http://...: the query returned ..."
  std::string detail;  // what the value is made of, for status ("lag 7 + pending 2")

  static Sample Of(double v, std::string detail = "") {
    Sample s;
    s.value = v;
    s.detail = std::move(detail);
    return s;
  }
  static Sample Fail(ErrorKind kind, std::string error) {
    Sample s;
    s.kind = kind;
    s.error = std::move(error);
    return s;
  }
  bool ok() const { return value.has_value(); }
};

class MetricSource {
 public:
  virtual ~MetricSource() = default;
  virtual Sample Read() = 0;
  // "prometheus http://127.0.0.1:9090: sum(users)", for logs and errors.
  virtual std::string Describe() const = 0;
};

}  // namespace gearbox::metrics
