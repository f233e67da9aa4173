// The controller process once its flags are read, as controller-runtime's Manager runs one: the
// process telemetry (/metrics), the probes, leader election on a Lease (every write fenced on
// it), the controller's informers (at once) and workers (once leading), and an orderly stop: on
// a stop request the workers finish their passes, then the Lease is released; on a Lease lost the
// process exits (1) so that only the leader acts, and starts over clean.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/leader_election.h"
#include "manager/flags.h"
#include "telemetry/log.h"

namespace gearbox::manager {

struct ManagerDeps {
  kube::Config config;                         // the API server, the default namespace
  std::shared_ptr<kube::Client> client;        // the controller's reads and (fenced) writes
  std::shared_ptr<kube::Client> lease_client;  // the Lease's (a shorter timeout); with leader_elect
  kube::HttpClient* http = nullptr;            // its requests counted on /metrics when given
  telemetry::Logger& log;
  std::string identity;  // on the Lease and in Events; "": the host name and a random suffix
  // The Lease's durations (the rest of it comes from the flags); tests shorten them.
  kube::LeaderElectionConfig lease_timing = {};
  std::chrono::milliseconds tick{100};  // how often the main loop looks at the Lease and `stop`
  std::chrono::seconds loop_stalled_after{30};  // /healthz fails when the loop has not gone round
};

class Manager {
 public:
  Manager(ControllerFlags flags, ManagerDeps deps);

  // Serves until `stop` turns true (0, after draining) or the Lease is lost (1); 1 too when it
  // cannot start (a flag the controller refuses, a port taken), after logging why.
  int Run(const std::atomic<bool>& stop);

  // The API client, once the API server has answered (its version logged); `config` is what was
  // loaded. An error says which step failed.
  static Result<std::shared_ptr<kube::HttpClient>> Connect(const ControllerFlags& flags,
                                                           kube::Config& config,
                                                           telemetry::Logger& log);
  // A client for the Lease: answers within half the renew deadline, so that one stuck call cannot
  // use up the time left to renew.
  static Result<std::shared_ptr<kube::Client>> LeaseClient(const kube::Config& config);

 private:
  struct Running;
  Result<std::unique_ptr<Running>> Start();
  bool Serve(Running& r, const std::atomic<bool>& stop);
  std::string NotLiveReason(const Running& r) const;

  ControllerFlags flags_;
  ManagerDeps deps_;
  std::atomic<int64_t> last_tick_ns_{0};  // steady clock: when the main loop last went round
};

}  // namespace gearbox::manager
