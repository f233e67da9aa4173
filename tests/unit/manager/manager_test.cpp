// The Manager against the scripted API server, with the Lease's durations shortened (real time,
// a few hundred milliseconds): it leads, and a stop request drains and releases the Lease; a
// Lease it can no longer renew ends the process with 1 before another replica may lead.
#include "manager/manager.h"

#include <gtest/gtest.h>

#include <future>
#include <sstream>

#include "../../lib/scripted_client.h"

namespace gearbox::manager {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedClient;
using testing::ScriptedResponse;

const char* kLease = "/apis/coordination.k8s.io/v1/namespaces/gearbox-system/leases/gb";

kube::Json HeldBy(const std::string& holder) {
  kube::Json lease = kube::Json::parse(R"({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
      "metadata": {"name": "gb", "namespace": "gearbox-system", "resourceVersion": "7"},
      "spec": {"leaseDurationSeconds": 1}})");
  lease["spec"]["holderIdentity"] = kube::Json::string(holder);
  lease["spec"]["renewTime"] = kube::Json::string("2026-12-07T10:00:00.000000Z");
  return lease;
}

struct World {
  World() {
    flags.leader_elect = true;
    flags.leader_election_id = "gb";
    flags.namespaces = {"a"};
    flags.metrics_bind_address = "0";
    flags.health_probe_bind_address = "0";
    api->On("LIST", "/apis/gearbox.dev/v1alpha1/namespaces/a/scalingpolicies",
            ScriptedResponse::Ok(
                kube::Json::parse(R"({"metadata":{"resourceVersion":"1"},"items":[]})")));
    // Held by this replica already (a restart within the lease): it renews and leads.
    lease_api->On("GET", kLease, ScriptedResponse::Ok(HeldBy("test-a")));
  }
  ManagerDeps Deps() {
    kube::Config config;
    config.server = "https://127.0.0.1:6443";
    config.default_namespace = "gearbox-system";
    ManagerDeps d{config, api, lease_api, nullptr, log, "test-a"};
    d.lease_timing.lease_duration = 600ms;
    d.lease_timing.renew_deadline = 400ms;
    d.lease_timing.retry_period = 50ms;
    d.tick = 10ms;
    return d;
  }
  // A renew went out: the Lease is this replica's.
  bool Leading() const {
    for (const auto& r : lease_api->Requests())
      if (r.method == "PUT") return true;
    return false;
  }
  // Waits until it leads; if it never does, stops the run so that the test ends.
  bool WaitToLead() {
    for (int i = 0; i < 300 && !Leading(); ++i) std::this_thread::sleep_for(10ms);
    if (!Leading()) stop = true;
    return Leading();
  }

  ControllerFlags flags;
  std::shared_ptr<ScriptedClient> api = std::make_shared<ScriptedClient>();
  std::shared_ptr<ScriptedClient> lease_api = std::make_shared<ScriptedClient>();
  std::ostringstream logs;
  telemetry::Logger log{telemetry::LogFormat::kText, telemetry::LogLevel::kInfo, &logs};
  std::atomic<bool> stop{false};
};

TEST(Manager, AStopRequestDrainsTheWorkersAndReleasesTheLease) {
  World w;
  Manager manager(w.flags, w.Deps());
  auto run = std::async(std::launch::async, [&] { return manager.Run(w.stop); });
  ASSERT_TRUE(w.WaitToLead()) << w.logs.str();
  w.lease_api->ClearRequests();
  w.stop = true;
  ASSERT_EQ(run.wait_for(5s), std::future_status::ready) << "drained within its grace";
  EXPECT_EQ(run.get(), 0);
  auto requests = w.lease_api->Requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().method, "PUT");
  EXPECT_EQ(requests.back().body.at("spec").at("holderIdentity").as_string(), "")
      << "released, so another replica takes over at once";
}

TEST(Manager, ALeaseItCannotRenewEndsTheProcessWithOne) {
  World w;
  Manager manager(w.flags, w.Deps());
  auto run = std::async(std::launch::async, [&] { return manager.Run(w.stop); });
  ASSERT_TRUE(w.WaitToLead()) << w.logs.str();
  w.lease_api->On("GET", kLease, ScriptedResponse::Fail(Error::Kind::kTimeout));
  w.lease_api->On("PUT", kLease, ScriptedResponse::Fail(Error::Kind::kTimeout));
  const bool ended = run.wait_for(5s) == std::future_status::ready;
  w.stop = true;  // so that a run that did not end still ends with the test
  ASSERT_TRUE(ended) << "the renew deadline passed long ago: " << w.logs.str();
  EXPECT_EQ(run.get(), 1);
  EXPECT_NE(w.logs.str().find("lost the leader Lease"), std::string::npos) << w.logs.str();
}

TEST(Manager, AFlagTheControllerRefusesStopsItFromStarting) {
  World w;
  w.flags.replicas_fields = std::vector<std::string>{"not-a-rule"};
  Manager manager(w.flags, w.Deps());
  EXPECT_EQ(manager.Run(w.stop), 1);
  EXPECT_NE(w.logs.str().find("not-a-rule"), std::string::npos) << w.logs.str();
}

}  // namespace
}  // namespace gearbox::manager
