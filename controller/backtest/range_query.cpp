// See range_query.h.
#include "backtest/range_query.h"

#include <cmath>
#include <cstdio>

namespace gearbox::backtest {

using Json = web::json::value;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

// 11,000 points of a handful of series are a few MiB; more means a query that is not one number.
constexpr size_t kMaxRangeAnswerBytes = 64 << 20;

const char* const kNoSample = "no sample at this time (nothing recorded within the lookback)";

int64_t UnixMillis(policy::Time t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

// Seconds since the epoch with milliseconds, as the API takes times and steps.
std::string Seconds(int64_t millis) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(millis / 1000),
                static_cast<long long>(millis % 1000));
  return buf;
}

// The step a sample's time falls on, or -1 when it is not a step of the grid.
long StepOf(double unix_seconds, const StepGrid& grid) {
  const int64_t offset = std::llround(unix_seconds * 1000) - UnixMillis(grid.start);
  const int64_t step = grid.step.count();
  if (offset < 0 || offset % step != 0) return -1;
  const int64_t k = offset / step;
  return k < static_cast<int64_t>(grid.count) ? static_cast<long>(k) : -1;
}

// One sample into its step: a value, or why it is not one.
void Put(policy::MetricReading& r, const std::string& text, bool taken, const std::string& what) {
  if (taken) {
    r.value.reset();
    r.error = what +
              ": the query returned several series at this time where one number is needed "
              "(aggregate it, e.g. sum(...))";
    return;
  }
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() && std::isfinite(v)) {
    r.value = v;
    r.error.clear();
  } else {
    r.error = what + ": the query's value is " + text;
  }
}

}  // namespace

Result<StepGrid> StepGrid::Make(policy::Time start, policy::Time end, policy::Duration step) {
  if (step <= policy::Duration(0)) return Error::Invalid("the step must be positive");
  if (end < start) return Error::Invalid("the end is before the start");
  StepGrid grid;
  grid.start = start;
  grid.step = step;
  grid.count = static_cast<size_t>(duration_cast<milliseconds>(end - start) / step) + 1;
  return grid;
}

Status PrometheusRangeSource::Fill(const Json& data, const StepGrid& grid, History& history,
                                   const std::string& what) {
  try {
    if (data.at("resultType").as_string() != "matrix")
      return Error::Of(Error::Kind::kDecode, what + ": a range query answered without a matrix");
    std::vector<bool> taken(history.size(), false);
    for (const Json& series : data.at("result").as_array()) {
      for (const Json& point : series.at("values").as_array()) {
        const long k = StepOf(point.at(0).as_double(), grid);
        if (k < 0) continue;  // off the grid: not a time the backtest evaluates at
        Put(history[k], point.at(1).as_string(), taken[k], what);
        taken[k] = true;
      }
    }
    return OkStatus();
  } catch (const std::exception& e) {  // web::json throws on a field of another type
    return Error::Of(Error::Kind::kDecode, what + ": unexpected answer: " + e.what());
  }
}

Status PrometheusRangeSource::ReadChunk(const std::string& promql, const StepGrid& grid,
                                        size_t first, size_t count, History& history) {
  const metrics::PrometheusClient::QueryParams params = {
      {"query", promql},
      {"start", Seconds(UnixMillis(grid.At(first)))},
      {"end", Seconds(UnixMillis(grid.At(first + count - 1)))},
      {"step", Seconds(grid.step.count())}};
  ASSIGN_OR_RETURN(Json data,
                   client_->GetData("/api/v1/query_range", params, kMaxRangeAnswerBytes));
  return Fill(data, grid, history, client_->Where());
}

Result<History> PrometheusRangeSource::Read(const std::string& promql, const StepGrid& grid) {
  History history(grid.count);
  for (size_t i = 0; i < grid.count; ++i) history[i] = {std::nullopt, grid.At(i), kNoSample};
  for (size_t first = 0; first < grid.count; first += kMaxPointsPerRequest) {
    const size_t count = std::min(kMaxPointsPerRequest, grid.count - first);
    RETURN_IF_ERROR(ReadChunk(promql, grid, first, count, history));
  }
  return history;
}

}  // namespace gearbox::backtest
