// The scaleUp and scaleDown rules that size a workload as the HPA does (docs/convert.md, "How the
// HPA's arithmetic is carried over"): the engine's up ratio value/target gives the HPA's
// ceil(replicas × value / target), and the HPA's tolerance becomes the thresholds.
#pragma once

#include <string>

#include "convert/document.h"
#include "convert/draft.h"

namespace gearbox::convert {

// Adds scaleUp and scaleDown to `component` (at `path` in `document`, for its comments); nothing
// when the draft sizes on no metric (a ScaledObject with a cron trigger alone).
void WriteRules(const Draft& draft, YAML::Node component, const std::string& path,
                Document& document);

}  // namespace gearbox::convert
