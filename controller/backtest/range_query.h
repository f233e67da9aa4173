// The history of a PromQL query at the times a backtest evaluates: Prometheus's range queries
// (GET /api/v1/query_range) through the controller's own Prometheus client (its token, TLS and
// errors), asked in chunks, since Prometheus refuses a request for more than 11,000 points.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "metrics/prometheus.h"
#include "policy/policy.h"

namespace gearbox::backtest {

// The evaluation times: start, start + step, ... up to end, the grid of a range query.
struct StepGrid {
  policy::Time start{};
  policy::Duration step{15000};
  size_t count = 0;

  policy::Time At(size_t i) const { return start + step * static_cast<long>(i); }
  policy::Time end() const { return count ? At(count - 1) : start; }
  // An Error (kInvalid) when end is before start or the step is not positive.
  static Result<StepGrid> Make(policy::Time start, policy::Time end, policy::Duration step);
};

// A query's reading at each step of a grid: a value, or none and why (no sample within
// Prometheus's lookback, several series, not a finite number). Each reading's time is its step's.
using History = std::vector<policy::MetricReading>;

// Where histories come from: Prometheus, or the tests' scripted values.
class RangeSource {
 public:
  virtual ~RangeSource() = default;
  // The query's history over `grid`; an Error when the query cannot be run at all (the server is
  // down, refuses the PromQL or the credentials).
  virtual Result<History> Read(const std::string& promql, const StepGrid& grid) = 0;
};

// Prometheus refuses a range query of more points than this.
constexpr size_t kMaxPointsPerRequest = 11000;

class PrometheusRangeSource final : public RangeSource {
 public:
  explicit PrometheusRangeSource(std::shared_ptr<metrics::PrometheusClient> client)
      : client_(std::move(client)) {}
  Result<History> Read(const std::string& promql, const StepGrid& grid) override;

  // Puts the samples of one answer's data (a matrix, or a vector) into the steps of `history`:
  // a step that gets samples of two series reads as ambiguous, as an instant query would.
  static Status Fill(const web::json::value& data, const StepGrid& grid, History& history,
                     const std::string& what);

 private:
  Status ReadChunk(const std::string& promql, const StepGrid& grid, size_t first, size_t count,
                   History& history);

  std::shared_ptr<metrics::PrometheusClient> client_;
};

}  // namespace gearbox::backtest
