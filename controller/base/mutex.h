// A std::mutex that clang's -Wthread-safety can reason about (libstdc++'s is not annotated, so
// GUARDED_BY(a std::mutex) checks nothing): Mutex is a capability, MutexLock holds it for a scope.
// Mutex is BasicLockable, so std::unique_lock and std::condition_variable_any take it too.
#pragma once

#include <mutex>

#include "base/thread_annotations.h"

namespace gearbox {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace gearbox
