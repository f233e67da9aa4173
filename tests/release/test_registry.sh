#!/usr/bin/env bash
# The user's path from a release to a registry and back, against a real OCI registry (the CNCF
# distribution registry on 127.0.0.1:15000, tests/lib/registry.sh), signed with a key of the
# test's own (COSIGN_KEY, with a password):
#   hack/release.sh --push 127.0.0.1:15000 -> the image index and the chart are in the registry;
#   the index pulled back holds linux/amd64 and linux/arm64, with the release's digests;
#   SHA256SUMS verifies offline against cosign.pub (a changed SHA256SUMS does not), and so do the
#   registry's signatures of the image and of the chart (another key's do not);
#   helm pulls the chart from oci:// (the release's bytes; values pointing at the image by digest);
#   the SBOM lists every Debian package of both images with its version, and the controller.
#
#   tests/release/test_registry.sh WORK   (WORK of test_reproducible.sh: its build is reused)
source "$(dirname "$0")/common.sh"
source "$ROOT/tests/lib/registry.sh"
PORT=15000 REGISTRY=127.0.0.1:15000
T=$WORK/registry-test
rm -rf "$T" && mkdir -p "$T"
export RELEASE_BUILD_DIR=$WORK/build RELEASE_DIR=$T/dist IMAGE_LOCK=$WORK/image-packages.lock
trap stop_registry EXIT
refused() { ! "$@"; }
HELM=$(bash "$ROOT/hack/cluster.sh" helm)
COSIGN=$(bash "$ROOT/hack/release.sh" --cosign)
setup "a distribution registry $REGISTRY_VERSION serves on $REGISTRY" start_registry "$PORT" "$T/registry"

# A key pair of the test's, protected by a password, as a release manager's would be.
mkdir -p "$T/key" "$T/other-key" "$T/pulled-chart"
export COSIGN_PASSWORD=release-test-password
(cd "$T/key" && "$COSIGN" generate-key-pair >/dev/null 2>&1)
(cd "$T/other-key" && COSIGN_PASSWORD= "$COSIGN" generate-key-pair >/dev/null 2>&1)
export COSIGN_KEY=$T/key/cosign.key
pushed() { bash "$ROOT/hack/release.sh" --push "$REGISTRY" >"$T/push.log" 2>&1 || { tail -30 "$T/push.log"; return 1; }; }
setup "hack/release.sh --push $REGISTRY" pushed
VERSION=$(field "$RELEASE_DIR" version) DIGEST=$(field "$RELEASE_DIR" digest)
IMAGE=$REGISTRY/gearbox-controller
equals "dist/ is for the registry's repository" "$IMAGE" "$(field "$RELEASE_DIR" repository)"
equals "cosign.pub is the key's" "$("$COSIGN" public-key --key "$COSIGN_KEY" 2>/dev/null)" "$(cat "$RELEASE_DIR/cosign.pub")"

# ---- the image index, pulled back ------------------------------------------------------------
SKOPEO=(skopeo --command-timeout 60s)
raw_digest() { "${SKOPEO[@]}" inspect --tls-verify=false --raw "docker://$IMAGE:$VERSION" | sha256sum | cut -c1-64; }
equals "the registry's $IMAGE:$VERSION is the release's index" "$DIGEST" "sha256:$(raw_digest)"
setup "skopeo copies the index with both images back out of the registry" \
  "${SKOPEO[@]}" copy --quiet --all --src-tls-verify=false "docker://$IMAGE:$VERSION" "oci:$T/pulled:$VERSION"
pulled_platforms() {
  python3 - "$T/pulled" <<'PY'
import json, sys
layout = sys.argv[1]
top = json.load(open(f"{layout}/index.json"))
index = json.load(open(f"{layout}/blobs/sha256/{top['manifests'][0]['digest'][7:]}"))
print(json.dumps({m["platform"]["architecture"]: m["digest"] for m in index["manifests"]}, sort_keys=True))
PY
}
equals "the pulled index holds linux/amd64 and linux/arm64 with the release's digests" \
  "$(field "$RELEASE_DIR" platforms)" \
  "$(pulled_platforms)"
arch_of() { "${SKOPEO[@]}" inspect --tls-verify=false --override-os linux --override-arch "$1" --format '{{.Architecture}}' "docker://$IMAGE:$VERSION"; }
equals "an arm64 node resolves the tag to the arm64 image" arm64 "$(arch_of arm64)"
equals "an amd64 node resolves the tag to the amd64 image" amd64 "$(arch_of amd64)"

# ---- signatures --------------------------------------------------------------------------------
check "every artifact matches SHA256SUMS" bash -c 'cd "$1" && sha256sum --quiet -c SHA256SUMS' _ "$RELEASE_DIR"
verify_blob() { loopback_only "$COSIGN" verify-blob --key "$1" --insecure-ignore-tlog=true --signature "$RELEASE_DIR/SHA256SUMS.sig" "$2" >/dev/null 2>&1; }
check "SHA256SUMS.sig verifies offline with cosign.pub" verify_blob "$RELEASE_DIR/cosign.pub" "$RELEASE_DIR/SHA256SUMS"
sed 's/^./0/' "$RELEASE_DIR/SHA256SUMS" >"$T/SHA256SUMS.changed"
check "a changed SHA256SUMS does not verify" refused verify_blob "$RELEASE_DIR/cosign.pub" "$T/SHA256SUMS.changed"
verify() { loopback_only "$COSIGN" verify --key "$1" --insecure-ignore-tlog=true --allow-http-registry "$2" >/dev/null 2>&1; }
check "the image's signature in the registry verifies with cosign.pub" verify "$RELEASE_DIR/cosign.pub" "$IMAGE@$DIGEST"
check "and not with another key" refused verify "$T/other-key/cosign.pub" "$IMAGE@$DIGEST"
CHART_DIGEST=$(sed -n 's/^Digest: //p' "$T/push.log" | tail -1)
check "the chart's signature in the registry verifies with cosign.pub" verify "$RELEASE_DIR/cosign.pub" "$REGISTRY/gearbox@$CHART_DIGEST"

# ---- the chart, from oci:// ---------------------------------------------------------------------
chart_field() { "$HELM" show chart "oci://$REGISTRY/gearbox" --version "$VERSION" --plain-http 2>/dev/null | sed -n "s/^$1: *//p" | tr -d '"'; }
equals "helm show chart oci://$REGISTRY/gearbox: version = appVersion = the release's" "$VERSION $VERSION" \
  "$(chart_field version) $(chart_field appVersion)"
setup "helm pull oci://$REGISTRY/gearbox --version $VERSION" \
  "$HELM" pull "oci://$REGISTRY/gearbox" --version "$VERSION" --plain-http -d "$T/pulled-chart"
equals "the pulled chart is the release's, byte for byte" \
  "$(cd "$RELEASE_DIR" && sha256sum "gearbox-$VERSION.tgz")" "$(cd "$T/pulled-chart" && sha256sum "gearbox-$VERSION.tgz")"
image_values() { "$HELM" show values "$T/pulled-chart/gearbox-$VERSION.tgz" | python3 -c 'import sys, yaml; i = yaml.safe_load(sys.stdin)["image"]; print(i["repository"], i["digest"])'; }
equals "its values point at the pushed image by digest" "$IMAGE $DIGEST" "$(image_values)"
rendered() { "$HELM" template gearbox "$T/pulled-chart/gearbox-$VERSION.tgz" --kube-version v1.36.3 | sed -n 's/^ *image: "\(.*\)"$/\1/p'; }
equals "the Deployment it renders runs that image" "$IMAGE:$VERSION@$DIGEST" "$(rendered)"

# ---- the SBOM -----------------------------------------------------------------------------------
sbom_missing() {
  python3 - "$RELEASE_DIR/gearbox-controller-$VERSION.spdx.json" "$RELEASE_BUILD_DIR"/image-*/packages-*.txt <<'PY'
import json, os, sys
sbom = json.load(open(sys.argv[1]))
assert sbom["spdxVersion"] == "SPDX-2.3", sbom["spdxVersion"]
purls = {r["referenceLocator"] for p in sbom["packages"] for r in p.get("externalRefs", [])}
names = {(p["name"], p.get("versionInfo")) for p in sbom["packages"]}
missing, count = [], 0
for path in sys.argv[2:]:
    for line in open(path):
        name, version, arch = line.split()
        count += 1
        if f"pkg:deb/debian/{name}@{version}?arch={arch}&distro=debian-12" not in purls:
            missing.append(f"{name} {version} {arch}")
if ("gearbox-controller", os.environ["VERSION"]) not in names:
    missing.append("gearbox-controller")
print(count, " ".join(missing) or "none")
PY
}
read -r count missing < <(VERSION=$VERSION sbom_missing)
equals "the SBOM lists every one of the images' $count Debian packages and the controller (missing:)" none "$missing"
check "both images have packages (the SBOM check is not empty)" test "$count" -gt 40
finish
