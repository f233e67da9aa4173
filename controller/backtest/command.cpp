// See command.h.
#include "backtest/command.h"

#include <boost/program_options.hpp>
#include <cctype>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>
#include <variant>

#include "backtest/policy_file.h"
#include "base/time_format.h"

namespace gearbox::backtest {

namespace po = boost::program_options;

namespace {

po::options_description Flags() {
  po::options_description flags(
      "gearbox-controller backtest: replays a ScalingPolicy over the metrics Prometheus recorded "
      "and prints what it would have done\n\nFlags");
  // clang-format off
  flags.add_options()
      ("help,h", "print this help and exit")
      ("policy", po::value<std::string>(), "the ScalingPolicy YAML file (what kubectl apply takes)")
      ("prometheus", po::value<std::string>()->default_value(""),
       "Prometheus URL (default: the policy's spec.sources.prometheus.url)")
      ("bearer-token-file", po::value<std::string>()->default_value(""), "a bearer token for Prometheus")
      ("ca-file", po::value<std::string>()->default_value(""), "a CA (PEM) to trust for https")
      ("start", po::value<std::string>(), "the first step: RFC 3339 or unix seconds")
      ("end", po::value<std::string>(), "the last step (at most): RFC 3339 or unix seconds")
      ("step", po::value<std::string>()->default_value(""), "time between steps (default: spec.interval)")
      ("query", po::value<std::vector<std::string>>()->composing(),
       "METRIC=PROMQL: replay METRIC from this query (repeatable; needed for resource and queue metrics)")
      ("replicas", po::value<std::vector<std::string>>()->composing(),
       "COMPONENT=N: replicas at the start (repeatable; default replicas.min)")
      ("tsv", po::value<std::string>()->default_value(""), "also write each step to this TSV file")
      ("quiet", po::bool_switch(), "print only the steps at which something changed")
      ("timeout", po::value<std::string>()->default_value("30s"), "per request to Prometheus");
  // clang-format on
  return flags;
}

// "NAME=VALUE" pairs of a repeatable flag.
Result<std::map<std::string, std::string>> Pairs(const po::variables_map& vm, const char* flag) {
  std::map<std::string, std::string> pairs;
  if (!vm.count(flag)) return pairs;
  for (const auto& item : vm[flag].as<std::vector<std::string>>()) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      return Error::Invalid(std::string("--") + flag + " " + item + ": must be NAME=VALUE");
    pairs[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return pairs;
}

Result<int> Count(const std::string& name, const std::string& text) {
  static const std::regex kCount("[0-9]{1,6}");
  if (!std::regex_match(text, kCount))
    return Error::Invalid("--replicas " + name + "=" + text + ": must be a whole number");
  return std::stoi(text);
}

Result<std::map<std::string, int>> Counts(const po::variables_map& vm) {
  ASSIGN_OR_RETURN(auto pairs, Pairs(vm, "replicas"));
  std::map<std::string, int> counts;
  for (const auto& [name, text] : pairs) {
    ASSIGN_OR_RETURN(counts[name], Count(name, text));
  }
  return counts;
}

Result<policy::Time> TimeFlag(const po::variables_map& vm, const char* flag) {
  if (!vm.count(flag)) return Error::Invalid(std::string("--") + flag + " is required");
  const std::string& text = vm[flag].as<std::string>();
  auto t = ParseTimeFlag(text);
  if (!t)
    return Error::Invalid(std::string("--") + flag + " " + text +
                          ": not an RFC 3339 time nor unix seconds");
  return *t;
}

Result<policy::Duration> DurationFlag(const std::string& flag, const std::string& text) {
  auto d = policy::ParseDuration(text);
  if (!d) return Error::Invalid("--" + flag + " " + text + ": " + d.error().message);
  if (*d <= policy::Duration(0)) return Error::Invalid("--" + flag + " must be positive");
  return *d;
}

Result<Options> OptionsFrom(const po::variables_map& vm) {
  Options o;
  if (!vm.count("policy")) return Error::Invalid("--policy is required");
  o.policy_file = vm["policy"].as<std::string>();
  o.prometheus_url = vm["prometheus"].as<std::string>();
  o.bearer_token_file = vm["bearer-token-file"].as<std::string>();
  o.ca_file = vm["ca-file"].as<std::string>();
  ASSIGN_OR_RETURN(o.start, TimeFlag(vm, "start"));
  ASSIGN_OR_RETURN(o.end, TimeFlag(vm, "end"));
  if (const auto& step = vm["step"].as<std::string>(); !step.empty()) {
    ASSIGN_OR_RETURN(o.step, DurationFlag("step", step));
  }
  ASSIGN_OR_RETURN(o.timeout, DurationFlag("timeout", vm["timeout"].as<std::string>()));
  ASSIGN_OR_RETURN(o.queries, Pairs(vm, "query"));
  ASSIGN_OR_RETURN(o.replicas, Counts(vm));
  o.tsv = vm["tsv"].as<std::string>();
  o.quiet = vm["quiet"].as<bool>();
  return o;
}

Result<std::string> ReadFile(const std::string& path, const char* flag) {
  std::ifstream in(path);
  if (!in) return Error::Invalid(std::string("--") + flag + " " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The client of the server the backtest reads; an Error (kInvalid) when it cannot be made.
Result<std::shared_ptr<metrics::PrometheusClient>> Connect(const Options& o,
                                                           const std::string& url) {
  metrics::PrometheusOptions po{url, "", "", o.timeout};
  if (!o.bearer_token_file.empty()) {
    ASSIGN_OR_RETURN(po.bearer_token, ReadFile(o.bearer_token_file, "bearer-token-file"));
    while (!po.bearer_token.empty() && std::isspace(po.bearer_token.back()))
      po.bearer_token.pop_back();
  }
  if (!o.ca_file.empty()) {
    ASSIGN_OR_RETURN(po.ca_pem, ReadFile(o.ca_file, "ca-file"));
  }
  auto client = metrics::PrometheusClient::Create(po);
  if (!client) return Error::Invalid(client.error().message);
  return *client;
}

int Fail(std::ostream& err, const Error& e, int exit_code) {
  err << "gearbox-controller backtest: " << e.ToString() << "\n";
  return exit_code;
}

// The options, or the exit code when there is nothing to run (help, a bad flag).
std::variant<Options, int> ParseArgs(int argc, char** argv, std::ostream& out, std::ostream& err) {
  const po::options_description flags = Flags();
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, flags), vm);
    po::notify(vm);
  } catch (const po::error& e) {  // Boost.Program_options reports bad flags by throwing
    err << "gearbox-controller backtest: " << e.what() << "\n\n" << flags << "\n";
    return 2;
  }
  if (vm.count("help")) {
    out << flags << "\n";
    return 0;
  }
  auto options = OptionsFrom(vm);
  if (!options) {
    return Fail(err, options.error(), 2);
  }
  return *options;
}

void Report(const Backtest& b, const Options& o, std::ostream& out) {
  PrintHeader(out, b);
  PrintSteps(out, b, o.quiet);
  PrintSummary(out, b);
}

}  // namespace

std::optional<policy::Time> ParseTimeFlag(const std::string& text) {
  static const std::regex kUnix("[0-9]{1,12}(\\.[0-9]{1,3})?");
  if (std::regex_match(text, kUnix)) {
    const auto millis = std::llround(std::stod(text) * 1000);
    return policy::Time(std::chrono::milliseconds(millis));
  }
  return ParseRfc3339(text);
}

Result<Backtest> Prepare(const Options& o) {
  Backtest b;
  b.file = o.policy_file;
  ASSIGN_OR_RETURN(b.policy, LoadPolicyFile(o.policy_file));
  b.prometheus = o.prometheus_url;
  if (b.prometheus.empty() && b.policy.prometheus) b.prometheus = b.policy.prometheus->url;
  if (b.prometheus.empty())
    return Error::Invalid("--prometheus is required (the policy names no Prometheus)");
  ASSIGN_OR_RETURN(b.grid, StepGrid::Make(o.start, o.end, o.step.value_or(b.policy.spec.interval)));
  ASSIGN_OR_RETURN(b.plans, PlanMetrics(b.policy, o.queries));
  ASSIGN_OR_RETURN(b.start, StartingReplicas(b.policy.spec, o.replicas));
  return b;
}

Status Run(Backtest& b, RangeSource& source) {
  ASSIGN_OR_RETURN(auto histories, LoadHistories(b.plans, source, b.grid));
  b.steps = Replay(b.policy.spec, b.grid, histories, b.start);
  return OkStatus();
}

int BacktestMain(int argc, char** argv, std::ostream& out, std::ostream& err) {
  auto parsed = ParseArgs(argc, argv, out, err);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  const Options& o = std::get<Options>(parsed);
  auto b = Prepare(o);
  if (!b) return Fail(err, b.error(), 2);
  auto client = Connect(o, b->prometheus);
  if (!client) return Fail(err, client.error(), 2);
  PrometheusRangeSource source(*client);
  if (auto run = Run(*b, source); !run) return Fail(err, run.error(), 1);
  Report(*b, o, out);
  if (o.tsv.empty()) return 0;
  if (auto written = WriteTsv(o.tsv, *b); !written) return Fail(err, written.error(), 1);
  return 0;
}

}  // namespace gearbox::backtest
