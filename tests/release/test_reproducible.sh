#!/usr/bin/env bash
# Two releases of the same commit (hack/release.sh) give the same image: the release of
# test_build.sh (the newest packages, recorded in the lock) and a second one built from nothing
# but that lock (the first one's images and controller build trees removed) have the same image
# index digest and the same per-platform digests, and the second extracted exactly the lock's
# package versions.
#
#   tests/release/test_reproducible.sh WORK   (WORK of test_build.sh)
source "$(dirname "$0")/common.sh"
FIRST=$WORK/dist
export RELEASE_BUILD_DIR=$WORK/build RELEASE_DIR=$WORK/dist-again IMAGE_LOCK=$WORK/image-packages.lock

# Nothing of the first release's images or controllers is left to reuse (ccache may still serve
# object files: the same compiler on the same preprocessed source).
rm -rf "$ROOT"/build-release/build-* "$RELEASE_BUILD_DIR"/image-* "$RELEASE_BUILD_DIR"/oci*
t=$SECONDS
if ! bash "$ROOT/hack/release.sh" >"$WORK/release-again.log" 2>&1; then
  tail -30 "$WORK/release-again.log"
  fail "the second release (the lock's packages)"
  finish
  exit 1
fi
pass "the second release ($((SECONDS - t)) s, the lock's packages)"

equals "the same image index digest" "$(field "$FIRST" digest)" "$(field "$RELEASE_DIR" digest)"
equals "the same linux/amd64 and linux/arm64 manifest digests" \
  "$(field "$FIRST" platforms)" "$(field "$RELEASE_DIR" platforms)"
locked() { sed "s/^/$1 /" "$RELEASE_BUILD_DIR/image-$1/packages.txt"; }
equals "the second release's packages are the lock's" "$(grep -v '^#' "$IMAGE_LOCK")" "$(locked amd64; locked arm64)"
VERSION=$(field "$FIRST" version)
same_file() { cmp -s "$FIRST/$1" "$RELEASE_DIR/$1"; }
check "the same image archive, byte for byte" same_file "gearbox-controller-$VERSION.oci.tar"
check "the same SBOM, byte for byte" same_file "gearbox-controller-$VERSION.spdx.json"
for arch in amd64 arm64; do
  check "the same kubectl-gearbox archive for $arch, byte for byte" same_file "kubectl-gearbox_linux_$arch.tar.gz"
done
check "the same krew manifest" same_file gearbox.krew.yaml
echo "image: $(field "$RELEASE_DIR" repository):$VERSION@$(field "$RELEASE_DIR" digest) $(field "$RELEASE_DIR" platforms)"
echo "artifacts that differ (helm package stamps the chart's files with the time it ran):"
diff <(sort "$FIRST/SHA256SUMS") <(sort "$RELEASE_DIR/SHA256SUMS") | sed -n 's/^> [0-9a-f]*  /    /p'
finish
