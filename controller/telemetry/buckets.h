// Histogram buckets shared by the controller's metrics, in seconds.
#pragma once

#include <vector>

namespace gearbox::telemetry {

// Prometheus' client default: 5 ms .. 10 s.
inline std::vector<double> SecondsBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

// client-go's workqueue buckets (ExponentialBuckets(10e-9, 10, 12)): 10 ns .. 1000 s.
inline std::vector<double> WorkQueueBuckets() {
  std::vector<double> b;
  for (double v = 1e-8; b.size() < 12; v *= 10) b.push_back(v);
  return b;
}

// controller-runtime's buckets for controller_runtime_reconcile_time_seconds: 5 ms .. 60 s.
inline std::vector<double> ReconcileBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1,  0.15, 0.2,  0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6,
          0.7,   0.8,  0.9,   1.0,  1.25, 1.5,  1.75, 2.0,  2.5, 3.0,  3.5, 4.0,  4.5, 5,
          6,     7,    8,     9,    10,   15,   20,   25,   30,  40,   50,  60};
}

// The evaluation lag: from on time to a minute late.
inline std::vector<double> LagBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace gearbox::telemetry
