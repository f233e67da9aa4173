// A Draft written out as a ScalingPolicy (gearbox.dev/v1alpha1) with its comments.
#pragma once

#include <string>

#include "convert/document.h"
#include "convert/draft.h"

namespace gearbox::convert {

struct WriteOptions {
  std::string mode = "DryRun";  // or Enforce
  std::string name;             // empty: the old object's name
};

Document WritePolicy(const Draft& draft, const WriteOptions& options);

}  // namespace gearbox::convert
