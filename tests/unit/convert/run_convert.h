// Runs `gearbox-controller convert` in-process with the given arguments and stdin.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "convert/command.h"

namespace gearbox::convert::testing {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

inline Outcome Convert(std::vector<std::string> args, const std::string& stdin_text = "") {
  args.insert(args.begin(), "convert");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  Outcome run;
  run.code = ConvertMain(static_cast<int>(argv.size()), argv.data(), in, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

inline std::string FixturePath(const std::string& name) {
  return std::string(GEARBOX_SOURCE_DIR) + "/tests/fixtures/convert/" + name;
}

}  // namespace gearbox::convert::testing
