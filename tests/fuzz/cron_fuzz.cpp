// policy::ParseCron on arbitrary text: it returns (a Cron or an Error) without a sanitizer report;
// a parsed Cron has only bits of real values set, and a window computed from it in UTC, for any
// duration the API allows, opens no later than now and is open at now.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "policy/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gearbox::policy;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto cron = ParseCron(text);
  if (!cron) return 0;
  if (cron->minutes >> 60 || cron->hours >> 24 || cron->days & 1U || cron->months & 1U ||
      cron->months >> 13 || cron->weekdays >> 7)
    std::abort();
  Schedule s;
  s.cron = *cron;
  s.duration = std::chrono::minutes(1 + static_cast<int>(size % 10080));
  const Time now = Time{} + std::chrono::hours(24 * 20000) + std::chrono::seconds(size * 7919);
  if (auto w = OpenWindow(s, now); w && (w->opened > now || now >= w->closes)) std::abort();
  return 0;
}
