// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: a candidate takes the
// Lease when it is free or its holder has not renewed it within the lease duration (measured on
// our own clock from when we saw the last change, so clock skew between machines does not
// matter); the leader renews every retry period; if it cannot renew within the renew deadline it
// stops acting as leader; on Stop() it releases the Lease so another candidate takes over at once.
// Every write is optimistic (resourceVersion): two candidates never both win.
//
// Fencing: IsLeader() is true only until `renew_deadline` after the start of the last renew that
// succeeded, measured on our clock whether or not a renew call is still blocked. Another candidate
// may take the Lease only `lease_duration` after it saw that renew, which it saw after we sent it:
// so a write started while IsLeader() holds has lease_duration - renew_deadline to land before
// anyone else can lead. The controller's writes go through a kube::FencedClient on IsLeader().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "base/mutex.h"
#include "kube/client.h"
#include "kube/clock.h"

namespace gearbox::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per candidate, e.g. the pod name + a random suffix
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string&)> log;
};

class LeaderElector {
 public:
  LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config,
                const Clock& clock = RealClock::Instance());
  ~LeaderElector();

  void Start();
  // Stops campaigning: no renewal and no callback after it returns. The Lease is kept (and lapses)
  // until Release(), so that the caller can stop its own work first.
  void StopCampaigning();
  // Gives the Lease up if this candidate holds it, so another takes over at once.
  void Release();
  // StopCampaigning(), then on_stopped_leading and Release() if it was leading.
  void Stop();
  // Leading, and the last renew started less than `renew_deadline` ago (see "Fencing" above).
  bool IsLeader() const;

  // One round of acquire-or-renew (what the loop does every retry period), with its effect on
  // leadership. Public for tests that drive it with a FakeClock.
  void RunOnce();
  bool TryAcquireOrRenew();

 private:
  void Run();
  void SetLeading(bool leading);
  void Log(const std::string& m) const;
  // The halves of TryAcquireOrRenew: no Lease yet, or one read (held by anyone).
  bool CreateLease(const std::string& now, int lease_seconds);
  bool TakeOrRenew(Json lease, const std::string& now, int lease_seconds);
  // Remembers the holder and renewTime seen, and when (by the steady clock) they were first seen.
  void Observe(const std::string& holder, const std::string& renew_time);

  std::shared_ptr<Client> client_;
  LeaderElectionConfig config_;
  const Clock& clock_;

  std::string observed_holder_;
  std::string observed_renew_time_;
  SteadyTime observed_at_{};

  std::atomic<bool> leading_{false};
  // Start of the last successful renew + renew_deadline, in steady-clock ticks: read by writers.
  std::atomic<SteadyTime::rep> valid_until_{0};
  std::atomic<bool> stopping_{false};
  Mutex mu_;  // for cv_ only: the state is atomic
  std::condition_variable_any cv_;
  std::thread thread_;
};

}  // namespace gearbox::kube
