# tests/e2e/lifecycle_registry.sh -- sourced by test_lifecycle.sh --registry: the release pushed to a
# real registry on 127.0.0.1:$REGISTRY_PORT and the older chart beside it, every signature checked
# before anything is installed. Sets OLD_CHART, NEW_CHART (helm's chart arguments) and IMAGE.
REGISTRY=127.0.0.1:$REGISTRY_PORT
setup "a distribution registry serves on $REGISTRY (the node reaches it through its forwarded port)" \
  start_registry "$REGISTRY_PORT" "$WORK/registry"

# The release, built in the release tests' tree (its images reused) and signed with a key of ours.
export RELEASE_BUILD_DIR=$RELEASE_WORK/build RELEASE_DIR=$WORK/dist IMAGE_LOCK=$RELEASE_WORK/image-packages.lock
[[ -f $IMAGE_LOCK ]] || { mkdir -p "$RELEASE_WORK" && cp "$ROOT/hack/image-packages.lock" "$IMAGE_LOCK"; }
COSIGN=$(bash "$ROOT/hack/release.sh" --cosign)
mkdir -p "$WORK/key"
(cd "$WORK/key" && COSIGN_PASSWORD= "$COSIGN" generate-key-pair >/dev/null 2>&1)
export COSIGN_KEY=$WORK/key/cosign.key COSIGN_PASSWORD=
pushed() { bash "$ROOT/hack/release.sh" --push "$REGISTRY" >"$WORK/release.log" 2>&1 || { tail -20 "$WORK/release.log"; return 1; }; }
r0=$(date +%s)
setup "hack/release.sh --push $REGISTRY" pushed
log "release and push: $(($(date +%s) - r0)) s"
DIGEST=$(python3 "$ROOT/hack/release.py" field "$RELEASE_DIR/release.json" digest)
IMAGE=$REGISTRY/gearbox-controller:$TAG@$DIGEST

# The older chart as version TAG-previous (semver orders it before TAG), the same image by digest.
python3 "$ROOT/hack/release.py" pin "$WORK/chart-old/values.yaml" "$REGISTRY/gearbox-controller" "$DIGEST"
helm package "$WORK/chart-old" --version "$TAG-previous" --app-version "$TAG" -d "$WORK" >/dev/null
old_digest=$(helm push "$WORK/gearbox-$TAG-previous.tgz" "oci://$REGISTRY" --plain-http 2>&1 | sed -n 's/^Digest: //p')
setup "the older chart is pushed as $TAG-previous" test -n "$old_digest"
setup "and signed" "$COSIGN" sign --yes --key "$COSIGN_KEY" --tlog-upload=false --allow-http-registry \
  "$REGISTRY/gearbox@$old_digest"

# What a careful user checks before installing: the image's and the charts' signatures, with the
# release's public key and no transparency log (offline from anything but the registry).
verified() { loopback_only "$COSIGN" verify --key "$RELEASE_DIR/cosign.pub" --insecure-ignore-tlog=true --allow-http-registry "$1" >/dev/null 2>&1; }
manifest_digest() { # the chart's manifest digest as the registry serves it
  curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/gearbox/manifests/$1" | sha256sum | cut -c1-64
}
setup "the image index's signature verifies before install" verified "$REGISTRY/gearbox-controller@$DIGEST"
setup "the chart $TAG-previous's signature verifies before install" verified "$REGISTRY/gearbox@sha256:$(manifest_digest "$TAG-previous")"
setup "the chart $TAG's signature verifies before upgrade" verified "$REGISTRY/gearbox@sha256:$(manifest_digest "$TAG")"
node_has_image() { bash "$ROOT/hack/cluster.sh" ctr images ls -q | grep -q "^$REGISTRY/gearbox-controller"; }
no_image_yet() { ! node_has_image; }
setup "the node has no copy of the image yet (it must pull it)" no_image_yet
OLD_CHART=("oci://$REGISTRY/gearbox" --version "$TAG-previous" --plain-http)
NEW_CHART=("oci://$REGISTRY/gearbox" --version "$TAG" --plain-http)
