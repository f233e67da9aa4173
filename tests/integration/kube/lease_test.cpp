// Leader election on a real Lease: exactly one of two candidates leads; when the leader stops,
// the other takes over within the lease duration; a leader cut off from the API server stops
// acting as leader once it cannot renew, and the other candidate takes over.
#include <gtest/gtest.h>

#include "harness.h"
#include "kube/leader_election.h"

namespace gearbox::kube::testing {
namespace {

using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

struct Candidate {
  std::atomic<int> started{0}, stopped{0};
  std::unique_ptr<LeaderElector> elector;

  Candidate(std::shared_ptr<Client> client, const std::string& ns, const std::string& id) {
    LeaderElectionConfig c;
    c.lease_namespace = ns;
    c.lease_name = "gearbox-it";
    c.identity = id;
    c.lease_duration = 4s;
    c.renew_deadline = 3s;
    c.retry_period = 500ms;
    c.on_started_leading = [this] { ++started; };
    c.on_stopped_leading = [this] { ++stopped; };
    elector = std::make_unique<LeaderElector>(std::move(client), c);
  }
};

std::string HolderOf(Client& c, const std::string& ns) {
  auto lease = c.Get(kLeases, ns, "gearbox-it");
  if (!lease || !lease->at("spec").has_string_field("holderIdentity")) return "";
  return lease->at("spec").at("holderIdentity").as_string();
}

// Watches two candidates for `d`; false if both ever claimed to lead at once.
bool NeverBoth(Candidate& a, Candidate& b, Ms d) {
  auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
    if (a.elector->IsLeader() && b.elector->IsLeader()) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

TEST(LeaderElection, OneLeadsAndTheOtherTakesOverWhenItStops) {
  TestNamespace ns("gearbox-it-lease");
  auto admin = AdminClient();
  Candidate a(AdminClient(), ns.name(), "a"), b(AdminClient(), ns.name(), "b");
  a.elector->Start();
  b.elector->Start();
  ASSERT_TRUE(Eventually(10s, [&] { return a.elector->IsLeader() || b.elector->IsLeader(); }));
  EXPECT_TRUE(NeverBoth(a, b, 3s)) << "two leaders at once";
  Candidate& leader = a.elector->IsLeader() ? a : b;
  Candidate& other = &leader == &a ? b : a;
  std::string leader_id = &leader == &a ? "a" : "b";
  EXPECT_EQ(HolderOf(*admin, ns.name()), leader_id);
  EXPECT_EQ(leader.started, 1);
  EXPECT_EQ(other.started, 0);

  auto t0 = std::chrono::steady_clock::now();
  leader.elector->Stop();  // releases the Lease
  EXPECT_EQ(leader.stopped, 1);
  ASSERT_TRUE(Eventually(4s, [&] { return other.elector->IsLeader(); }))
      << "the other candidate must lead within the lease duration";
  auto took = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0);
  std::cout << "failover after a clean stop: " << took.count() << " ms\n";
  EXPECT_EQ(HolderOf(*admin, ns.name()), leader_id == "a" ? "b" : "a");
  other.elector->Stop();
  EXPECT_EQ(HolderOf(*admin, ns.name()), "") << "a stopped leader releases the Lease";
}

TEST(LeaderElection, ALeaderThatCannotRenewStopsLeading) {
  TestNamespace ns("gearbox-it-partition");
  Config via_proxy = AdminConfig();
  TcpProxy proxy(PortOf(via_proxy.server));
  via_proxy.server = "https://127.0.0.1:" + std::to_string(proxy.port());
  via_proxy.timeout = 1s;
  Candidate cut_off(ClientFor(via_proxy), ns.name(), "cut-off");
  cut_off.elector->Start();
  ASSERT_TRUE(Eventually(10s, [&] { return cut_off.elector->IsLeader(); }));
  Candidate standby(AdminClient(), ns.name(), "standby");
  standby.elector->Start();
  EXPECT_TRUE(NeverBoth(cut_off, standby, 2s));
  EXPECT_FALSE(standby.elector->IsLeader());

  auto t0 = std::chrono::steady_clock::now();
  proxy.Cut();
  // It must give up within the renew deadline (plus one retry and a call's timeout), and never
  // while the other leads.
  std::atomic<bool> both{false};
  ASSERT_TRUE(Eventually(8s, [&] {
    if (cut_off.elector->IsLeader() && standby.elector->IsLeader()) both = true;
    return !cut_off.elector->IsLeader();
  }));
  auto gave_up = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0);
  // IsLeader() turns false at the deadline by itself; the callback comes with the next round.
  EXPECT_TRUE(Eventually(2s, [&] { return cut_off.stopped == 1; }));
  ASSERT_TRUE(Eventually(10s, [&] {
    if (cut_off.elector->IsLeader() && standby.elector->IsLeader()) both = true;
    return standby.elector->IsLeader();
  }));
  auto took_over = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0);
  EXPECT_FALSE(both) << "two leaders at once";
  EXPECT_LT(gave_up, took_over) << "the old leader must stop before the new one starts";
  std::cout << "partitioned leader gave up after " << gave_up.count()
            << " ms; the standby led after " << took_over.count() << " ms\n";
  standby.elector->Stop();
  cut_off.elector->Stop();
}

// A leader whose renew call hangs (the network holds the bytes; the call's own
// timeout is the default 30 s) must stop acting as leader at its renew deadline, before its Lease
// can expire for the standby, not when the call finally gives up.
TEST(LeaderElection, ALeaderWhoseRenewHangsStopsBeforeItsLeaseCanExpire) {
  TestNamespace ns("gearbox-it-stall");
  Config via_proxy = AdminConfig();
  TcpProxy proxy(PortOf(via_proxy.server));
  via_proxy.server = "https://127.0.0.1:" + std::to_string(proxy.port());
  Candidate stuck(ClientFor(via_proxy), ns.name(), "stuck");
  stuck.elector->Start();
  ASSERT_TRUE(Eventually(10s, [&] { return stuck.elector->IsLeader(); }));
  Candidate standby(AdminClient(), ns.name(), "standby");
  standby.elector->Start();
  EXPECT_TRUE(NeverBoth(stuck, standby, 1500ms));

  auto t0 = std::chrono::steady_clock::now();
  proxy.Stall();
  std::atomic<bool> both{false};
  ASSERT_TRUE(Eventually(15s, [&] {
    if (stuck.elector->IsLeader() && standby.elector->IsLeader()) both = true;
    return standby.elector->IsLeader();
  }));
  auto took_over = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0);
  EXPECT_FALSE(both) << "the stuck leader still claimed the Lease after the standby took it";
  EXPECT_FALSE(stuck.elector->IsLeader());
  std::cout << "a leader whose renew hangs: the standby led after " << took_over.count()
            << " ms, never both\n";
  proxy.Restore();
  standby.elector->Stop();
  stuck.elector->StopCampaigning();  // its renew may still be hanging until the call times out
}

}  // namespace
}  // namespace gearbox::kube::testing
