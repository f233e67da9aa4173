// policy::ParseDuration on arbitrary text: it returns (a duration or an Error) without a sanitizer
// report, a duration is never negative, and FormatDuration's spelling of it parses back to it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "policy/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using gearbox::policy::ParseDuration;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto d = ParseDuration(text);
  if (!d) return 0;
  if (d->count() < 0) std::abort();
  auto again = ParseDuration(gearbox::policy::FormatDuration(*d));
  if (!again || *again != *d) std::abort();
  return 0;
}
