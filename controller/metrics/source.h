// One interface for every signal Gearbox scales on (KEDA's pkg/scalers shape): a MetricSource is
// configured once with what to measure and answers Read() with a Reading or an Error whose kind
// says what went wrong (kTransport: the server is down; kTimeout; kDecode: not the protocol;
// kNoData; kAmbiguous: several series; kNotANumber; kAuth; kApi: the server refused; kConfig).
// Implementations sit beside this file, one per file: resource metrics (metrics.k8s.io), Prometheus
// instant queries, Redis queues. Every Read() is bounded by the source's timeout and never throws.
#pragma once

#include <string>

#include "base/result.h"

namespace gearbox::metrics {

// A value read, and what it is made of, for status ("lag 7 + pending 2").
struct Reading {
  double value = 0;
  std::string detail;
  // A per-pod average (a resource metric): the pods it averaged over, so that a step multiplies
  // it by those pods and not by pods whose usage is not in it yet. -1: not an average over pods.
  int pods = -1;
};

class MetricSource {
 public:
  virtual ~MetricSource() = default;
  virtual Result<Reading> Read() = 0;
  // "prometheus http://127.0.0.1:9090: sum(users)", for logs and errors.
  virtual std::string Describe() const = 0;
};

}  // namespace gearbox::metrics
