// A lock rule broken three ways: hack/thread-safety.sh must refuse this file (the test
// thread_safety_check_catches_violations), so that a check that silently checks nothing fails.
#include "base/mutex.h"

namespace {

class Counter {
 public:
  void Unlocked() { ++count_; }  // written without its Mutex
  void Twice() {
    gearbox::MutexLock lock(mu_);
    gearbox::MutexLock again(mu_);  // taken while held
  }
  void CallsWithout() { Locked(); }  // a REQUIRES function called without the Mutex

 private:
  void Locked() REQUIRES(mu_) { ++count_; }
  gearbox::Mutex mu_;
  int count_ GUARDED_BY(mu_) = 0;
};

}  // namespace

int main() {
  Counter c;
  c.Unlocked();
  c.Twice();
  c.CallsWithout();
}
