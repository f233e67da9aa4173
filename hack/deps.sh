#!/usr/bin/env bash
# hack/deps.sh -- install the Debian packages Gearbox needs to build, test and run its demo.
# Idempotent: when every package is already installed it only asks dpkg and returns (well under 1 s).
#   hack/deps.sh            what the build, the tests and the demo need
#   hack/deps.sh release    what hack/release.sh needs besides (the arm64 cross-build and the push)
set -euo pipefail

PACKAGES=(
  # build
  g++ cmake ninja-build pkg-config clang-format clang-tidy
  # the libFuzzer targets (hack/fuzz.sh): clang and its fuzzer and sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # libraries (see ../shared/design/ENGINEERING.md)
  libcpprest-dev libyaml-cpp-dev libboost-dev libboost-program-options-dev libssl-dev
  libhiredis-dev libgtest-dev libgmock-dev
  # the PostgreSQL query source (libpq)
  libpq-dev
  # the time zones of spec.schedules (cctz; tzdata holds the zones it reads)
  libcctz-dev tzdata
  # the controller's /metrics (Debian's name for prometheus-cpp: the core library is all it links)
  prometheus-cpp-dev
  # tools the scripts and tests use (python3-yaml: the chart's alert test reads helm's output)
  curl openssl ca-certificates procps python3-yaml
  # the real systems the metric sources are tested against (Redis Cluster and Sentinel run on
  # redis-server itself: --cluster-enabled, --sentinel)
  prometheus redis-server postgresql
  # the RabbitMQ source (management API): its own instance per test, on its own ports
  rabbitmq-server
  # the demo's plot of what the autoscaler did (docs/demo.png)
  gnuplot-nox
  # the decision-quality harness (tests/quality) and the backtest's plot: Debian's python3 (not a
  # python3 earlier on PATH) with its plotting, numbers, Prometheus exposition and Redis client
  python3-matplotlib python3-numpy python3-prometheus-client python3-redis
  # the Bull/BullMQ producers of the queue tests and the demo
  nodejs npm
  # the controller image (hack/image.sh): a Debian rootfs made into an OCI image
  mmdebstrap umoci
  # the real node of "hack/cluster.sh up --with-node": containerd, runc, the CNI bridge plugin, and
  # socat to carry the node's API server connections out of its network namespace
  containerd runc containernetworking-plugins socat
)

# hack/release.sh: Debian's aarch64 cross compiler (the arm64 controller is built against a sysroot
# of Debian's arm64 packages, extracted by mmdebstrap: several -dev packages of Debian 12 are not
# Multi-Arch: same, so dpkg --add-architecture arm64 cannot hold them beside the amd64 ones),
# qemu-user to check that the arm64 binary starts, ccache to rebuild the release's controllers in
# seconds, skopeo to push the image index to a registry.
RELEASE_PACKAGES=(g++-aarch64-linux-gnu qemu-user-static ccache skopeo)
case ${1:-} in
"") ;;
release) PACKAGES=("${RELEASE_PACKAGES[@]}") ;;
*) echo "usage: $0 [release]" >&2 && exit 2 ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  # "install ok installed" is the only state that counts; half-configured packages are reinstalled
  if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
    # nodejs/npm may come from outside Debian on a developer machine: a working binary is enough
    case $p in nodejs | npm) command -v "${p/nodejs/node}" >/dev/null && continue ;; esac
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "[deps] all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "[deps] installing: ${missing[*]}"
SUDO=()
((EUID == 0)) || SUDO=(sudo)
export DEBIAN_FRONTEND=noninteractive
# The packaged services (prometheus, redis-server, postgresql) must not start on install: tests
# start their own instances on their own ports. policy-rc.d is Debian's switch for that; restore whatever was there.
policy=/usr/sbin/policy-rc.d
restore=
if [[ -e $policy ]]; then
  restore=$(mktemp)
  "${SUDO[@]}" cp -p "$policy" "$restore"
fi
trap '[[ -n $restore ]] && "${SUDO[@]}" mv "$restore" "$policy" || "${SUDO[@]}" rm -f "$policy"' EXIT
printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
"${SUDO[@]}" chmod +x "$policy"

"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "[deps] done"
