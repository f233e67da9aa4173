// See flags.h.
#include "manager/flags.h"

#include <cpprest/version.h>
#include <hiredis/hiredis.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include <boost/program_options.hpp>
#include <boost/version.hpp>
#include <ostream>
#include <sstream>

#include "gearbox/version.h"

namespace gearbox::manager {

namespace {

namespace po = boost::program_options;

void PrintVersion(std::ostream& out) {
  out << "gearbox-controller " << kVersion << " (" << kRevision << ")\n"
      << "  cpprestsdk " << CPPREST_VERSION_MAJOR << "." << CPPREST_VERSION_MINOR << "."
      << CPPREST_VERSION_REVISION << "\n"
      << "  boost " << BOOST_VERSION / 100000 << "." << BOOST_VERSION / 100 % 1000 << "\n"
      << "  " << OpenSSL_version(OPENSSL_VERSION) << "\n"
      << "  hiredis " << HIREDIS_MAJOR << "." << HIREDIS_MINOR << "." << HIREDIS_PATCH << "\n";
}

// A flag bound to `field`, whose initial value is its default.
template <typename T>
po::typed_value<T>* Defaulted(T& field) {
  return po::value(&field)->default_value(field);
}

po::typed_value<bool>* Switch(bool& field) {
  return po::value(&field)->default_value(field)->implicit_value(true);
}

po::typed_value<std::vector<std::string>>* Repeatable(std::vector<std::string>& field) {
  return po::value(&field)->composing();
}

// Which cluster, which namespaces, and leader election.
void AddClusterFlags(po::options_description& d, ControllerFlags& f) {
  // clang-format off
  d.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("kubeconfig", Defaulted(f.kubeconfig),
       "path to a kubeconfig; default: in-cluster configuration, then $KUBECONFIG, then ~/.kube/config")
      ("context", Defaulted(f.context), "kubeconfig context (default: current)")
      ("namespace", Repeatable(f.namespaces),
       "watch ScalingPolicies in this namespace (repeatable; default: all namespaces)")
      ("leader-elect", Switch(f.leader_elect),
       "take part in leader election on a Lease, so that one replica of several acts")
      ("leader-election-namespace", Defaulted(f.leader_election_namespace),
       "namespace of the Lease (default: the in-cluster namespace, else default)")
      ("leader-election-id", Defaulted(f.leader_election_id), "name of the Lease");
  // clang-format on
}

// /metrics and the health probes.
void AddServingFlags(po::options_description& d, ControllerFlags& f) {
  // clang-format off
  d.add_options()
      ("metrics-bind-address", Defaulted(f.metrics_bind_address),
       "host:port for /metrics (\"0\" turns it off)")
      ("metrics-secure", Switch(f.metrics_secure),
       "serve /metrics over HTTPS to callers the API server authenticates (TokenReview) and "
       "authorizes for get on /metrics (SubjectAccessReview); false: plain HTTP to anyone")
      ("metrics-cert-dir", Defaulted(f.metrics_cert_dir),
       "a directory with tls.crt and tls.key for /metrics (default: a self-signed certificate)")
      ("health-probe-bind-address", Defaulted(f.health_probe_bind_address),
       "host:port for /healthz and /readyz (\"0\" turns it off)");
  // clang-format on
}

// How much work at once, the shards, and what policies may write.
void AddWorkFlags(po::options_description& d, ControllerFlags& f) {
  // clang-format off
  d.add_options()
      ("concurrency", Defaulted(f.concurrency), "policies reconciled at once")
      ("reconciles-per-namespace", Defaulted(f.reconciles_per_namespace),
       "at most this many policies of one namespace reconciled at once, so that a team whose "
       "sources are slow holds no more of the workers (0: half of --concurrency, at least 1)")
      ("reads-per-namespace", Defaulted(f.reads_per_namespace),
       "at most this many metric reads of one namespace at once, of the 8 readers (0: 2)")
      ("shard-count", Defaulted(f.shard.count),
       "split the policies into this many shards by namespace, one replica set (and Lease) each")
      ("shard-index", Defaulted(f.shard.index),
       "the shard this replica serves, 0 .. shard-count - 1")
      ("replicas-field", po::value<std::vector<std::string>>()->composing(),
       "a replicasField policies may write: KIND.GROUP=PATH (repeatable; default: the Opstree "
       "RedisCluster's and RedisReplication's spec.clusterSize)");
  // clang-format on
}

// Which sources policies may read, and the log.
void AddSourceAndLogFlags(po::options_description& d, ControllerFlags& f, std::string& log_format,
                          std::string& log_level) {
  // clang-format off
  d.add_options()
      ("source-allow", Repeatable(f.source_access.allow),
       "a source policies may read though it is loopback, link-local, the API server, or (with "
       "--source-allow-only-listed) any: [NAMESPACE/]NETWORK|HOST|*.DOMAIN[:PORT[-PORT]] (repeatable)")
      ("source-allow-only-listed", Switch(f.source_access.only_listed),
       "policies may read only the sources --source-allow lists")
      ("source-allow-plain-http-credentials", Switch(f.source_access.plain_http_credentials),
       "send a policy's bearer token over plain http:// (default: refused)")
      ("log-format", Defaulted(log_format), "json or text")
      ("log-level", Defaulted(log_level), "debug, info, warn or error");
  // clang-format on
}

// Every flag, bound to its field of `f` (whose initial values are the defaults), in the order
// --help prints them.
po::options_description Describe(ControllerFlags& f, std::string& log_format,
                                 std::string& log_level) {
  po::options_description d(
      "gearbox-controller: autoscales a whole application stack from ScalingPolicy resources\n\n"
      "Flags");
  AddClusterFlags(d, f);
  AddServingFlags(d, f);
  AddWorkFlags(d, f);
  AddSourceAndLogFlags(d, f, log_format, log_level);
  return d;
}

// What program_options cannot check by itself.
Status Check(const ControllerFlags& f) {
  if (f.concurrency < 1) return Error::Invalid("--concurrency must be at least 1");
  if (f.reconciles_per_namespace < 0 || f.reads_per_namespace < 0)
    return Error::Invalid(
        "--reconciles-per-namespace and --reads-per-namespace cannot be negative");
  if (f.shard.count < 1 || f.shard.index < 0 || f.shard.index >= f.shard.count)
    return Error::Invalid("--shard-index must be 0 .. --shard-count - 1");
  return OkStatus();
}

Status ReadLogging(const std::string& format, const std::string& level, ControllerFlags& f) {
  auto parsed_format = telemetry::ParseLogFormat(format);
  auto parsed_level = telemetry::ParseLogLevel(level);
  if (!parsed_format) return Error::Invalid("--log-format must be json or text");
  if (!parsed_level) return Error::Invalid("--log-level must be debug, info, warn or error");
  f.log_format = *parsed_format;
  f.log_level = *parsed_level;
  return OkStatus();
}

}  // namespace

Result<std::optional<ControllerFlags>> ParseControllerFlags(int argc, const char* const* argv,
                                                            std::ostream& out) {
  ControllerFlags f;
  std::string log_format = "json", log_level = "info";
  po::options_description flags = Describe(f, log_format, log_level);
  po::variables_map vm;
  auto with_help = [&](const std::string& message) {
    std::ostringstream help;
    help << message << "\n\n" << flags;
    return Error::Invalid(help.str());
  };
  try {
    po::store(po::parse_command_line(argc, argv, flags), vm);
    po::notify(vm);
  } catch (const po::error& e) {  // Boost.Program_options reports bad flags by throwing
    return with_help(e.what());
  }
  if (vm.count("help")) {
    out << flags << "\n";
    return std::optional<ControllerFlags>();
  }
  if (vm.count("version")) {
    PrintVersion(out);
    return std::optional<ControllerFlags>();
  }
  if (vm.count("replicas-field"))
    f.replicas_fields = vm["replicas-field"].as<std::vector<std::string>>();
  Status ok = ReadLogging(log_format, log_level, f);
  if (ok) ok = Check(f);
  if (!ok) return with_help(ok.error().message);
  return std::optional<ControllerFlags>(std::move(f));
}

}  // namespace gearbox::manager
