// See exposition.h.
#include "telemetry/exposition.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace gearbox::telemetry {

void Exposition::BeforeRender(std::function<void()> refresh) {
  MutexLock lock(mu_);
  refreshers_.push_back(std::move(refresh));
}

std::string Exposition::Render() {
  MutexLock lock(mu_);
  for (const auto& refresh : refreshers_) refresh();
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_.Collect());
  return out.str();
}

}  // namespace gearbox::telemetry
