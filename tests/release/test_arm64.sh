#!/usr/bin/env bash
# The release's image index (dist/ of test_build.sh) holds linux/amd64 and linux/arm64, and
# the arm64 image's controller is an AArch64 binary that starts: its layers are unpacked as the
# runtime would, and its entrypoint runs under qemu-user with that root file system as its only
# library path (-L), as the unprivileged user 65532.
#
#   tests/release/test_arm64.sh WORK
source "$(dirname "$0")/common.sh"
DIST=$WORK/dist
VERSION=$(field "$DIST" version)
LAYOUT=$(mktemp -d)
chmod 0755 "$LAYOUT" # the controller runs as 65532, which must reach its files
trap 'rm -rf "$LAYOUT"' EXIT
tar -xf "$DIST/gearbox-controller-$VERSION.oci.tar" -C "$LAYOUT" ||
  { fail "the image archive unpacks"; finish; exit 1; }

# The platforms of the index the layout tags VERSION.
index_platforms() {
  python3 - "$LAYOUT" "$VERSION" <<'PY'
import json, sys
layout, tag = sys.argv[1:]
blob = lambda d: json.load(open(f"{layout}/blobs/sha256/{d[7:]}"))
top = json.load(open(f"{layout}/index.json"))
[ref] = [m for m in top["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == tag]
platforms = [m["platform"] for m in blob(ref["digest"])["manifests"]]
print(" ".join(sorted(f'{p["os"]}/{p["architecture"]}' for p in platforms)))
PY
}
equals "the index tagged $VERSION holds both platforms" "linux/amd64 linux/arm64" "$(index_platforms)"

# The arm64 image's layers, unpacked in order (a whiteout-free image: one layer per build).
unpack_arm64() {
  python3 - "$LAYOUT" "$VERSION" "$1" <<'PY'
import json, sys, tarfile
layout, tag, out = sys.argv[1:]
blob_path = lambda d: f"{layout}/blobs/sha256/{d[7:]}"
blob = lambda d: json.load(open(blob_path(d)))
top = json.load(open(f"{layout}/index.json"))
[ref] = [m for m in top["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == tag]
[arm] = [m for m in blob(ref["digest"])["manifests"] if m["platform"]["architecture"] == "arm64"]
manifest = blob(arm["digest"])
config = blob(manifest["config"]["digest"])
assert config["architecture"] == "arm64", config["architecture"]
for layer in manifest["layers"]:
    with tarfile.open(blob_path(layer["digest"])) as t:
        t.extractall(out, filter="tar") if hasattr(tarfile, "data_filter") else t.extractall(out)
print(" ".join(config["config"]["Entrypoint"]), config["config"]["User"])
PY
}
ROOTFS=$LAYOUT/rootfs
read -r entrypoint user < <(unpack_arm64 "$ROOTFS")
equals "the arm64 image runs /usr/local/bin/gearbox-controller as 65532:65532" \
  "/usr/local/bin/gearbox-controller 65532:65532" "$entrypoint $user"
BINARY=$ROOTFS$entrypoint
# ELF header: class 64-bit (byte 4 = 2), machine EM_AARCH64 (183) at offset 18.
machine() {
  python3 -c 'import sys; h = open(sys.argv[1], "rb").read(20); print(h[4], int.from_bytes(h[18:20], "little"))' "$1"
}
equals "its controller is a 64-bit AArch64 ELF binary" "2 183" "$(machine "$BINARY")"
QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64)
[[ -n $QEMU ]] || { fail "qemu-user is installed (hack/deps.sh release)"; finish; exit 1; }
out=$(setpriv --reuid=65532 --regid=65532 --clear-groups "$QEMU" -L "$ROOTFS" "$BINARY" --version 2>&1)
rc=$?
equals "gearbox-controller --version exits 0 under $(basename "$QEMU") with the image's libraries" 0 "$rc"
revision=$(field "$DIST" commit)
check "it prints the release's version $VERSION and commit ${revision:0:12} ($out)" \
  bash -c '[[ $1 == *"$2"* && $1 == *"$3"* ]]' _ "$out" "$VERSION" "${revision:0:12}"
# The image's own libraries are what it loaded: without them the loader is not even found.
check "without the image's root file system it does not start (the check depends on it)" \
  bash -c '! "$1" -L /nonexistent "$2" --version >/dev/null 2>&1' _ "$QEMU" "$BINARY"
finish
