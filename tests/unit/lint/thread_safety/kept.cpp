// The same class with its lock rules kept: hack/thread-safety.sh's flags accept it.
#include "base/mutex.h"

namespace {

class Counter {
 public:
  void Locked() {
    gearbox::MutexLock lock(mu_);
    Add();
  }

 private:
  void Add() REQUIRES(mu_) { ++count_; }
  gearbox::Mutex mu_;
  int count_ GUARDED_BY(mu_) = 0;
};

}  // namespace

int main() { Counter().Locked(); }
