// PrometheusClient::ParseQueryResponse on an arbitrary body, as a 200 and as an error status: a
// Reading or an Error, never a crash; a Reading's value is a finite number.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "metrics/prometheus.h"

namespace {

void Check(int code, const std::string& body) {
  auto reading = gearbox::metrics::PrometheusClient::ParseQueryResponse(code, body, "fuzz");
  if (reading && !std::isfinite(reading->value)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  Check(200, body);
  Check(422, body);
  return 0;
}
