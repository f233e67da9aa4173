#!/usr/bin/env bash
# hack/fuzz.sh -- builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan, and clang's
# -Wthread-safety over the whole controller) in build-fuzz/, then runs each for a bounded time on
# a copy of its seed corpus (tests/fuzz/corpus/<target>/). Prints per target the seconds run, the
# executions and "0 crashes" or the crashing input; exits non-zero when any target crashed.
#
#   hack/fuzz.sh [SECONDS]                        every target, SECONDS each (default 30)
#   FUZZ_TARGETS="duration kubeconfig" hack/fuzz.sh 300   only these
#
# A crash leaves its input in build-fuzz/runs/<target>/crash-* (rerun: build-fuzz/tests/fuzz/
# fuzz_<target> FILE); once fixed, add the input to the corpus and a regression test to the
# parser's unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PER_TARGET=${1:-30}
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
RUNS=$BUILD/runs
TARGETS=(${FUZZ_TARGETS:-duration cron policy_spec prometheus_response redis_url redis_reply watch_decoder kubeconfig})
t0=$(date +%s)
stamp() { echo "[fuzz] $(($(date +%s) - t0))s: $*"; }

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

# -O1 -g1: fast enough to fuzz, half the compile time of -O2 -g, reports with file and line.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DGEARBOX_FUZZ=ON -DGEARBOX_BUILD_TESTS=OFF \
  >/dev/null
cmake --build "$BUILD" --target "${TARGETS[@]/#/fuzz_}"
stamp "built"

# fuzz TARGET: runs it on a fresh copy of its corpus; prints its line; fails when it crashed.
fuzz() {
  local target=$1 dir=$RUNS/$1 start log rc=0
  rm -rf "$dir"
  mkdir -p "$dir/corpus"
  cp tests/fuzz/corpus/"$target"/* "$dir/corpus/"
  log=$dir/log
  start=$(date +%s)
  "$BUILD/tests/fuzz/fuzz_$target" -max_total_time="$PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus" >"$log" 2>&1 || rc=$?
  local took=$(($(date +%s) - start))
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  local crashes
  mapfile -t crashes < <(find "$dir" -maxdepth 1 -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*')
  if ((rc == 0 && ${#crashes[@]} == 0)); then
    echo "[fuzz] $target: ${took} s, ${execs:-?} executions, 0 crashes"
    return 0
  fi
  echo "[fuzz] $target: ${took} s, ${execs:-?} executions, CRASHED (exit $rc); its log:"
  grep -E '^(==|SUMMARY|    #|.*runtime error|.*ERROR)' "$log" | head -40 || tail -40 "$log"
  for input in "${crashes[@]}"; do
    echo "[fuzz] $target: crashing input $input (base64):"
    base64 -w 100 "$input" | head -20
  done
  return 1
}

failed=()
for target in "${TARGETS[@]}"; do
  fuzz "$target" || failed+=("$target")
done
stamp "fuzzed ${#TARGETS[@]} targets for ${PER_TARGET} s each"
if ((${#failed[@]})); then
  echo "[fuzz] crashed: ${failed[*]}" >&2
  exit 1
fi
