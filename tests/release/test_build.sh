#!/usr/bin/env bash
# hack/release.sh makes a whole release in dist/: the image index archive, the chart, the SBOM,
# release.json, SHA256SUMS of them all and its cosign signature with the public key. It resolves
# the newest Debian packages and records them (--update-lock, into a copy of the lock in WORK: the
# repository's lock is left as it is). The fixture of the other release tests.
#
#   tests/release/test_build.sh WORK   (WORK: the release's build tree, dist/ and lock)
source "$(dirname "$0")/common.sh"
export RELEASE_BUILD_DIR=$WORK/build RELEASE_DIR=$WORK/dist IMAGE_LOCK=$WORK/image-packages.lock
[[ ! -f $ROOT/hack/image-packages.lock ]] || cp "$ROOT/hack/image-packages.lock" "$IMAGE_LOCK"
t=$SECONDS
if ! bash "$ROOT/hack/release.sh" --update-lock >"$WORK/release.log" 2>&1; then
  tail -30 "$WORK/release.log"
  fail "hack/release.sh --update-lock"
  finish
  exit 1
fi
pass "hack/release.sh --update-lock ($((SECONDS - t)) s)"
VERSION=$(field "$RELEASE_DIR" version)
listed() { (cd "$RELEASE_DIR" && awk '{print $2}' SHA256SUMS | sort | xargs); }
equals "SHA256SUMS covers the image, the chart, the SBOM and release.json" \
  "gearbox-$VERSION.tgz gearbox-controller-$VERSION.oci.tar gearbox-controller-$VERSION.spdx.json release.json" \
  "$(listed)"
check "the signature and the public key are there" test -s "$RELEASE_DIR/SHA256SUMS.sig" -a -s "$RELEASE_DIR/cosign.pub"
equals "release.json names this commit" "$(git -C "$ROOT" rev-parse HEAD)" "$(field "$RELEASE_DIR" commit)"
check "the image index digest is a sha256 digest ($(field "$RELEASE_DIR" digest))" bash -c '[[ $1 =~ ^sha256:[0-9a-f]{64}$ ]]' _ "$(field "$RELEASE_DIR" digest)"
equals "the lock lists both images' packages" "amd64 arm64" "$(grep -v '^#' "$IMAGE_LOCK" | awk '{print $1}' | sort -u | xargs)"
(cd "$RELEASE_DIR" && ls -l | sed 's/^/    /')
finish
