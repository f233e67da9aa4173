// gearbox-controller: flags -> build objects -> run. Nothing else lives here.
#include <cpprest/base_uri.h>
#include <cpprest/version.h>
#include <hiredis/hiredis.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <prometheus/registry.h>

#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <boost/version.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "backtest/command.h"
#include "convert/command.h"
#include "gearbox/version.h"
#include "kube/config.h"
#include "kube/delegated_auth.h"
#include "kube/fenced_client.h"
#include "kube/leader_election.h"
#include "reconcile/controller.h"
#include "server/http_server.h"
#include "server/self_signed.h"
#include "telemetry/api_request_metrics.h"
#include "telemetry/exposition.h"
#include "telemetry/leader_metrics.h"
#include "telemetry/log.h"
#include "telemetry/process_metrics.h"

namespace po = boost::program_options;

namespace {

void PrintVersion(std::ostream& out) {
  out << "gearbox-controller " << gearbox::kVersion << " (" << gearbox::kRevision << ")\n"
      << "  cpprestsdk " << CPPREST_VERSION_MAJOR << "." << CPPREST_VERSION_MINOR << "."
      << CPPREST_VERSION_REVISION << "\n"
      << "  boost " << BOOST_VERSION / 100000 << "." << BOOST_VERSION / 100 % 1000 << "\n"
      << "  " << OpenSSL_version(OPENSSL_VERSION) << "\n"
      << "  hiredis " << HIREDIS_MAJOR << "." << HIREDIS_MINOR << "." << HIREDIS_PATCH << "\n";
}

volatile std::sig_atomic_t g_signal = 0;
void OnSignal(int sig) { g_signal = sig; }

std::string Hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// The flags, parsed and checked; nullopt after printing help, the version or an error (`exit`).
std::optional<po::variables_map> ParseFlags(int argc, char** argv, int* exit_code) {
  po::options_description flags(
      "gearbox-controller: autoscales a whole application stack from "
      "ScalingPolicy resources\n\nFlags");
  // clang-format off
  flags.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("kubeconfig", po::value<std::string>()->default_value(""),
       "path to a kubeconfig; default: in-cluster configuration, then $KUBECONFIG, then ~/.kube/config")
      ("context", po::value<std::string>()->default_value(""), "kubeconfig context (default: current)")
      ("namespace", po::value<std::vector<std::string>>()->composing(),
       "watch ScalingPolicies in this namespace (repeatable; default: all namespaces)")
      ("leader-elect", po::value<bool>()->default_value(false)->implicit_value(true),
       "take part in leader election on a Lease, so that one replica of several acts")
      ("leader-election-namespace", po::value<std::string>()->default_value(""),
       "namespace of the Lease (default: the in-cluster namespace, else default)")
      ("leader-election-id", po::value<std::string>()->default_value("gearbox-controller"), "name of the Lease")
      ("metrics-bind-address", po::value<std::string>()->default_value(":8443"),
       "host:port for /metrics (\"0\" turns it off)")
      ("metrics-secure", po::value<bool>()->default_value(true)->implicit_value(true),
       "serve /metrics over HTTPS to callers the API server authenticates (TokenReview) and "
       "authorizes for get on /metrics (SubjectAccessReview); false: plain HTTP to anyone")
      ("metrics-cert-dir", po::value<std::string>()->default_value(""),
       "a directory with tls.crt and tls.key for /metrics (default: a self-signed certificate)")
      ("health-probe-bind-address", po::value<std::string>()->default_value(":8081"),
       "host:port for /healthz and /readyz (\"0\" turns it off)")
      ("concurrency", po::value<int>()->default_value(2), "policies reconciled at once")
      ("shard-count", po::value<int>()->default_value(1),
       "split the policies into this many shards by namespace, one replica set (and Lease) each")
      ("shard-index", po::value<int>()->default_value(0),
       "the shard this replica serves, 0 .. shard-count - 1")
      ("replicas-field", po::value<std::vector<std::string>>()->composing(),
       "a replicasField policies may write: KIND.GROUP=PATH (repeatable; default: the Opstree "
       "RedisCluster's and RedisReplication's spec.clusterSize)")
      ("source-allow", po::value<std::vector<std::string>>()->composing(),
       "a source policies may read though it is loopback, link-local, the API server, or (with "
       "--source-allow-only-listed) any: [NAMESPACE/]NETWORK|HOST|*.DOMAIN[:PORT[-PORT]] (repeatable)")
      ("source-allow-only-listed", po::value<bool>()->default_value(false)->implicit_value(true),
       "policies may read only the sources --source-allow lists")
      ("source-allow-plain-http-credentials",
       po::value<bool>()->default_value(false)->implicit_value(true),
       "send a policy's bearer token over plain http:// (default: refused)")
      ("log-format", po::value<std::string>()->default_value("json"), "json or text")
      ("log-level", po::value<std::string>()->default_value("info"), "debug, info, warn or error");
  // clang-format on
  po::variables_map vm;
  *exit_code = 0;
  try {
    po::store(po::parse_command_line(argc, argv, flags), vm);
    po::notify(vm);
  } catch (const po::error& e) {  // Boost.Program_options reports bad flags by throwing
    std::cerr << "gearbox-controller: " << e.what() << "\n\n" << flags << "\n";
    *exit_code = 2;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << flags << "\n";
    return std::nullopt;
  }
  if (vm.count("version")) {
    PrintVersion(std::cout);
    return std::nullopt;
  }
  return vm;
}

// The API client, once the API server has answered; an error says which step failed.
gearbox::Result<std::shared_ptr<gearbox::kube::HttpClient>> Connect(
    const po::variables_map& vm, gearbox::kube::Config* config, gearbox::telemetry::Logger& log) {
  gearbox::kube::KubeconfigOptions ko;
  ko.context = vm["context"].as<std::string>();
  auto loaded = gearbox::kube::LoadDefault(vm["kubeconfig"].as<std::string>(), ko);
  if (!loaded) return loaded.error();
  *config = *loaded;
  ASSIGN_OR_RETURN(auto client, gearbox::kube::HttpClient::Create(*config));
  ASSIGN_OR_RETURN(auto version, client->GetPath("/version"));
  log.Info("connected", {{"server", config->server},
                         {"config", config->source},
                         {"kubernetes", version.at("gitVersion").as_string()},
                         {"gearbox", gearbox::kVersion}});
  return client;
}

using ServerPtr = std::unique_ptr<gearbox::server::HttpServer>;

// When main's loop last went round (steady clock, ns): /healthz fails when it stops going round.
std::atomic<int64_t> g_main_loop_beat{0};
constexpr auto kMainLoopStalledAfter = std::chrono::seconds(30);

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Why the process should be restarted, or "": a stuck worker, or main's loop not going round.
std::string NotLiveReason(const gearbox::reconcile::Controller& controller) {
  const auto now = std::chrono::steady_clock::now();
  const auto since_beat = std::chrono::nanoseconds(SteadyNowNs() - g_main_loop_beat.load());
  if (g_main_loop_beat.load() != 0 && since_beat > kMainLoopStalledAfter)
    return "the leader loop has not run for " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(since_beat).count()) +
           "s";
  return controller.NotLiveReason(now);
}

// How /metrics is served: with --metrics-secure, over HTTPS (the certificate of --metrics-cert-dir,
// else a self-signed one) to callers the API server authenticates and authorizes.
gearbox::Result<gearbox::server::ServerOptions> MetricsServing(
    const po::variables_map& vm, std::shared_ptr<gearbox::kube::Client> client) {
  gearbox::server::ServerOptions options;
  if (!vm["metrics-secure"].as<bool>()) return options;
  const std::string dir = vm["metrics-cert-dir"].as<std::string>();
  ASSIGN_OR_RETURN(options.tls, dir.empty()
                                    ? gearbox::server::SelfSignedIdentity("gearbox-controller")
                                    : gearbox::server::IdentityFromDir(dir));
  auto auth = std::make_shared<gearbox::kube::DelegatedAuth>(std::move(client),
                                                             gearbox::kube::RealClock::Instance());
  options.authorize = [auth](
                          const std::string& token,
                          const std::string& path) -> std::optional<gearbox::server::HttpResponse> {
    using Decision = gearbox::kube::DelegatedAuth::Decision;
    auto decision = auth->Check(token, path);
    if (!decision) return gearbox::server::HttpResponse{500, "text/plain", "cannot check access\n"};
    if (*decision == Decision::kUnauthenticated)
      return gearbox::server::HttpResponse{401, "text/plain", "unauthorized\n"};
    if (*decision == Decision::kForbidden)
      return gearbox::server::HttpResponse{403, "text/plain", "forbidden\n"};
    return std::nullopt;
  };
  return options;
}

// /metrics and the probes; null servers for addresses turned off ("0").
gearbox::Result<std::pair<ServerPtr, ServerPtr>> StartServers(
    const po::variables_map& vm, gearbox::telemetry::Exposition& exposition,
    gearbox::reconcile::Controller& controller, std::shared_ptr<gearbox::kube::Client> client,
    gearbox::telemetry::Logger& log) {
  ASSIGN_OR_RETURN(auto serving, MetricsServing(vm, std::move(client)));
  ASSIGN_OR_RETURN(ServerPtr metrics,
                   gearbox::server::HttpServer::Start(vm["metrics-bind-address"].as<std::string>(),
                                                      gearbox::server::MetricsRoutes([&exposition] {
                                                        return exposition.Render();
                                                      }),
                                                      std::move(serving)));
  ASSIGN_OR_RETURN(ServerPtr probes, gearbox::server::HttpServer::Start(
                                         vm["health-probe-bind-address"].as<std::string>(),
                                         gearbox::server::ProbeRoutes(
                                             [&controller] { return controller.NotReadyReason(); },
                                             [&controller] { return NotLiveReason(controller); })));
  if (metrics)
    log.Info("serving /metrics", {{"port", std::to_string(metrics->port())},
                                  {"secure", vm["metrics-secure"].as<bool>() ? "true" : "false"}});
  if (probes) log.Info("serving /healthz and /readyz", {{"port", std::to_string(probes->port())}});
  return std::make_pair(std::move(metrics), std::move(probes));
}

gearbox::reconcile::Shard ShardOf(const po::variables_map& vm) {
  return {vm["shard-index"].as<int>(), vm["shard-count"].as<int>()};
}

// The Lease candidate when --leader-elect is on (not started), else null. It reports through
// `started` and `lost`, which main's loop acts on, and `leader` (the gauge, given with the flag);
// its own client answers within half the renew deadline, so that one stuck call cannot use up the
// time left to renew.
gearbox::Result<std::unique_ptr<gearbox::kube::LeaderElector>> MakeElector(
    const po::variables_map& vm, const gearbox::kube::Config& config, const std::string& identity,
    std::atomic<bool>& started, std::atomic<bool>& lost, gearbox::telemetry::Logger& log,
    gearbox::telemetry::LeaderMetrics* leader) {
  if (!vm["leader-elect"].as<bool>()) return std::unique_ptr<gearbox::kube::LeaderElector>();
  gearbox::kube::LeaderElectionConfig lc;
  lc.lease_namespace = vm["leader-election-namespace"].as<std::string>();
  if (lc.lease_namespace.empty()) lc.lease_namespace = config.default_namespace;
  lc.lease_name = vm["leader-election-id"].as<std::string>() + ShardOf(vm).LeaseSuffix();
  lc.identity = identity;
  lc.on_started_leading = [&log, &started, leader,
                           lease = lc.lease_namespace + "/" + lc.lease_name] {
    log.Info("leading", {{"lease", lease}});
    leader->SetLeading(true);
    started = true;
  };
  lc.on_stopped_leading = [&lost, leader] {
    leader->SetLeading(false);
    lost = true;
  };
  lc.log = [&log](const std::string& m) { log.Warn("leader election: " + m); };
  gearbox::kube::Config lease_config = config;
  lease_config.timeout = lc.renew_deadline / 2;
  ASSIGN_OR_RETURN(auto lease_client, gearbox::kube::HttpClient::Create(lease_config));
  return std::make_unique<gearbox::kube::LeaderElector>(std::move(lease_client), lc);
}

// Runs until a signal or until leadership is lost: starts the workers once this replica leads
// (at once without an elector), and treats a lease it can no longer prove valid as lost.
bool RunUntilStopped(gearbox::kube::LeaderElector* elector,
                     gearbox::reconcile::Controller& controller, const std::atomic<bool>& started,
                     std::atomic<bool>& lost) {
  bool working = false;
  while (!g_signal && !lost) {
    g_main_loop_beat = SteadyNowNs();
    if (!working && (!elector || started)) {
      controller.StartWorkers();
      working = true;
    }
    if (working && elector && !elector->IsLeader()) lost = true;  // the renew is overdue
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return !lost;
}

std::unique_ptr<gearbox::telemetry::Logger> MakeLogger(const po::variables_map& vm) {
  auto format = gearbox::telemetry::ParseLogFormat(vm["log-format"].as<std::string>());
  auto level = gearbox::telemetry::ParseLogLevel(vm["log-level"].as<std::string>());
  if (!format || !level) {
    std::cerr << "gearbox-controller: --log-format must be json or text, --log-level one of "
                 "debug, info, warn, error\n";
    return nullptr;
  }
  if (vm["concurrency"].as<int>() < 1) {
    std::cerr << "gearbox-controller: --concurrency must be at least 1\n";
    return nullptr;
  }
  const int shards = vm["shard-count"].as<int>(), shard = vm["shard-index"].as<int>();
  if (shards < 1 || shard < 0 || shard >= shards) {
    std::cerr << "gearbox-controller: --shard-index must be 0 .. --shard-count - 1\n";
    return nullptr;
  }
  return std::make_unique<gearbox::telemetry::Logger>(*format, *level);
}

// The cluster admin's source access rules; the API server's own host is refused with them.
gearbox::Result<gearbox::reconcile::SourceAccess> SourceAccessFrom(
    const po::variables_map& vm, const gearbox::kube::Config& config) {
  gearbox::reconcile::SourceAccessOptions o;
  if (vm.count("source-allow")) o.allow = vm["source-allow"].as<std::vector<std::string>>();
  o.only_listed = vm["source-allow-only-listed"].as<bool>();
  o.plain_http_credentials = vm["source-allow-plain-http-credentials"].as<bool>();
  o.api_server_hosts.push_back(web::uri(config.server).host());
  if (const char* in_cluster = std::getenv("KUBERNETES_SERVICE_HOST"))
    o.api_server_hosts.emplace_back(in_cluster);
  return gearbox::reconcile::SourceAccess::Make(o);
}

gearbox::Result<gearbox::reconcile::ControllerOptions> ControllerOptionsFrom(
    const po::variables_map& vm, const gearbox::kube::Config& config, const std::string& identity) {
  gearbox::reconcile::ControllerOptions co;
  ASSIGN_OR_RETURN(co.source_access, SourceAccessFrom(vm, config));
  if (vm.count("replicas-field")) {
    ASSIGN_OR_RETURN(co.replicas_fields, gearbox::reconcile::ReplicasFieldRules::Parse(
                                             vm["replicas-field"].as<std::vector<std::string>>()));
  }
  if (vm.count("namespace")) co.namespaces = vm["namespace"].as<std::vector<std::string>>();
  co.concurrency = vm["concurrency"].as<int>();
  co.instance = identity;
  co.shard = ShardOf(vm);
  return co;
}

// No renewal from here on; the workers finish their passes (their writes still fenced); only then
// is the Lease released, so that the next leader never overlaps with our writes.
void ShutDown(gearbox::kube::LeaderElector* elector, gearbox::reconcile::Controller& controller,
              std::pair<ServerPtr, ServerPtr>& servers) {
  if (elector) elector->StopCampaigning();
  controller.Stop();
  if (elector) elector->Release();
  if (servers.first) servers.first->Stop();
  if (servers.second) servers.second->Stop();
}

// The registry /metrics serves, and the families of the process itself: build info, /proc/self
// (read at each scrape) and, with --leader-elect, the leader gauge (0 until it leads).
struct ProcessTelemetry {
  explicit ProcessTelemetry(const po::variables_map& vm) {
    gearbox::telemetry::RegisterBuildInfo(registry, gearbox::kVersion, gearbox::kRevision);
    exposition.BeforeRender([this] { process.Refresh(); });
    if (vm["leader-elect"].as<bool>())
      leader_gauge.emplace(registry,
                           vm["leader-election-id"].as<std::string>() + ShardOf(vm).LeaseSuffix());
  }
  gearbox::telemetry::LeaderMetrics* leader() { return leader_gauge ? &*leader_gauge : nullptr; }

  prometheus::Registry registry;
  gearbox::telemetry::Exposition exposition{registry};
  gearbox::telemetry::ProcessMetrics process{registry};
  gearbox::telemetry::ApiRequestMetrics api_requests{registry};
  std::optional<gearbox::telemetry::LeaderMetrics> leader_gauge;
};

// The controller, its servers and its Lease, until a signal (0) or the Lease is lost (1).
int Serve(const po::variables_map& vm, const gearbox::kube::Config& config,
          std::shared_ptr<gearbox::kube::HttpClient> client, gearbox::telemetry::Logger& log) {
  ProcessTelemetry telemetry(vm);
  client->SetRequestMetrics(&telemetry.api_requests);
  std::mt19937 rng{std::random_device{}()};
  const std::string identity = Hostname() + "_" + std::to_string(rng() % 100000);
  std::atomic<bool> started{false}, lost{false};
  auto elector = MakeElector(vm, config, identity, started, lost, log, telemetry.leader());
  if (!elector) {
    log.Error("cannot set up leader election", {{"error", elector.error().ToString()}});
    return 1;
  }
  // Every write the controller makes (targets, status, Events) is fenced on the Lease.
  auto fenced = std::make_shared<gearbox::kube::FencedClient>(
      client, [e = elector->get()] { return e == nullptr || e->IsLeader(); });
  auto options = ControllerOptionsFrom(vm, config, identity);
  if (!options) {
    log.Error("bad flags", {{"error", options.error().ToString()}});
    return 2;
  }
  gearbox::reconcile::Controller controller(fenced, *std::move(options), telemetry.registry, log);
  telemetry.exposition.BeforeRender([&controller] { controller.RefreshMetrics(); });
  auto servers = StartServers(vm, telemetry.exposition, controller, client, log);
  if (!servers) {
    log.Error("cannot serve /metrics or the probes", {{"error", servers.error().ToString()}});
    return 1;
  }
  controller.StartInformers();
  if (*elector) {
    (*elector)->Start();
    log.Info("waiting to lead", {{"identity", identity}});
  }
  if (RunUntilStopped(elector->get(), controller, started, lost)) {
    log.Info("shutting down", {{"signal", std::to_string(g_signal)}});
  } else {
    // As controller-runtime does: a replica that lost the Lease exits, and starts over clean.
    log.Error("lost the leader Lease; exiting so that only the leader acts");
  }
  ShutDown(elector->get(), controller, *servers);
  client->SetRequestMetrics(nullptr);  // the counters go with `telemetry`
  return lost ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Two malloc arenas, not one per thread that ever allocated (8 per core): the informers' and
  // the readers' threads each left their own arena of freed JSON behind, 16 MiB of RSS at 1,000
  // policies (measured: 77 -> 61 MiB) for no gain on an I/O-bound controller.
  mallopt(M_ARENA_MAX, 2);
  if (argc > 1 && std::string(argv[1]) == "backtest")  // a one-off command, not the controller
    return gearbox::backtest::BacktestMain(argc - 1, argv + 1, std::cout, std::cerr);
  if (argc > 1 && std::string(argv[1]) == "convert")  // HPA / ScaledObject -> ScalingPolicy
    return gearbox::convert::ConvertMain(argc - 1, argv + 1, std::cin, std::cout, std::cerr);
  int exit_code = 0;
  auto vm = ParseFlags(argc, argv, &exit_code);
  if (!vm) return exit_code;
  auto logger = MakeLogger(*vm);
  if (!logger) return 2;
  gearbox::kube::Config config;
  auto client = Connect(*vm, &config, *logger);
  if (!client) {
    logger->Error("cannot reach the API server", {{"error", client.error().ToString()}});
    return 1;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  return Serve(*vm, config, *client, *logger);
}
