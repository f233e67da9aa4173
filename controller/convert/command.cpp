// See command.h.
#include "convert/command.h"

#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

#include "convert/cluster.h"
#include "convert/input.h"

namespace gearbox::convert {

namespace po = boost::program_options;

namespace {

constexpr int kConverted = 0;
constexpr int kClusterUnreachable = 1;
constexpr int kBadInput = 2;  // also: a document refused, though the others were converted
constexpr int kPartial = 3;   // a trigger or field dropped, and no --allow-partial

// The flags that take text, empty by default.
constexpr std::pair<const char*, const char*> kTextFlags[] = {
    {"from-cluster", "read hpa/NAME or scaledobject/NAME from the cluster instead of files"},
    {"namespace,n", "the namespace of --from-cluster (default: the kubeconfig context's)"},
    {"kubeconfig",
     "the kubeconfig of --from-cluster (default: in-cluster, then $KUBECONFIG, "
     "then ~/.kube/config, as the controller)"},
    {"context", "its context (default: the current one)"},
    {"name", "the policy's name (default: the old object's; one object only)"},
};

po::options_description Flags() {
  po::options_description flags(
      "gearbox-controller convert [FILE...]: prints the ScalingPolicy equivalent to each\n"
      "HorizontalPodAutoscaler or KEDA ScaledObject in FILEs (YAML, several documents each; none\n"
      "or - : stdin) or in the cluster, with a comment on every line not carried over exactly\n\n"
      "Flags");
  flags.add_options()("help,h", "print this help and exit");
  for (const auto& [flag, help] : kTextFlags)
    flags.add_options()(flag, po::value<std::string>()->default_value(""), help);
  flags.add_options()("mode", po::value<std::string>()->default_value("DryRun"),
                      "the policy's spec.mode: DryRun (next to the old autoscaler) or Enforce");
  flags.add_options()("allow-partial",
                      "exit 0 though a trigger or a field was not carried over (each is still "
                      "said on stderr; without this flag the exit status is 3)");
  flags.add_options()("file", po::value<std::vector<std::string>>()->composing(), "input files");
  return flags;
}

Result<std::string> ReadInput(const std::string& file, std::istream& in) {
  std::ostringstream text;
  if (file == "-") {
    text << in.rdbuf();
    return text.str();
  }
  std::ifstream stream(file);
  if (!stream) return Error::Invalid(file + ": cannot be read");
  text << stream.rdbuf();
  return text.str();
}

// Every file, each on its own: one that cannot be read is refused, and the others converted. The
// TriggerAuthentications of every file serve the ScaledObjects of all of them.
void ConvertFiles(const po::variables_map& vm, const WriteOptions& options, std::istream& in,
                  Converted& converted) {
  std::vector<std::string> files{"-"};
  if (vm.count("file")) files = vm["file"].as<std::vector<std::string>>();
  std::vector<std::pair<std::string, Result<std::string>>> texts;
  TriggerAuthentications auths;
  for (const auto& file : files) {
    texts.emplace_back(file == "-" ? "stdin" : file, ReadInput(file, in));
    if (texts.back().second) auths.Merge(TriggerAuthsIn(*texts.back().second));
  }
  for (const auto& [source, text] : texts) {
    if (!text) {
      converted.refused.push_back(text.error().message);
      continue;
    }
    ConvertText(*text, source, options, converted, auths);
  }
}

Status ConvertFromCluster(const po::variables_map& vm, const WriteOptions& options,
                          Converted& converted) {
  if (vm.count("file")) return Error::Invalid("give files or --from-cluster, not both");
  const ClusterSource source{vm["from-cluster"].as<std::string>(),
                             vm["namespace"].as<std::string>(), vm["kubeconfig"].as<std::string>(),
                             vm["context"].as<std::string>()};
  ASSIGN_OR_RETURN(const YAML::Node object, ReadFromCluster(source));
  ASSIGN_OR_RETURN(Document policy, ConvertObject(object, options));
  AddPolicy(std::move(policy), source.object, converted);
  return OkStatus();
}

// An Error only for what stops the whole run (flags, the cluster); a refused document is in
// `converted.refused`.
Status Run(const po::variables_map& vm, std::istream& in, Converted& converted) {
  const WriteOptions options{vm["mode"].as<std::string>(), vm["name"].as<std::string>()};
  if (options.mode != "DryRun" && options.mode != "Enforce")
    return Error::Invalid("--mode must be DryRun or Enforce, not " + options.mode);
  if (vm["from-cluster"].as<std::string>().empty())
    ConvertFiles(vm, options, in, converted);
  else
    RETURN_IF_ERROR(ConvertFromCluster(vm, options, converted));
  if (converted.policies.empty() && converted.refused.empty())
    return Error::Invalid("no HorizontalPodAutoscaler or ScaledObject in the input");
  if (!options.name.empty() && converted.policies.size() > 1)
    return Error::Invalid("--name names one policy, but the input holds " +
                          std::to_string(converted.policies.size()) + " autoscalers");
  return OkStatus();
}

// What the policies printed leave out, worst first: a refused document, then a dropped part.
int ExitStatus(const Converted& converted, bool allow_partial) {
  if (!converted.refused.empty()) return kBadInput;
  if (!converted.dropped.empty() && !allow_partial) return kPartial;
  return kConverted;
}

void Report(const Converted& converted, std::ostream& err) {
  for (const auto* lines : {&converted.skipped, &converted.refused, &converted.dropped})
    for (const auto& line : *lines) err << "gearbox-controller convert: " << line << "\n";
}

Result<po::variables_map> ParseFlags(int argc, char** argv) {
  po::positional_options_description positional;
  positional.add("file", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(Flags()).positional(positional).run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Error::Invalid(e.what());
  }
  return vm;
}

}  // namespace

int ConvertMain(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err) {
  auto vm = ParseFlags(argc, argv);
  if (!vm) {
    err << "gearbox-controller convert: " << vm.error().message << " (see --help)\n";
    return kBadInput;
  }
  if (vm->count("help")) {
    out << Flags() << "\n";
    return kConverted;
  }
  Converted converted;
  Status status = OkStatus();
  try {
    status = Run(*vm, in, converted);
  } catch (const YAML::Exception& e) {  // a node of an unexpected shape outside any object
    status = Error::Invalid(std::string("the input is not what was expected: ") + e.what());
  }
  Report(converted, err);
  if (!status) {
    err << "gearbox-controller convert: " << status.error().ToString() << "\n";
    return status.error().kind == Error::Kind::kInvalid ? kBadInput : kClusterUnreachable;
  }
  for (std::size_t i = 0; i < converted.policies.size(); ++i)
    out << (i == 0 ? "" : "---\n") << Emit(converted.policies[i]);
  return ExitStatus(converted, vm->count("allow-partial") > 0);
}

}  // namespace gearbox::convert
