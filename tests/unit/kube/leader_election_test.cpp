// Leader election driven round by round on a FakeClock against the scripted API server: how long
// a replica may act on a Lease (the fence its writes go through), whatever its calls are doing.
#include "kube/leader_election.h"

#include <gtest/gtest.h>

#include "../../lib/scripted_client.h"
#include "kube/fenced_client.h"

namespace gearbox::kube {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedClient;
using testing::ScriptedResponse;

const char* kLeasePath =
    "/apis/coordination.k8s.io/v1/namespaces/gearbox/leases/gearbox-controller";

struct Candidate {
  FakeClock clock;
  std::shared_ptr<ScriptedClient> api = std::make_shared<ScriptedClient>(&clock);
  int started = 0, stopped = 0;
  std::unique_ptr<LeaderElector> elector;

  Candidate() {
    LeaderElectionConfig c;
    c.lease_namespace = "gearbox";
    c.lease_name = "gearbox-controller";
    c.identity = "a";
    c.lease_duration = 15s;
    c.renew_deadline = 10s;
    c.retry_period = 2s;
    c.on_started_leading = [this] { ++started; };
    c.on_stopped_leading = [this] { ++stopped; };
    elector = std::make_unique<LeaderElector>(api, c, clock);
  }
};

// No Lease yet (the scripted server answers 404 and echoes the create): the first round leads.
TEST(LeaderElection, TheFirstRoundTakesAFreeLease) {
  Candidate a;
  a.elector->RunOnce();
  EXPECT_TRUE(a.elector->IsLeader());
  EXPECT_EQ(a.started, 1);
}

// The renew deadline is measured on our clock from the last renew that worked,
// not checked after the next renew call returns (which could block for the call's whole timeout
// while another replica takes the Lease over). No call is made here at all, and the fence closes.
TEST(LeaderElection, TheFenceClosesAtTheRenewDeadlineWithoutWaitingForACall) {
  Candidate a;
  a.elector->RunOnce();
  a.clock.Advance(9900ms);
  EXPECT_TRUE(a.elector->IsLeader());
  a.clock.Advance(100ms);
  EXPECT_FALSE(a.elector->IsLeader()) << "10 s after the last renew was sent";
}

// A renew that the server accepted only after the renew deadline proves nothing about the time in
// between: the replica stops leading (once), as if the renew had failed.
TEST(LeaderElection, ARenewAnsweredAfterTheRenewDeadlineEndsLeadership) {
  Candidate a;
  a.elector->RunOnce();
  a.api->On("GET", kLeasePath, ScriptedResponse::Status(404).After(11s), 1);
  a.elector->RunOnce();
  EXPECT_FALSE(a.elector->IsLeader());
  EXPECT_EQ(a.stopped, 1);
}

// The validity starts when the renew was sent: a renew that took 4 s leaves 6 s, not 10.
TEST(LeaderElection, TheLeaseCountsFromWhenTheRenewWasSent) {
  Candidate a;
  a.api->On("GET", kLeasePath, ScriptedResponse::Status(404).After(4s), 1);
  a.elector->RunOnce();
  ASSERT_TRUE(a.elector->IsLeader());
  a.clock.Advance(6s);
  EXPECT_FALSE(a.elector->IsLeader());
}

// The writes of a replica whose fence is closed never leave it; reads still do.
TEST(FencedClient, WritesAreRefusedWithoutARequestWhileTheFenceIsClosed) {
  auto api = std::make_shared<ScriptedClient>();
  bool leading = false;
  FencedClient client(api, [&] { return leading; });
  const ResourceRef deployments{"apps", "v1", "deployments", true};
  auto patch = client.Patch(deployments, "shop", "web", PatchType::kMerge,
                            Json::parse(R"({"spec":{"replicas":2}})"), "scale");
  ASSERT_FALSE(patch);
  EXPECT_EQ(patch.error().kind, Error::Kind::kNotLeader);
  EXPECT_FALSE(client.Delete(deployments, "shop", "web"));
  EXPECT_FALSE(client.Create(deployments, "shop", Json::object()));
  EXPECT_FALSE(client.Update(deployments, "shop", "web", Json::object()));
  (void)client.Get(deployments, "shop", "web");
  EXPECT_EQ(api->Calls(),
            std::vector<std::string>{"GET /apis/apps/v1/namespaces/shop/deployments/web"});

  leading = true;
  EXPECT_TRUE(client.Patch(deployments, "shop", "web", PatchType::kMerge,
                           Json::parse(R"({"spec":{"replicas":2}})"), "scale"));
  EXPECT_EQ(api->Calls().size(), 2u);
}

}  // namespace
}  // namespace gearbox::kube
