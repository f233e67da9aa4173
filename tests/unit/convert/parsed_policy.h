// A convert run's output read back by the controller's own parser: the policy the controller
// would run, or (a failed expectation) an empty one.
#pragma once

#include <gtest/gtest.h>

#include "backtest/policy_file.h"
#include "reconcile/policy_spec.h"
#include "run_convert.h"

namespace gearbox::convert::testing {

inline reconcile::ParsedPolicy ParsedPolicyOf(const Outcome& run) {
  auto json = backtest::YamlToJson(run.out);
  EXPECT_TRUE(json.ok());
  if (!json.ok()) return {};
  auto parsed = reconcile::ParsePolicy(*json);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message << "\n" << run.out;
  return parsed.ok() ? *parsed : reconcile::ParsedPolicy{};
}

}  // namespace gearbox::convert::testing
