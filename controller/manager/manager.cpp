// See manager.h.
#include "manager/manager.h"

#include <prometheus/registry.h>

#include <unistd.h>

#include <cpprest/base_uri.h>
#include <cstdlib>
#include <optional>
#include <random>
#include <thread>

#include "gearbox/version.h"
#include "kube/delegated_auth.h"
#include "kube/fenced_client.h"
#include "reconcile/controller.h"
#include "server/http_server.h"
#include "server/self_signed.h"
#include "telemetry/api_request_metrics.h"
#include "telemetry/exposition.h"
#include "telemetry/leader_metrics.h"
#include "telemetry/process_metrics.h"

namespace gearbox::manager {

namespace {

using ServerPtr = std::unique_ptr<server::HttpServer>;

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// This replica's name on the Lease and in Events: the host (the Pod) and a random suffix.
std::string Identity() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::mt19937 rng{std::random_device{}()};
  return std::string(host) + "_" + std::to_string(rng() % 100000);
}

// What the controller is told: its namespaces, shard and workers, and the cluster admin's rules
// (the API server's own address refused as a source).
Result<reconcile::ControllerOptions> ControllerOptionsFrom(const ControllerFlags& f,
                                                           const kube::Config& config,
                                                           const std::string& identity) {
  reconcile::ControllerOptions co;
  reconcile::SourceAccessOptions access = f.source_access;
  access.api_server_hosts.push_back(web::uri(config.server).host());
  if (const char* in_cluster = std::getenv("KUBERNETES_SERVICE_HOST"))
    access.api_server_hosts.emplace_back(in_cluster);
  ASSIGN_OR_RETURN(co.source_access, reconcile::SourceAccess::Make(access));
  if (f.replicas_fields) {
    ASSIGN_OR_RETURN(co.replicas_fields, reconcile::ReplicasFieldRules::Parse(*f.replicas_fields));
  }
  co.namespaces = f.namespaces;
  co.concurrency = f.concurrency;
  co.reconciles_per_namespace = static_cast<size_t>(f.reconciles_per_namespace);
  co.reads_per_namespace = static_cast<size_t>(f.reads_per_namespace);
  co.instance = identity;
  co.shard = f.shard;
  return co;
}

// How /metrics is served: with --metrics-secure, over HTTPS (the certificate of --metrics-cert-dir,
// else a self-signed one) to callers the API server authenticates and authorizes.
Result<server::ServerOptions> MetricsServing(const ControllerFlags& f,
                                             std::shared_ptr<kube::Client> client) {
  server::ServerOptions options;
  if (!f.metrics_secure) return options;
  ASSIGN_OR_RETURN(options.tls, f.metrics_cert_dir.empty()
                                    ? server::SelfSignedIdentity("gearbox-controller")
                                    : server::IdentityFromDir(f.metrics_cert_dir));
  auto auth = std::make_shared<kube::DelegatedAuth>(std::move(client), kube::RealClock::Instance());
  options.authorize = [auth](const std::string& token,
                             const std::string& path) -> std::optional<server::HttpResponse> {
    using Decision = kube::DelegatedAuth::Decision;
    auto decision = auth->Check(token, path);
    if (!decision) return server::HttpResponse{500, "text/plain", "cannot check access\n"};
    if (*decision == Decision::kUnauthenticated)
      return server::HttpResponse{401, "text/plain", "unauthorized\n"};
    if (*decision == Decision::kForbidden)
      return server::HttpResponse{403, "text/plain", "forbidden\n"};
    return std::nullopt;
  };
  return options;
}

}  // namespace

// The registry /metrics serves, and the families of the process itself: build info, /proc/self
// (read at each scrape) and, with --leader-elect, the leader gauge (0 until it leads).
struct ProcessTelemetry {
  explicit ProcessTelemetry(const ControllerFlags& f) {
    telemetry::RegisterBuildInfo(registry, kVersion, kRevision);
    exposition.BeforeRender([this] { process.Refresh(); });
    if (f.leader_elect)
      leader_gauge.emplace(registry, f.leader_election_id + f.shard.LeaseSuffix());
  }
  telemetry::LeaderMetrics* leader() { return leader_gauge ? &*leader_gauge : nullptr; }

  prometheus::Registry registry;
  telemetry::Exposition exposition{registry};
  telemetry::ProcessMetrics process{registry};
  telemetry::ApiRequestMetrics api_requests{registry};
  std::optional<telemetry::LeaderMetrics> leader_gauge;
};

// Everything that runs, in the order it is made (and the reverse of the order it goes).
struct Manager::Running {
  Running(const ControllerFlags& f, const std::string& name)
      : telemetry(f), identity(name.empty() ? Identity() : name) {}
  ProcessTelemetry telemetry;
  std::string identity;
  std::atomic<bool> started{false}, lost{false};
  std::unique_ptr<kube::LeaderElector> elector;  // null without --leader-elect
  std::unique_ptr<reconcile::Controller> controller;
  ServerPtr metrics, probes;
};

Manager::Manager(ControllerFlags flags, ManagerDeps deps)
    : flags_(std::move(flags)), deps_(std::move(deps)) {}

Result<std::shared_ptr<kube::HttpClient>> Manager::Connect(const ControllerFlags& flags,
                                                           kube::Config& config,
                                                           telemetry::Logger& log) {
  ASSIGN_OR_RETURN(config, kube::LoadDefault(flags.kubeconfig, {flags.context}));
  ASSIGN_OR_RETURN(auto client, kube::HttpClient::Create(config));
  ASSIGN_OR_RETURN(auto version, client->GetPath("/version"));
  log.Info("connected", {{"server", config.server},
                         {"config", config.source},
                         {"kubernetes", version.at("gitVersion").as_string()},
                         {"gearbox", kVersion}});
  return client;
}

Result<std::shared_ptr<kube::Client>> Manager::LeaseClient(const kube::Config& config) {
  kube::Config lease_config = config;
  lease_config.timeout = kube::LeaderElectionConfig{}.renew_deadline / 2;
  ASSIGN_OR_RETURN(auto client, kube::HttpClient::Create(lease_config));
  return std::shared_ptr<kube::Client>(std::move(client));
}

std::string Manager::NotLiveReason(const Running& r) const {
  const auto since = std::chrono::nanoseconds(SteadyNs() - last_tick_ns_.load());
  if (last_tick_ns_.load() != 0 && since > deps_.loop_stalled_after)
    return "the leader loop has not run for " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(since).count()) + "s";
  return r.controller->NotLiveReason(std::chrono::steady_clock::now());
}

Result<std::unique_ptr<Manager::Running>> Manager::Start() {
  auto r = std::make_unique<Running>(flags_, deps_.identity);
  if (deps_.http) deps_.http->SetRequestMetrics(&r->telemetry.api_requests);
  if (flags_.leader_elect) {
    kube::LeaderElectionConfig lc = deps_.lease_timing;
    lc.lease_namespace = flags_.leader_election_namespace.empty()
                             ? deps_.config.default_namespace
                             : flags_.leader_election_namespace;
    lc.lease_name = flags_.leader_election_id + flags_.shard.LeaseSuffix();
    lc.identity = r->identity;
    lc.on_started_leading = [this, run = r.get(),
                             lease = lc.lease_namespace + "/" + lc.lease_name] {
      deps_.log.Info("leading", {{"lease", lease}});
      run->telemetry.leader()->SetLeading(true);
      run->started = true;
    };
    lc.on_stopped_leading = [run = r.get()] {
      run->telemetry.leader()->SetLeading(false);
      run->lost = true;
    };
    lc.log = [this](const std::string& m) { deps_.log.Warn("leader election: " + m); };
    r->elector = std::make_unique<kube::LeaderElector>(deps_.lease_client, lc);
  }
  // Every write the controller makes (targets, status, Events) is fenced on the Lease.
  auto fenced = std::make_shared<kube::FencedClient>(
      deps_.client, [e = r->elector.get()] { return e == nullptr || e->IsLeader(); });
  ASSIGN_OR_RETURN(auto options, ControllerOptionsFrom(flags_, deps_.config, r->identity));
  r->controller = std::make_unique<reconcile::Controller>(fenced, std::move(options),
                                                          r->telemetry.registry, deps_.log);
  r->telemetry.exposition.BeforeRender([c = r->controller.get()] { c->RefreshMetrics(); });
  ASSIGN_OR_RETURN(auto serving, MetricsServing(flags_, deps_.client));
  ASSIGN_OR_RETURN(
      r->metrics,
      server::HttpServer::Start(flags_.metrics_bind_address, server::MetricsRoutes([run = r.get()] {
                                  return run->telemetry.exposition.Render();
                                }),
                                std::move(serving)));
  ASSIGN_OR_RETURN(r->probes, server::HttpServer::Start(
                                  flags_.health_probe_bind_address,
                                  server::ProbeRoutes(
                                      [run = r.get()] { return run->controller->NotReadyReason(); },
                                      [this, run = r.get()] { return NotLiveReason(*run); })));
  return r;
}

// Until `stop` or the Lease is lost: starts the workers once this replica leads (at once without
// an elector), and treats a Lease it can no longer prove valid as lost. True: stopped on request.
bool Manager::Serve(Running& r, const std::atomic<bool>& stop) {
  r.controller->StartInformers();
  if (r.elector) {
    r.elector->Start();
    deps_.log.Info("waiting to lead", {{"identity", r.identity}});
  }
  bool working = false;
  while (!stop && !r.lost) {
    last_tick_ns_ = SteadyNs();
    if (!working && (!r.elector || r.started)) {
      r.controller->StartWorkers();
      working = true;
    }
    if (working && r.elector && !r.elector->IsLeader()) r.lost = true;  // the renew is overdue
    std::this_thread::sleep_for(deps_.tick);
  }
  return !r.lost;
}

int Manager::Run(const std::atomic<bool>& stop) {
  auto running = Start();
  if (!running) {
    deps_.log.Error("cannot start", {{"error", running.error().ToString()}});
    if (deps_.http) deps_.http->SetRequestMetrics(nullptr);
    return 1;
  }
  Running& r = **running;
  if (r.metrics)
    deps_.log.Info("serving /metrics", {{"port", std::to_string(r.metrics->port())},
                                        {"secure", flags_.metrics_secure ? "true" : "false"}});
  if (r.probes)
    deps_.log.Info("serving /healthz and /readyz", {{"port", std::to_string(r.probes->port())}});
  if (Serve(r, stop)) {
    deps_.log.Info("shutting down");
  } else {
    // As controller-runtime does: a replica that lost the Lease exits, and starts over clean.
    deps_.log.Error("lost the leader Lease; exiting so that only the leader acts");
  }
  // No renewal from here on; the workers finish their passes (their writes still fenced); only
  // then is the Lease released, so that the next leader never overlaps with our writes.
  if (r.elector) r.elector->StopCampaigning();
  r.controller->Stop();
  if (r.elector) r.elector->Release();
  if (r.metrics) r.metrics->Stop();
  if (r.probes) r.probes->Stop();
  if (deps_.http) deps_.http->SetRequestMetrics(nullptr);  // the counters go with `r`
  return r.lost ? 1 : 0;
}

}  // namespace gearbox::manager
