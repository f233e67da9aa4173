// A RangeSource that answers each query from a script of values by step, and a policy file
// written for a test.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "backtest/command.h"
#include "backtest/range_query.h"

namespace gearbox::backtest::testing {

using namespace std::chrono_literals;

// A value by step index; none: no sample at that step.
using Script = std::function<std::optional<double>(size_t step)>;

class ScriptedSource final : public RangeSource {
 public:
  std::map<std::string, Script> scripts;  // by query

  Result<History> Read(const std::string& promql, const StepGrid& grid) override {
    auto it = scripts.find(promql);
    if (it == scripts.end()) return Error::Of(Error::Kind::kApi, "no script for " + promql);
    History history;
    for (size_t i = 0; i < grid.count; ++i) {
      const std::optional<double> v = it->second(i);
      history.push_back({v, grid.At(i), v ? "" : "no sample"});
    }
    return history;
  }
};

inline Script Constant(double v) {
  return [v](size_t) { return v; };
}

// A file under the temporary directory holding `text`; its path. Named after the test too, since
// CTest may run cases (each its own process) at once.
inline std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" +
                           name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace gearbox::backtest::testing
