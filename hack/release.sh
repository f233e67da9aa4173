#!/usr/bin/env bash
# hack/release.sh -- a release of Gearbox in dist/ (docs/release.md), from Debian 12 packages and Go
# modules only (no Docker):
#   gearbox-controller-VERSION.oci.tar   the controller image: an OCI image layout whose tag VERSION
#                                        is an image index for linux/amd64 and linux/arm64 (the
#                                        arm64 controller cross-built with g++-aarch64-linux-gnu
#                                        against a sysroot of Debian's arm64 packages, checked to
#                                        start under qemu-user)
#   gearbox-VERSION.tgz                  the chart (helm package; chart version = app version), its
#                                        values pointing at the image by digest
#   gearbox-controller-VERSION.spdx.json the SBOM (SPDX 2.3): every Debian package of both images,
#                                        with version and architecture, and the controller
#   release.json                         version, commit, image repository and digests
#   kubectl-gearbox_linux_ARCH.tar.gz    the kubectl plugin, amd64 and arm64
#   gearbox.krew.yaml                    krew's manifest for it (plugins/gearbox.yaml filled in)
#   SHA256SUMS, SHA256SUMS.sig, cosign.pub   the checksums of the above, signed with cosign
#
#   hack/release.sh                  build dist/ (the image for RELEASE_REPOSITORY, default
#                                    ghcr.io/gearbox-dev/gearbox-controller)
#   hack/release.sh --push REGISTRY  build for REGISTRY/gearbox-controller (what dist/ already holds
#                                    of this commit is reused), then push the image index and the
#                                    chart (oci://REGISTRY/gearbox) and sign both in the registry
#   hack/release.sh --update-lock    build from the newest Debian packages and record their versions
#                                    in hack/image-packages.lock (otherwise the lock's are used)
#   hack/release.sh --pin            write dist/'s image repository and digest into
#                                    charts/gearbox/values.yaml (a release commit)
#
#   COSIGN_KEY=PATH (and COSIGN_PASSWORD)  the signing key; without it a throwaway key pair is made
#                                    (build-release/throwaway-key), fit for tests only
#   RELEASE_DIR, RELEASE_BUILD_DIR   dist/ and build-release/ by default (the images, the index,
#                                    a throwaway key; the controllers build in build-release/ always)
#   IMAGE_LOCK                       the package versions (default hack/image-packages.lock)
#
# A registry on 127.0.0.1, localhost or [::1] is spoken to in plain HTTP; any other with TLS.
# Two runs on the same commit give the same image digest (SOURCE_DATE_EPOCH is the commit's time,
# the packages are the lock's versions; docs/release.md says what else was made deterministic).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIST=${RELEASE_DIR:-$ROOT/dist}
WORK=${RELEASE_BUILD_DIR:-$ROOT/build-release}
CACHE=${GEARBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gearbox}
LOCK=${IMAGE_LOCK:-$ROOT/hack/image-packages.lock}
COSIGN_VERSION=${COSIGN_VERSION:-v2.6.5}
ARCHES=(amd64 arm64)
SUITE=bookworm
# The arm64 sysroot the controller is cross-compiled against: its libraries' -dev packages.
SYSROOT_PACKAGES=(libc6-dev libstdc++-12-dev libcpprest-dev libyaml-cpp-dev libboost-dev
  libboost-program-options-dev libssl-dev libhiredis-dev libpq-dev libcctz-dev prometheus-cpp-dev)
MIRRORS=(
  "deb http://deb.debian.org/debian $SUITE main"
  "deb http://deb.debian.org/debian $SUITE-updates main"
  "deb http://deb.debian.org/debian-security $SUITE-security main"
)
VERSION=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' charts/gearbox/Chart.yaml)
COMMIT=$(git rev-parse HEAD)
export SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
t0=$(date +%s)
log() { echo "[release $(($(date +%s) - t0))s] $*" >&2; }
die() { echo "[release] ERROR: $*" >&2; exit 1; }
# No uncommitted change to what goes into a release (tests and docs do not).
clean_tree() { [[ -z $(git status --porcelain -- . ':!dist' ':!build*' ':!tests' ':!docs') ]]; }

# ------------------------------------------------------------------------------------ tools ----
tools() {
  bash hack/deps.sh >&2
  bash hack/deps.sh release >&2
  HELM=$(bash hack/cluster.sh helm)
}

cosign_tool() {  # cosign, built from its Go module into the cache once (keyed by version)
  COSIGN=$(bash hack/cluster.sh tool cosign "$COSIGN_VERSION" github.com/sigstore/cosign/v2/cmd/cosign \
    "-X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION")
}

# Debian's arm64 packages extracted (not installed) into a directory, cached by the package list:
# libpq-dev, libyaml-cpp-dev and libcctz-dev are not Multi-Arch: same in Debian 12, so their arm64
# versions cannot be installed beside the amd64 ones (dpkg --add-architecture arm64) on this machine.
arm64_sysroot() {
  local key dir
  key=$(printf '%s\n' "$SUITE" "${SYSROOT_PACKAGES[@]}" | sha256sum | cut -c1-16)
  dir=$CACHE/sysroot-arm64-$key
  if [[ ! -f $dir/.complete ]]; then
    log "extracting the arm64 sysroot ($dir)"
    rm -rf "$dir"
    mmdebstrap --quiet --variant=extract --architectures=arm64 \
      --include="$(printf '%s,' "${SYSROOT_PACKAGES[@]}")" \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' "$SUITE" "$dir" "${MIRRORS[@]}" >&2
    relative_links "$dir"
    touch "$dir/.complete"
  fi
  echo "$dir"
}

relative_links() {  # absolute symbolic links (libm.so -> /lib/...) would point into the host
  local link target
  while IFS= read -r -d '' link; do
    target=$(readlink "$link")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$1$target")" "$link"
  done < <(find "$1/usr" "$1/lib" -type l -lname '/*' -print0 2>/dev/null)
}

# ----------------------------------------------------------------------------------- builds ----
# gearbox-controller alone (no tests), RelWithDebInfo (as CI builds it; gcc 12 at -O3 warns of
# a false -Wrestrict in libstdc++, an error with -Werror; the image strips the debug info), through
# ccache (a cache outside the repository: a rebuild of the same sources costs seconds). The source
# path is mapped to ".", so that where the repository is checked out does not change the binary.
# The revision the binaries print is the release's commit, given (not read by CMake when it
# configures: a commit made meanwhile would make the two platforms' binaries differ).
# The build trees are always build-release/build-ARCH in the repository, whatever RELEASE_BUILD_DIR
# says: ccache hits only for a build tree at the same place relative to the sources.
build_target() {  # build_target ARCH TARGET: prints the build tree
  local build=$ROOT/build-release/build-$1 cross=()
  if [[ $1 == arm64 ]]; then
    cross=(-DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/aarch64-linux-gnu.cmake" -DGEARBOX_SYSROOT="$(arm64_sysroot)")
  fi
  log "building $2 for $1"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGEARBOX_BUILD_TESTS=OFF \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_FLAGS="-ffile-prefix-map=$ROOT/=" \
    -DGEARBOX_REVISION="${COMMIT:0:12}" \
    "${cross[@]}" >&2 || die "cmake could not configure the $1 build"
  CCACHE_DIR=$CACHE/ccache CCACHE_BASEDIR=$ROOT CCACHE_NOHASHDIR=1 \
    cmake --build "$build" --target "$2" -- -j"$(nproc)" >&2 || die "the $1 $2 did not build"
  echo "$build"
}

controller() {  # controller ARCH: prints the binary's path
  echo "$(build_target "$1" gearbox-controller)/controller/gearbox-controller"
}

image() {  # image ARCH: the single-platform image in $WORK/image-ARCH (hack/image.sh)
  local lock=$LOCK binary
  if ((UPDATE_LOCK)); then lock=; fi
  [[ -z $lock || -f $lock ]] || die "$lock is missing: run hack/release.sh --update-lock"
  binary=$(controller "$1")
  log "image for linux/$1"
  IMAGE_DIR=$WORK/image-$1 IMAGE_ARCH=$1 IMAGE_LOCK=$lock bash hack/image.sh --binary "$binary" 2>&1 |
    grep -v '^\[image\]   ' >&2 ||
    die "the linux/$1 image failed (if apt says a version of the lock is not found: --update-lock)"
  cp "$WORK/image-$1/packages.txt" "$WORK/image-$1/packages-$1.txt"
}

write_lock() {  # the versions of both images, as IMAGE_LOCK reads them
  {
    echo "# The Debian packages of the gearbox-controller image, each version exactly, per image"
    echo "# architecture: ARCH PACKAGE VERSION PACKAGE-ARCH. Written by hack/release.sh --update-lock;"
    echo "# hack/release.sh extracts these versions (hack/image.sh IMAGE_LOCK)."
    local arch
    for arch in "${ARCHES[@]}"; do sed "s/^/$arch /" "$WORK/image-$arch/packages.txt"; done
  } >"$LOCK"
  log "wrote $LOCK"
}

# The images, unless this commit's are there already (the digest does not depend on the registry).
images() {
  local stamp=$WORK/oci.commit
  if clean_tree && [[ -f $stamp && $(<"$stamp") == "$COMMIT" ]]; then
    log "reusing the images of $COMMIT"
  else
    rm -f "$stamp"
    local arch
    for arch in "${ARCHES[@]}"; do image "$arch"; done
    ((!UPDATE_LOCK)) || write_lock
    python3 hack/release.py index "$WORK/oci" "$VERSION" "$WORK/image-amd64/oci" "$WORK/image-arm64/oci" \
      >"$WORK/oci.digest"
    echo "$COMMIT" >"$stamp"
  fi
  DIGEST=$(<"$WORK/oci.digest")
}

# ------------------------------------------------------------------------------------ dist/ ----
archive() {  # the image layout as one tar, the same bytes for the same layout
  (cd "$WORK/oci" && tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    -cf "$DIST/gearbox-controller-$VERSION.oci.tar" oci-layout index.json blobs)
}

chart() {  # the chart, its values pointing at the image by digest
  local work=$WORK/chart
  rm -rf "$work" && mkdir -p "$work"
  cp -rL charts/gearbox "$work/gearbox"
  python3 hack/release.py pin "$work/gearbox/values.yaml" "$REPOSITORY" "$DIGEST"
  "$HELM" package "$work/gearbox" --version "$VERSION" --app-version "$VERSION" -d "$DIST" >&2
}

# kubectl-gearbox for each platform (docs/kubectl-plugin.md): a stripped binary in a tar.gz with
# the same bytes for the same binary, and krew's manifest (plugins/gearbox.yaml) with the
# archives' URLs (RELEASE_URL, by default the GitHub release of VERSION) and sha256 filled in.
plugin_archives() {
  local arch binary strip dir manifest=$WORK/gearbox.krew.yaml
  sed "s/^  version: .*/  version: v$VERSION/" plugins/gearbox.yaml >"$manifest"
  for arch in "${ARCHES[@]}"; do
    binary=$(build_target "$arch" kubectl-gearbox)/controller/cli/kubectl-gearbox
    strip=strip
    [[ $arch == amd64 ]] || strip=aarch64-linux-gnu-strip
    dir=$WORK/plugin-$arch && rm -rf "$dir" && mkdir -p "$dir"
    "$strip" -o "$dir/kubectl-gearbox" "$binary" || die "$strip failed on kubectl-gearbox ($arch)"
    (cd "$dir" && tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
      -cf - -- *) | gzip -n >"$DIST/kubectl-gearbox_linux_$arch.tar.gz"
    sed -i "s|SHA256_LINUX_${arch^^}|$(sha256sum "$DIST/kubectl-gearbox_linux_$arch.tar.gz" | cut -c1-64)|" "$manifest"
  done
  sed "s|RELEASE_URL|${RELEASE_URL:-https://github.com/gearbox-dev/gearbox/releases/download/v$VERSION}|" \
    "$manifest" >"$DIST/gearbox.krew.yaml"
}

release_json() {
  python3 hack/release.py release "$DIST/release.json" "$VERSION" "$COMMIT" "$SOURCE_DATE_EPOCH" \
    "$REPOSITORY" "$DIGEST" "$WORK/oci"
}

signing_key() {  # COSIGN_KEY, or a throwaway pair (tests); the public key goes into dist/
  cosign_tool
  if [[ -z ${COSIGN_KEY:-} ]]; then
    export COSIGN_KEY=$WORK/throwaway-key/cosign.key COSIGN_PASSWORD=
    if [[ ! -f $COSIGN_KEY ]]; then
      mkdir -p "$(dirname "$COSIGN_KEY")"
      (cd "$(dirname "$COSIGN_KEY")" && "$COSIGN" generate-key-pair >/dev/null 2>&1)
    fi
    log "WARNING: no COSIGN_KEY: signed with a throwaway key ($COSIGN_KEY), fit for tests only"
  fi
  "$COSIGN" public-key --key "$COSIGN_KEY" >"$DIST/cosign.pub"
}

# SHA256SUMS of every artifact, signed (cosign sign-blob; no transparency log: verifiable offline
# with cosign.pub alone).
sums_and_signature() {
  (cd "$DIST" && sha256sum -- *.oci.tar *.tgz *.tar.gz *.spdx.json gearbox.krew.yaml release.json >SHA256SUMS)
  signing_key
  "$COSIGN" sign-blob --yes --key "$COSIGN_KEY" --tlog-upload=false \
    --output-signature "$DIST/SHA256SUMS.sig" "$DIST/SHA256SUMS" >/dev/null 2>&1 ||
    die "cosign sign-blob failed"
  # verify-blob looks for Sigstore's trust root online, and carries on with the key without it: a
  # proxy on a closed loopback port keeps that attempt on this machine.
  HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost \
    "$COSIGN" verify-blob --key "$DIST/cosign.pub" --insecure-ignore-tlog=true \
    --signature "$DIST/SHA256SUMS.sig" "$DIST/SHA256SUMS" >/dev/null 2>&1 ||
    die "the signature just made does not verify"
}

build() {
  [[ $(sed -n 's/^version: *//p' charts/gearbox/Chart.yaml) == "$VERSION" ]] ||
    die "charts/gearbox/Chart.yaml: version and appVersion differ (a release has one version)"
  clean_tree || log "WARNING: uncommitted changes: this release is not the commit's"
  images
  rm -rf "$DIST" && mkdir -p "$DIST"
  archive
  chart
  plugin_archives
  log "SBOM"
  python3 hack/release.py sbom "$DIST/gearbox-controller-$VERSION.spdx.json" "$VERSION" "$DIGEST" \
    "$COMMIT" "$SOURCE_DATE_EPOCH" "$WORK"/image-*/packages-*.txt
  release_json
  sums_and_signature
  log "$REPOSITORY:$VERSION@$DIGEST"
  (cd "$DIST" && ls -l | sed 's/^/[release]   /' >&2)
}

# ------------------------------------------------------------------------------------- push ----
plain_http() { [[ $1 == 127.0.0.1:* || $1 == localhost:* || $1 == "[::1]:"* ]]; }

push() {  # push REGISTRY: the image index (its digest kept), the chart, a signature of each
  local registry=$1 tls=() helm_http=() cosign_http=() pushed chart_digest
  if plain_http "$registry"; then
    tls=(--dest-tls-verify=false) helm_http=(--plain-http)
    cosign_http=(--allow-http-registry --allow-insecure-registry)
  fi
  log "pushing $REPOSITORY:$VERSION"
  skopeo copy --quiet --all --preserve-digests "${tls[@]}" \
    "oci-archive:$DIST/gearbox-controller-$VERSION.oci.tar:$VERSION" "docker://$REPOSITORY:$VERSION" >&2
  pushed=$(skopeo inspect --raw "${tls[@]/dest-/}" "docker://$REPOSITORY:$VERSION" | sha256sum | cut -c1-64)
  [[ sha256:$pushed == "$DIGEST" ]] || die "the registry holds sha256:$pushed, not $DIGEST"
  log "pushing the chart to oci://$registry/gearbox"
  chart_digest=$("$HELM" push "$DIST/gearbox-$VERSION.tgz" "oci://$registry" "${helm_http[@]}" 2>&1 |
    tee /dev/stderr | sed -n 's/^Digest: //p')
  [[ $chart_digest == sha256:* ]] || die "helm push printed no digest"
  log "signing $REPOSITORY@$DIGEST and $registry/gearbox@$chart_digest"
  local ref
  for ref in "$REPOSITORY@$DIGEST" "$registry/gearbox@$chart_digest"; do
    "$COSIGN" sign --yes --key "$COSIGN_KEY" --tlog-upload=false "${cosign_http[@]}" "$ref" >/dev/null 2>&1 ||
      die "cosign sign $ref failed"
  done
  log "pushed: $REPOSITORY:$VERSION@$DIGEST, oci://$registry/gearbox --version $VERSION"
}

release_field() { python3 hack/release.py field "$DIST/release.json" "$1"; }

# A push reuses dist/ when it is this commit's release for that repository.
dist_is() {  # dist_is REPOSITORY
  [[ -f $DIST/release.json ]] && clean_tree &&
    [[ $(release_field commit) == "$COMMIT" && $(release_field repository) == "$1" ]]
}

pin() {
  [[ -f $DIST/release.json ]] || die "no release in $DIST: run hack/release.sh first"
  local repository digest
  repository=$(release_field repository)
  digest=$(release_field digest)
  python3 hack/release.py pin charts/gearbox/values.yaml "$repository" "$digest"
  log "charts/gearbox/values.yaml: image $repository@$digest"
}

UPDATE_LOCK=0
REPOSITORY=${RELEASE_REPOSITORY:-ghcr.io/gearbox-dev/gearbox-controller}
case ${1:-} in
"") tools && build ;;
--update-lock) UPDATE_LOCK=1 && tools && build ;;
--push)
  REGISTRY=${2:?usage: $0 --push REGISTRY}
  REGISTRY=${REGISTRY%/}
  REPOSITORY=$REGISTRY/gearbox-controller
  tools
  if dist_is "$REPOSITORY"; then log "pushing dist/ as it is"; else build; fi
  cosign_tool
  [[ -n ${COSIGN_KEY:-} ]] || signing_key
  push "$REGISTRY"
  ;;
--pin) pin ;;
--cosign) cosign_tool && echo "$COSIGN" && exit 0 ;; # the tests verify with it
*) echo "usage: $0 [--update-lock] | --push REGISTRY | --pin | --cosign" >&2 && exit 2 ;;
esac
log "done"
