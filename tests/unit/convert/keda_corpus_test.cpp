// The ScaledObjects and HPAs of KEDA's scaler pages and end-to-end tests and of the Kubernetes HPA
// walkthrough (tests/fixtures/convert/keda-docs, each naming its source), each converted as a new
// user would: its exit status and what stderr says are the ones keda-docs/outcomes.txt decides
// for it (0: the same signal with the same meaning; 3: something not carried over, named; 2: the
// document refused, with the field). tests/integration/convert/test_keda_corpus.sh applies the
// outputs to a real API server.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "run_convert.h"

namespace gearbox::convert::testing {
namespace {

struct Expected {
  int code = -1;
  std::string says;  // a part of a stderr line: what was not carried over, or why refused
};

const std::string kCorpus = FixturePath("keda-docs");

std::string Trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(' ');
  return first == std::string::npos ? ""
                                    : text.substr(first, text.find_last_not_of(' ') + 1 - first);
}

// outcomes.txt: "fixture | exit status | what stderr says" per line, # comments.
std::map<std::string, Expected> ReadOutcomes() {
  std::ifstream in(kCorpus + "/outcomes.txt");
  std::map<std::string, Expected> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t a = line.find('|'), b = line.find('|', a + 1);
    EXPECT_NE(b, std::string::npos) << "outcomes.txt: " << line;
    if (b == std::string::npos) continue;
    out[Trimmed(line.substr(0, a))] = {std::stoi(line.substr(a + 1, b - a - 1)),
                                       Trimmed(line.substr(b + 1))};
  }
  return out;
}

std::vector<std::string> Fixtures() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The stderr lines that say a document was refused or something was not carried over.
std::vector<std::string> Losses(const std::string& err) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);)
    if (line.find("skipped") == std::string::npos) lines.push_back(line);
  return lines;
}

TEST(KedaCorpus, EveryExampleHasTheOutcomeDecidedForIt) {
  const auto outcomes = ReadOutcomes();
  const auto fixtures = Fixtures();
  ASSERT_GE(fixtures.size(), 90u);
  std::map<int, int> counts;
  for (const std::string& name : fixtures) {
    SCOPED_TRACE(name);
    const auto expected = outcomes.find(name);
    ASSERT_NE(expected, outcomes.end()) << "no line in keda-docs/outcomes.txt";
    const Outcome run = Convert({kCorpus + "/" + name + ".yaml"});
    ++counts[run.code];
    EXPECT_EQ(run.code, expected->second.code) << run.err;
    const auto losses = Losses(run.err);
    if (expected->second.code == 0) {
      EXPECT_TRUE(losses.empty()) << run.err;
      continue;
    }
    const std::string marker = expected->second.code == 3 ? ": not carried over: " : "";
    EXPECT_NE(run.err.find(marker), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(expected->second.says), std::string::npos)
        << "stderr does not say \"" << expected->second.says << "\":\n"
        << run.err;
  }
  EXPECT_EQ(outcomes.size(), fixtures.size()) << "outcomes.txt names a fixture that is gone";
  std::cout << "KEDA corpus: " << fixtures.size() << " tried, " << counts[0] << " converted whole, "
            << counts[3] << " partial (exit 3), " << counts[2] << " refused (exit 2)\n";
}

// With --allow-partial every example but the refused ones prints a policy and exits 0.
TEST(KedaCorpus, AllowPartialPrintsAPolicyForEveryExampleNotRefused) {
  for (const auto& [name, expected] : ReadOutcomes()) {
    if (expected.code == 2) continue;
    SCOPED_TRACE(name);
    const Outcome run = Convert({"--allow-partial", kCorpus + "/" + name + ".yaml"});
    EXPECT_EQ(run.code, 0) << run.err;
    EXPECT_NE(run.out.find("kind: ScalingPolicy"), std::string::npos);
  }
}

}  // namespace
}  // namespace gearbox::convert::testing
