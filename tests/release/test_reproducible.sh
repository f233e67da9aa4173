#!/usr/bin/env bash
# Two releases of the same commit (hack/release.sh) give the same image: the first resolves the
# newest Debian packages and records them (--update-lock, into a copy of the lock), the second is
# built again from nothing but that lock (its images and controller build trees removed first) and
# must give the same image index digest and the same per-platform digests. The second release's
# dist/ stays for the other release tests.
#
#   tests/release/test_reproducible.sh WORK   (WORK: build, dist/ and lock of these tests)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/tests/lib/assert.sh"
WORK=${1:?usage: $0 WORK}
mkdir -p "$WORK"
export RELEASE_BUILD_DIR=$WORK/build RELEASE_DIR=$WORK/dist IMAGE_LOCK=$WORK/image-packages.lock
[[ ! -f $ROOT/hack/image-packages.lock ]] || cp "$ROOT/hack/image-packages.lock" "$IMAGE_LOCK"
field() { python3 "$ROOT/hack/release.py" field "$RELEASE_DIR/release.json" "$1"; }
elapsed() { local t=$SECONDS; "$@"; echo $((SECONDS - t)); }

t1=$(elapsed bash "$ROOT/hack/release.sh" --update-lock 2>"$WORK/release-1.log" >/dev/null) ||
  { tail -30 "$WORK/release-1.log"; fail "the first release failed"; finish; exit 1; }
pass "the first release ($t1 s, newest packages, recorded in the lock)"
first_digest=$(field digest) first_platforms=$(field platforms)
cp "$RELEASE_DIR/SHA256SUMS" "$WORK/SHA256SUMS.first"

# Nothing of the first release's images or controllers is left to reuse (ccache may still serve
# object files: the same compiler on the same preprocessed source).
rm -rf "$RELEASE_BUILD_DIR"/build-* "$RELEASE_BUILD_DIR"/image-* "$RELEASE_BUILD_DIR"/oci*
t2=$(elapsed bash "$ROOT/hack/release.sh" 2>"$WORK/release-2.log" >/dev/null) ||
  { tail -30 "$WORK/release-2.log"; fail "the second release failed"; finish; exit 1; }
pass "the second release ($t2 s, the lock's packages)"

equals "the same image index digest" "$first_digest" "$(field digest)"
equals "the same linux/amd64 and linux/arm64 manifest digests" "$first_platforms" "$(field platforms)"
locked() { sed "s/^/$1 /" "$RELEASE_BUILD_DIR/image-$1/packages.txt"; }
equals "the second release's packages are the lock's" "$(grep -v '^#' "$IMAGE_LOCK")" "$(locked amd64; locked arm64)"
same_sum() { grep -F " $1" "$WORK/SHA256SUMS.first" | cmp -s - <(grep -F " $1" "$RELEASE_DIR/SHA256SUMS"); }
check "the same image archive, byte for byte" same_sum "gearbox-controller-$(field version).oci.tar"
check "the same SBOM, byte for byte" same_sum "gearbox-controller-$(field version).spdx.json"
echo "image: $(field repository):$(field version)@$(field digest) $(field platforms)"
echo "differing artifacts (helm package stamps the chart's files with the time it ran):"
diff <(sort "$WORK/SHA256SUMS.first") <(sort "$RELEASE_DIR/SHA256SUMS") | sed -n 's/^> [0-9a-f]*  /    /p'
finish
