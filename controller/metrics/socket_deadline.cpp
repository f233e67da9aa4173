// See socket_deadline.h.
#include "metrics/socket_deadline.h"

#include <sys/socket.h>

#include <condition_variable>
#include <set>
#include <thread>

#include "base/mutex.h"

namespace gearbox::metrics {

// The deadlines armed, and the thread that shuts their sockets down when they pass.
class DeadlineWatch {
 public:
  // Made once and never destroyed: its thread runs for the life of the process.
  static DeadlineWatch& Instance() {
    static DeadlineWatch* watch = new DeadlineWatch();
    return *watch;
  }

  void Arm(SocketDeadline* d) {
    {
      MutexLock lock(mu_);
      armed_.insert(d);
    }
    cv_.notify_one();
  }
  // Once this returns, the watch no longer touches `d` or its socket.
  void Disarm(SocketDeadline* d) {
    MutexLock lock(mu_);
    armed_.erase(d);
  }

 private:
  struct Earliest {
    bool operator()(const SocketDeadline* a, const SocketDeadline* b) const {
      return a->deadline_ != b->deadline_ ? a->deadline_ < b->deadline_ : a < b;
    }
  };

  DeadlineWatch() {
    std::thread([this] { Run(); }).detach();
  }

  // The waits hand mu_ itself to the condition variable (a Mutex is BasicLockable), so that the
  // lock the analysis sees held is the one released and taken again.
  void Run() {
    MutexLock hold(mu_);
    for (;;) {
      if (armed_.empty()) {
        cv_.wait(mu_);
        continue;
      }
      SocketDeadline* first = *armed_.begin();
      // A copy: the wait releases the lock, and the owner may disarm and destroy `first` meanwhile
      // (wait_until reads its time_point again after waking).
      const SocketDeadline::Time until = first->deadline_;
      if (std::chrono::steady_clock::now() < until) {
        cv_.wait_until(mu_, until);
        continue;
      }
      armed_.erase(armed_.begin());
      first->fired_ = true;
      ::shutdown(first->fd_, SHUT_RDWR);  // the blocked read returns; the owner closes the fd
    }
  }

  Mutex mu_;
  std::condition_variable_any cv_;
  std::set<SocketDeadline*, Earliest> armed_ GUARDED_BY(mu_);
};

SocketDeadline::SocketDeadline(int fd, Time deadline) : fd_(fd), deadline_(deadline) {
  DeadlineWatch::Instance().Arm(this);
}

SocketDeadline::~SocketDeadline() { DeadlineWatch::Instance().Disarm(this); }

}  // namespace gearbox::metrics
