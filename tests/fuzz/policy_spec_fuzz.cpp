// reconcile::ParsePolicy on a ScalingPolicy object made of arbitrary JSON: a policy or an Error,
// never a crash, an exception or a sanitizer report; a policy's interval is at least 1s.
#include <cpprest/json.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "reconcile/policy_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  web::json::value object;
  try {
    object = web::json::value::parse(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const std::exception&) {
    return 0;  // not JSON: the API server never sends that
  }
  auto policy = gearbox::reconcile::ParsePolicy(object);
  if (policy && policy->spec.interval < std::chrono::seconds(1)) std::abort();
  return 0;
}
