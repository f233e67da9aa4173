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
equals "SHA256SUMS covers the image, the chart, the plugin and its krew manifest, the SBOM and release.json" \
  "gearbox-$VERSION.tgz gearbox-controller-$VERSION.oci.tar gearbox-controller-$VERSION.spdx.json gearbox.krew.yaml kubectl-gearbox_linux_amd64.tar.gz kubectl-gearbox_linux_arm64.tar.gz release.json" \
  "$(listed)"
# The plugin: each archive holds kubectl-gearbox for its machine, and krew's manifest names each
# archive with its sha256 (what `kubectl krew install --manifest` checks).
plugin_is() { tar -xzOf "$RELEASE_DIR/kubectl-gearbox_linux_$1.tar.gz" kubectl-gearbox | file - | grep -q "$2"; }
check "kubectl-gearbox_linux_amd64.tar.gz holds an x86-64 kubectl-gearbox" plugin_is amd64 'x86-64'
check "kubectl-gearbox_linux_arm64.tar.gz holds an ARM aarch64 kubectl-gearbox" plugin_is arm64 'ARM aarch64'
amd64_help() { tar -xzOf "$RELEASE_DIR/kubectl-gearbox_linux_amd64.tar.gz" kubectl-gearbox >"$WORK/kubectl-gearbox" &&
  chmod +x "$WORK/kubectl-gearbox" && "$WORK/kubectl-gearbox" --help 2>&1 | grep -q status; }
check "the amd64 plugin runs (--help names status)" amd64_help
krew_sha() { python3 -c 'import sys, yaml
m = yaml.safe_load(open(sys.argv[1]))
print(*[p["sha256"] for p in m["spec"]["platforms"] if p["selector"]["matchLabels"]["arch"] == sys.argv[2]])' \
  "$RELEASE_DIR/gearbox.krew.yaml" "$1"; }
for arch in amd64 arm64; do
  equals "gearbox.krew.yaml gives the $arch archive's sha256" \
    "$(sha256sum "$RELEASE_DIR/kubectl-gearbox_linux_$arch.tar.gz" | cut -c1-64)" "$(krew_sha "$arch")"
done
equals "gearbox.krew.yaml's version is the release's" "  version: v$VERSION" \
  "$(grep '^  version:' "$RELEASE_DIR/gearbox.krew.yaml")"
check "the signature and the public key are there" test -s "$RELEASE_DIR/SHA256SUMS.sig" -a -s "$RELEASE_DIR/cosign.pub"
equals "release.json names this commit" "$(git -C "$ROOT" rev-parse HEAD)" "$(field "$RELEASE_DIR" commit)"
check "the image index digest is a sha256 digest ($(field "$RELEASE_DIR" digest))" bash -c '[[ $1 =~ ^sha256:[0-9a-f]{64}$ ]]' _ "$(field "$RELEASE_DIR" digest)"
equals "the lock lists both images' packages" "amd64 arm64" "$(grep -v '^#' "$IMAGE_LOCK" | awk '{print $1}' | sort -u | xargs)"
(cd "$RELEASE_DIR" && ls -l | sed 's/^/    /')
finish
