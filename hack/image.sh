#!/usr/bin/env bash
# hack/image.sh -- the gearbox-controller container image, built from Debian 12 packages only: no
# Docker, no registry, no base image. mmdebstrap extracts the controller's runtime libraries (the
# packages of hack/image-packages.txt and their dependencies) into a root filesystem; the
# controller binary and a CA bundle are added; umoci makes an OCI image of it. The Dockerfile
# describes the same image for people with Docker (the same package list, the same layout).
#
#   hack/image.sh                 build the controller if needed, then the image
#   hack/image.sh --binary PATH   put this gearbox-controller binary in the image (it is stripped)
#   hack/image.sh rootfs DIR      only the root file system without the controller (the Dockerfile
#                                 runs this, so that both describe the same image)
#
#   IMAGE_ARCH=arm64              an image for another Debian architecture (default amd64): the binary
#                                 given must be built for it (hack/release.sh cross-builds one); it
#                                 is checked to start under qemu-user (qemu-aarch64-static)
#   IMAGE_LOCK=FILE               extract exactly the package versions FILE lists for IMAGE_ARCH
#                                 (hack/image-packages.lock; lines "ARCH PACKAGE VERSION PKG-ARCH"),
#                                 not the newest ones: a rebuild gets the same packages
#   SOURCE_DATE_EPOCH=SECONDS     every file's time, the image's creation time (hack/release.sh: the
#                                 commit's time), so that the same inputs give the same digest
#
# Output, in IMAGE_DIR (default build-image/):
#   oci/                          the OCI image layout (tag = the chart's appVersion)
#   gearbox-controller.oci.tar    the same as one archive: ctr -n k8s.io images import --base-name
#                                 ghcr.io/gearbox-dev/gearbox-controller gearbox-controller.oci.tar
#   packages.txt                  every Debian package in the image with its version (also in the
#                                 image at /usr/share/gearbox/packages.txt)
# The image runs as 65532:65532 and holds no shell and no package manager: only the controller, the
# shared libraries it loads, and the CA certificates.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${IMAGE_DIR:-$ROOT/build-image}
TAG=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' charts/gearbox/Chart.yaml)
SUITE=bookworm
ARCH=${IMAGE_ARCH:-amd64}
LOCK=${IMAGE_LOCK:-}
MIRRORS=(
  "deb http://deb.debian.org/debian $SUITE main"
  "deb http://deb.debian.org/debian $SUITE-updates main"
  "deb http://deb.debian.org/debian-security $SUITE-security main"
)
log() { echo "[image] $*" >&2; }

controller_binary() {  # the binary to put in the image: given, or built in the main build tree
  if [[ -n $BINARY ]]; then
    echo "$BINARY"
    return
  fi
  local build=${BUILD_DIR:-$ROOT/build}
  if [[ ! -x $build/controller/gearbox-controller ]]; then
    log "building gearbox-controller in $build"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" --target gearbox-controller >&2
  fi
  echo "$build/controller/gearbox-controller"
}

# The runtime libraries, extracted (not installed: no maintainer script runs, so no shell is needed)
# with their dependencies. The extract hook lists the downloaded packages before the cleanup.
extract_rootfs() {  # extract_rootfs DIR
  local include
  include=$(grep -v '^#' hack/image-packages.txt | xargs | tr ' ' ',')
  [[ -z $LOCK ]] || include=$(locked_packages)
  mmdebstrap --quiet --variant=extract --architectures="$ARCH" --include="$include" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --extract-hook='for d in "$1"/var/cache/apt/archives/*.deb; do
        dpkg-deb --showformat="\${Package} \${Version} \${Architecture}\n" --show "$d"; done |
        sort >"$1/packages.txt"' \
    "$SUITE" "$1" "${MIRRORS[@]}"
}

# NAME=VERSION of every package the lock lists for ARCH (the dependencies included: apt then has
# nothing left to choose). A version the mirror no longer has fails the extraction.
locked_packages() {
  local pinned
  pinned=$(awk -v arch="$ARCH" '$1 == arch {print $2 "=" $3}' "$LOCK" | xargs | tr ' ' ',')
  [[ -n $pinned ]] || { log "ERROR: $LOCK lists no package for $ARCH"; exit 1; }
  echo "$pinned"
}

# Keep what the controller needs at run time: shared libraries, the CA bundle, passwd entries.
# Maintainer tools the packages brought along (openssl, debconf's scripts) and apt's state go.
trim_rootfs() {  # trim_rootfs DIR
  local r=$1
  rm -rf "$r"/dev "$r"/usr/bin "$r"/usr/sbin "$r"/etc/apt "$r"/var "$r"/etc/debconf.conf \
    "$r"/etc/resolv.conf "$r"/etc/hostname "$r"/etc/fstab "$r"/usr/share/{doc,man,lintian,perl5} \
    "$r"/usr/share/{debconf,pixmaps,bash-completion,gdb}
  mkdir -p "$r"/etc/ssl/certs "$r"/usr/share/gearbox "$r"/tmp
  chmod 1777 "$r"/tmp
  # What update-ca-certificates would make (it is a maintainer script, which extraction skips).
  cat "$r"/usr/share/ca-certificates/mozilla/*.crt >"$r"/etc/ssl/certs/ca-certificates.crt
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
    >"$r"/etc/passwd
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$r"/etc/group
  mv "$r"/packages.txt "$r"/usr/share/gearbox/packages.txt
}

# With SOURCE_DATE_EPOCH: no file newer than it (the extraction, the trimming and the binary give
# files the time they ran), so that the layer's tar is the same from one build to the next.
clamp_times() {  # clamp_times DIR
  [[ -n ${SOURCE_DATE_EPOCH:-} ]] || return 0
  find "$1" -newermt "@$SOURCE_DATE_EPOCH" -print0 |
    xargs -0 -r touch --no-dereference --date="@$SOURCE_DATE_EPOCH"
}

# An OCI image of ROOTFS with the controller as its entrypoint, user 65532.
make_oci() {  # make_oci ROOTFS
  local layout=$OUT/oci bundle=$OUT/bundle created=() when
  if [[ -n ${SOURCE_DATE_EPOCH:-} ]]; then # umoci's times (history, config) are "now" otherwise
    when=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
    created=(--history.created "$when")
  fi
  rm -rf "$layout" "$bundle"
  umoci init --layout "$layout"
  umoci new --image "$layout:$TAG"
  umoci unpack --image "$layout:$TAG" "$bundle" >/dev/null
  cp -a "$1"/. "$bundle/rootfs/"
  clamp_times "$bundle/rootfs"
  umoci repack "${created[@]}" --image "$layout:$TAG" "$bundle"
  umoci config --image "$layout:$TAG" --os linux --architecture "$ARCH" --config.user 65532:65532 \
    --config.entrypoint /usr/local/bin/gearbox-controller --config.workingdir / \
    --config.label "org.opencontainers.image.title=gearbox-controller" \
    --config.label "org.opencontainers.image.version=$TAG" \
    --config.label "org.opencontainers.image.source=https://github.com/gearbox-dev/gearbox" \
    "${created[@]}" ${when:+--created "$when"}
  umoci gc --layout "$layout"
  rm -rf "$bundle"
  (cd "$layout" && tar --sort=name -cf "$OUT/gearbox-controller.oci.tar" .)
}

report() {  # the image's size, user, and its packages
  local compressed
  compressed=$(find "$OUT/oci/blobs" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
  log "ghcr.io/gearbox-dev/gearbox-controller:$TAG: $(du -sm "$OUT/rootfs" | cut -f1) MiB unpacked," \
    "$((compressed / 1024 / 1024)) MiB compressed; user 65532:65532; no shell;" \
    "$(wc -l <"$OUT/packages.txt") Debian packages:"
  sed 's/^/[image]   /' "$OUT/packages.txt" >&2
  log "archive: $OUT/gearbox-controller.oci.tar"
}

# The image's libraries are complete: its binary starts in it (a chroot, as root: this is a check
# of the file system, not of the container runtime).
# Another architecture's binary runs the same way under qemu-user, copied into the root file system
# for the check only.
smoke_test() {
  local emulator=()
  if [[ $ARCH != amd64 ]]; then
    install -m 0755 "$(command -v "qemu-$(qemu_arch)-static")" "$OUT/rootfs/tmp/qemu-static"
    emulator=(/tmp/qemu-static)
  fi
  chroot --userspec=65532:65532 "$OUT/rootfs" "${emulator[@]}" /usr/local/bin/gearbox-controller \
    --version >&2 ||
    { log "ERROR: gearbox-controller ($ARCH) does not start in the image's root file system"; exit 1; }
  rm -f "$OUT/rootfs/tmp/qemu-static"
}

qemu_arch() {  # Debian's architecture name -> qemu's and binutils'
  case $ARCH in arm64) echo aarch64 ;; amd64) echo x86_64 ;; *) echo "$ARCH" ;; esac
}

rootfs() {  # rootfs DIR: the runtime packages, extracted and trimmed
  rm -rf "$1"
  log "extracting the runtime packages ($SUITE, $ARCH${LOCK:+, the versions of $LOCK})"
  extract_rootfs "$1"
  trim_rootfs "$1"
}

image() {
  command -v mmdebstrap >/dev/null && command -v umoci >/dev/null || bash hack/deps.sh
  mkdir -p "$OUT"
  local binary
  binary=$(controller_binary)
  rootfs "$OUT/rootfs"
  install -D -m 0755 "$binary" "$OUT/rootfs/usr/local/bin/gearbox-controller"
  local strip=strip
  [[ $ARCH == amd64 ]] || strip=$(qemu_arch)-linux-gnu-strip
  "$strip" --strip-unneeded "$OUT/rootfs/usr/local/bin/gearbox-controller"
  cp "$OUT/rootfs/usr/share/gearbox/packages.txt" "$OUT/packages.txt"
  smoke_test
  make_oci "$OUT/rootfs"
  report
}

BINARY=
case ${1:-} in
rootfs) rootfs "${2:?usage: $0 rootfs DIR}" ;;
--binary) BINARY=${2:?--binary needs a path} && image ;;
"") image ;;
*) echo "usage: $0 [--binary PATH] | rootfs DIR" >&2 && exit 2 ;;
esac
