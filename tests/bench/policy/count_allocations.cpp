// The global operator new, counting: bench_policy reports the heap allocations an evaluation
// makes. In a file of its own so that no caller sees new and free side by side.
#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> allocations{0};
}  // namespace

long HeapAllocations() { return allocations.load(std::memory_order_relaxed); }

void* operator new(size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
