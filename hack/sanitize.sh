#!/usr/bin/env bash
# hack/sanitize.sh -- the tests again, built with GCC's sanitizers: ASan + UBSan over every unit or
# integration test case, TSan over the tests of the code that runs on several threads (work queue,
# controller loop, metric reader, reconciler; informer watches, leader election and racing
# writers against the cluster). Any sanitizer report fails its test. Prints the time of each phase.
#
#   hack/sanitize.sh unit [CTEST ARGS]          needs nothing running
#   hack/sanitize.sh integration [CTEST ARGS]   needs hack/test.sh's control plane (KUBECONFIG and
#                                               the ports in the environment), as its tests do
#
# hack/test.sh runs "unit" after its unit tests and "integration" after its integration tests.
# Build trees: build-asan/ and build-tsan/ (ASAN_BUILD_DIR, TSAN_BUILD_DIR). Reports from the
# libraries Gearbox uses but does not build (cpprestsdk, Boost.Asio) are suppressed by the
# entries of tests/sanitize/*.supp, each with its reason; Gearbox's own code is never suppressed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=${1:?usage: hack/sanitize.sh unit|integration [ctest args]}
shift
ASAN_BUILD=${ASAN_BUILD_DIR:-$ROOT/build-asan}
TSAN_BUILD=${TSAN_BUILD_DIR:-$ROOT/build-tsan}
SUPP=$ROOT/tests/sanitize

# Only GoogleTest cases have a "." in their CTest name (Suite.Case); the other entries are shell
# scripts (clang_format, chart, crd, cluster_*) that run no sanitized code.
ALL_CASES='\.'
# TSan: the test cases of code that runs on several threads (the informers are Watch and
# SecretWatches), and the executables holding them.
TSAN_UNIT_CASES='^(WorkQueueTest|ControllerLoop|MetricReader|LeaderElection|FencedClient|Controller|Reconciler/ReconcilerTable)\.'
TSAN_UNIT_TARGETS=(kube_unit_tests reconcile_unit_tests)
TSAN_INTEGRATION_CASES='^(Watch|SecretWatches|LeaderElection)\.|^Client\.RacingWriters'
TSAN_INTEGRATION_TARGETS=(kube_integration_tests)

export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1"
export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$SUPP/ubsan.supp"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$SUPP/tsan.supp"

phase_start=$(date +%s)
phase() {
  local now
  now=$(date +%s)
  echo "[sanitize] $MODE: $* took $((now - phase_start)) s"
  phase_start=$now
}

# configure DIR SANITIZERS: a tree with those sanitizers, without the benchmarks. -O1 -g1 (line
# tables: reports still name file and line) compiles in half the time of RelWithDebInfo's -O2 -g.
configure() {
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DGEARBOX_SANITIZE="$2" \
    -DGEARBOX_BUILD_BENCH=OFF >/dev/null
}

# run_cases DIR REGEX [CTEST ARGS]: the matching cases of a tree, one at a time when told so.
run_cases() {
  local dir=$1 regex=$2
  shift 2
  ctest --test-dir "$dir" -L "$MODE" -R "$regex" --output-on-failure "$@"
}

case $MODE in
unit)
  configure "$ASAN_BUILD" address,undefined
  cmake --build "$ASAN_BUILD"
  phase "ASan+UBSan build"
  run_cases "$ASAN_BUILD" "$ALL_CASES" -j "$(nproc)" "$@"
  phase "ASan+UBSan unit tests"
  configure "$TSAN_BUILD" thread
  cmake --build "$TSAN_BUILD" --target "${TSAN_UNIT_TARGETS[@]}"
  phase "TSan build"
  run_cases "$TSAN_BUILD" "$TSAN_UNIT_CASES" -j "$(nproc)" "$@"
  phase "TSan unit tests"
  ;;
integration)
  : "${KUBECONFIG:?the integration tests need the control plane of hack/test.sh (KUBECONFIG)}"
  configure "$ASAN_BUILD" address,undefined
  cmake --build "$ASAN_BUILD"
  phase "ASan+UBSan build"
  run_cases "$ASAN_BUILD" "$ALL_CASES" "$@"
  phase "ASan+UBSan integration tests"
  configure "$TSAN_BUILD" thread
  cmake --build "$TSAN_BUILD" --target "${TSAN_INTEGRATION_TARGETS[@]}"
  phase "TSan build"
  run_cases "$TSAN_BUILD" "$TSAN_INTEGRATION_CASES" "$@"
  phase "TSan integration tests"
  ;;
*)
  echo "usage: hack/sanitize.sh unit|integration [ctest args]" >&2
  exit 2
  ;;
esac
