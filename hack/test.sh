#!/usr/bin/env bash
# hack/test.sh -- every test of Gearbox, from a fresh machine: installs what is missing, builds,
# runs the unit tests and clang's lock analysis (hack/thread-safety.sh), builds the controller image, starts a local control plane, runs the
# integration tests and then the end-to-end tests (tests/e2e) on it (the lifecycle test starts a
# cluster of its own with a real node), stops everything. The unit and integration tests run again
# built with sanitizers (hack/sanitize.sh), the short version of the decision-quality harness runs
# against the real HPA (hack/quality.sh --short), the fuzz targets run for FUZZ_SECONDS
# (default 30) each (hack/fuzz.sh); RELEASE_TESTS=1 adds the release tests (ctest -L release).
#
#   hack/test.sh                 unit + integration + e2e (what CI runs)
#   hack/test.sh -R REGEX        only the tests whose name matches (passed on to ctest)
#
# The test cluster runs on ports of its own (not the demo's), in /tmp/gearbox-test-cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
t0=$(date +%s)
stamp() { echo "[test] $(($(date +%s) - t0))s: $*"; }

bash hack/deps.sh
[[ ! -f hack/node-deps.sh ]] || bash hack/node-deps.sh
bash hack/cluster.sh build
stamp "dependencies ready"

BUILD=${BUILD_DIR:-$ROOT/build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD"
stamp "built"
# The controller image (the e2e lifecycle test runs it on the cluster's real node).
IMAGE_DIR=$ROOT/build-image bash hack/image.sh --binary "$BUILD/controller/gearbox-controller"
stamp "image built"

ctest --test-dir "$BUILD" -L unit --output-on-failure -j "$(nproc)" "$@"
stamp "unit tests passed"

# The lock annotations, checked by clang over the whole build (gcc ignores them).
BUILD_DIR=$BUILD bash hack/thread-safety.sh
stamp "lock rules hold (clang -Wthread-safety -Werror)"

bash hack/sanitize.sh unit "$@"
stamp "unit tests passed under ASan+UBSan and TSan"

# The release (hack/release.sh, docs/release.md), before the clusters, with RELEASE_TESTS=1: dist/
# built once (both platforms, the arm64 controller cross-built), the arm64 controller started under
# qemu-user, the release pushed to a local registry and pulled back with its signatures verified.
# Cached outside the repository: the arm64 sysroot (by package list), the controllers' objects
# (ccache), cosign and the registry (by version). Not by default: on a machine without those caches
# it adds about 20 minutes (two controller builds, cosign, the registry), which CI's hour has not
# got. RELEASE_REPRODUCIBLE=1 adds the second release that proves the digest reproducible.
if [[ $# -eq 0 && ${RELEASE_TESTS:-0} == 1 ]]; then
  skip=(-E 'release_same_commit_gives_same_image_digest')
  [[ ${RELEASE_REPRODUCIBLE:-0} == 0 ]] || skip=()
  ctest --test-dir "$BUILD" -L '^release$' "${skip[@]}" --output-on-failure
  stamp "release: dist/ signed, arm64 controller starts, pushed and pulled back verified"
fi

export GEARBOX_CLUSTER_DIR=/tmp/gearbox-test-cluster
export API_PORT=17443 ETCD_PORT=24791 ETCD_PEER_PORT=24801 KCM_PORT=17457 SCHED_PORT=17459 \
  KWOK_PORT=17247 MS_PORT=17444
trap 'bash "$ROOT/hack/cluster.sh" down >/dev/null 2>&1 || true' EXIT
bash hack/cluster.sh down >/dev/null 2>&1 || true # a run that was killed may have left one behind
bash hack/cluster.sh up
eval "$(bash hack/cluster.sh env)"
stamp "control plane up"

ctest --test-dir "$BUILD" -L integration --output-on-failure "$@"
stamp "integration tests passed"

bash hack/sanitize.sh integration "$@"
stamp "integration tests passed under ASan+UBSan and TSan"

ctest --test-dir "$BUILD" -L e2e --output-on-failure "$@"
stamp "e2e tests passed"

# Decision quality (tests/quality) on a control plane of its own, with the HPA's timing compressed:
# the short version, one trace, the seed-style guard asserted against the real HPA. The test
# cluster is not needed any more and would only take CPU from it.
if [[ $# -eq 0 ]]; then
  bash hack/cluster.sh down >/dev/null 2>&1 || true
  GEARBOX_CONTROLLER="$BUILD/controller/gearbox-controller" bash hack/quality.sh --short
  stamp "decision quality: the seed-style policy no slower than the same-intent HPA, no cycle (hack/quality.sh --short)"
fi

# Last, so that a parser the fuzzer breaks does not hide what the cluster tests say.
bash hack/fuzz.sh "${FUZZ_SECONDS:-30}"
stamp "fuzz targets ran without a crash"
