// One deadline for a whole exchange on a blocking socket. hiredis' timeout bounds each socket
// read, so a server that sends a byte just before each one expires holds a read for ever; a
// SocketDeadline shuts the socket down when its deadline passes (from one thread shared by every
// deadline), which makes the blocked read return at once, and says it did.
#pragma once

#include <atomic>
#include <chrono>

namespace gearbox::metrics {

class SocketDeadline {
 public:
  using Time = std::chrono::steady_clock::time_point;
  // Armed from now until destroyed; `fd` must stay open that long.
  SocketDeadline(int fd, Time deadline);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // The deadline passed and the socket was shut down.
  bool fired() const { return fired_; }

 private:
  friend class DeadlineWatch;
  const int fd_;
  const Time deadline_;
  std::atomic<bool> fired_{false};
};

}  // namespace gearbox::metrics
