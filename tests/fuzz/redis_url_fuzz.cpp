// metrics::ParseRedisUrl on arbitrary text: options or an Error; options name a host, a port in
// 1..65535 and a database index in 0..1000.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "metrics/redis_queue.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto options =
      gearbox::metrics::ParseRedisUrl(std::string(reinterpret_cast<const char*>(data), size));
  if (!options) return 0;
  if (options->host.empty() || options->port < 1 || options->port > 65535) std::abort();
  if (options->db < 0 || options->db > 1000) std::abort();
  return 0;
}
