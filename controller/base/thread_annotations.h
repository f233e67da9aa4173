// Lock rules written where the compiler can read them: clang's -Wthread-safety checks them, other
// compilers see nothing. GUARDED_BY(mu) on a member: read or written only with `mu` held.
// EXCLUDES(mu) on a function: it takes `mu` itself, so the caller must not hold it.
// The lock must be a capability: gearbox::Mutex (base/mutex.h), not a bare std::mutex.
#pragma once

#if defined(__clang__)
#define GEARBOX_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define GEARBOX_THREAD_ANNOTATION(x)
#endif

#define GUARDED_BY(x) GEARBOX_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) GEARBOX_THREAD_ANNOTATION(pt_guarded_by(x))
#define EXCLUDES(...) GEARBOX_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define REQUIRES(...) GEARBOX_THREAD_ANNOTATION(exclusive_locks_required(__VA_ARGS__))
#define CAPABILITY(x) GEARBOX_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY GEARBOX_THREAD_ANNOTATION(scoped_lockable)
#define ACQUIRE(...) GEARBOX_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) GEARBOX_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RETURN_CAPABILITY(x) GEARBOX_THREAD_ANNOTATION(lock_returned(x))
