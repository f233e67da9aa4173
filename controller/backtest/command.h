// `gearbox-controller backtest`: the flags, then the run — the policy file read, the histories of
// its metrics read from Prometheus, the replay, the report. main.cpp hands it argv when argv[1] is
// "backtest". docs/backtest.md is the user's page.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "backtest/report.h"

namespace gearbox::backtest {

struct Options {
  std::string policy_file;
  std::string prometheus_url;  // empty: the policy's spec.sources.prometheus.url
  std::string bearer_token_file;
  std::string ca_file;
  policy::Time start{};
  policy::Time end{};
  std::optional<policy::Duration> step;        // none: the policy's spec.interval
  std::map<std::string, std::string> queries;  // metric -> PromQL that replays it
  std::map<std::string, int> replicas;         // component -> replicas at the start
  std::string tsv;                             // empty: none
  bool quiet = false;
  std::chrono::milliseconds timeout{30000};  // per range query
};

// "2026-05-01T10:00:00Z", "2026-05-01T12:00:00+02:00" or unix seconds ("1777629600").
std::optional<policy::Time> ParseTimeFlag(const std::string& text);

// Everything but the metrics: the policy read and checked, the grid, where each metric comes
// from, the starting replicas. Every Error is kInvalid: the flags or the file are wrong.
Result<Backtest> Prepare(const Options& options);

// Reads the histories from `source` and replays them into `backtest.steps`.
Status Run(Backtest& backtest, RangeSource& source);

// The subcommand; argv[0] is "backtest". Prints the report to `out`, errors to `err`; returns the
// exit code: 0, 2 (bad flags, a policy file that is refused), 1 (Prometheus failed).
int BacktestMain(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace gearbox::backtest
