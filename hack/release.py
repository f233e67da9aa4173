#!/usr/bin/env python3
"""hack/release.py -- the parts of a release (hack/release.sh) that are JSON: the multi-platform
OCI image index, the SBOM, the pinned digest in the chart's values.

  release.py index OUT TAG LAYOUT...   one OCI image layout OUT whose tag TAG is an image index of
                                       the single-platform images of each LAYOUT (hack/image.sh
                                       output, each tagged TAG); prints the index's digest
  release.py sbom OUT VERSION DIGEST COMMIT EPOCH PACKAGES...
                                       an SPDX 2.3 JSON document: the image, the controller and every
                                       Debian package of each PACKAGES file (hack/image.sh's
                                       packages.txt, named packages-ARCH.txt)
  release.py release OUT VERSION COMMIT EPOCH REPOSITORY DIGEST LAYOUT
                                       release.json: what a release is (its platforms' digests read
                                       from the index in LAYOUT)
  release.py field FILE NAME           one field of release.json
  release.py pin VALUES REPOSITORY DIGEST
                                       set image.repository and image.digest in a chart's values.yaml
                                       (the lines themselves: the comments and layout stay)

Every JSON document is written with sorted keys and no time but the commit's, so that the same
inputs give the same bytes, and so the same digest.
"""
import datetime
import hashlib
import json
import os
import re
import shutil
import sys

INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
REF_NAME = "org.opencontainers.image.ref.name"


def canonical(document):
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def read_blob(layout, digest):
    algorithm, hexdigest = digest.split(":", 1)
    with open(os.path.join(layout, "blobs", algorithm, hexdigest), "rb") as f:
        return f.read()


def write_blob(layout, data):
    hexdigest = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs", "sha256", hexdigest)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + hexdigest, "size": len(data)}


def tagged_manifest(layout, tag):
    """The descriptor of the manifest tagged TAG in an OCI layout, with its platform added."""
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    found = [m for m in index["manifests"] if m.get("annotations", {}).get(REF_NAME) == tag]
    if len(found) != 1:
        sys.exit(f"release.py: {layout} has no single manifest tagged {tag}")
    manifest = json.loads(read_blob(layout, found[0]["digest"]))
    config = json.loads(read_blob(layout, manifest["config"]["digest"]))
    return {
        "mediaType": MANIFEST_TYPE,
        "digest": found[0]["digest"],
        "size": found[0]["size"],
        "platform": {"architecture": config["architecture"], "os": config["os"]},
    }


def index(out, tag, layouts):
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    manifests = []
    for layout in layouts:
        shutil.copytree(os.path.join(layout, "blobs"), os.path.join(out, "blobs"), dirs_exist_ok=True)
        manifests.append(tagged_manifest(layout, tag))
    manifests.sort(key=lambda m: m["platform"]["architecture"])
    image_index = {"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": manifests}
    descriptor = write_blob(out, canonical(image_index))
    top = {
        "schemaVersion": 2,
        "mediaType": INDEX_TYPE,
        "manifests": [dict(descriptor, mediaType=INDEX_TYPE, annotations={REF_NAME: tag})],
    }
    with open(os.path.join(out, "index.json"), "wb") as f:
        f.write(canonical(top))
    with open(os.path.join(out, "oci-layout"), "wb") as f:
        f.write(canonical({"imageLayoutVersion": "1.0.0"}))
    print(descriptor["digest"])


def spdx_id(*parts):
    return "SPDXRef-" + re.sub(r"[^A-Za-z0-9.-]", "-", "-".join(parts))


def debian_packages(packages_file):
    """The packages of one image: packages-ARCH.txt, lines 'NAME VERSION ARCH'."""
    image_arch = re.match(r"packages-(.+)\.txt$", os.path.basename(packages_file)).group(1)
    with open(packages_file) as f:
        for line in f:
            if line.strip():
                name, version, arch = line.split()
                yield image_arch, name, version, arch


def deb_package(image_arch, name, version, arch):
    purl = f"pkg:deb/debian/{name}@{version}?arch={arch}&distro=debian-12"
    return {
        "SPDXID": spdx_id("deb", image_arch, name),
        "name": name,
        "versionInfo": version,
        "supplier": "Organization: Debian",
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "comment": f"in the linux/{image_arch} image (Debian architecture {arch})",
        "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                          "referenceLocator": purl}],
    }


def sbom(out, version, digest, commit, epoch, packages_files):
    source = "https://github.com/gearbox-dev/gearbox"
    image = {
        "SPDXID": spdx_id("image"),
        "name": "gearbox-controller",
        "versionInfo": version,
        "supplier": "Organization: Gearbox",
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "checksums": [{"algorithm": "SHA256", "checksumValue": digest.split(":", 1)[1]}],
        "primaryPackagePurpose": "CONTAINER",
        "comment": "the OCI image index (linux/amd64, linux/arm64); the checksum is its digest",
        "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                          "referenceLocator": f"pkg:oci/gearbox-controller@{digest}"}],
    }
    controller = {
        "SPDXID": spdx_id("gearbox-controller"),
        "name": "gearbox-controller",
        "versionInfo": version,
        "supplier": "Organization: Gearbox",
        "downloadLocation": f"git+{source}@{commit}",
        "filesAnalyzed": False,
        "licenseConcluded": "NOASSERTION",
        "primaryPackagePurpose": "APPLICATION",
        "comment": "/usr/local/bin/gearbox-controller, built from this commit for each platform",
    }
    packages = [image, controller]
    relationships = [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": image["SPDXID"]},
        {"spdxElementId": image["SPDXID"], "relationshipType": "CONTAINS", "relatedSpdxElement": controller["SPDXID"]},
    ]
    for packages_file in packages_files:
        for entry in debian_packages(packages_file):
            package = deb_package(*entry)
            packages.append(package)
            relationships.append({"spdxElementId": image["SPDXID"], "relationshipType": "CONTAINS",
                                  "relatedSpdxElement": package["SPDXID"]})
    created = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    document = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"gearbox-controller-{version}",
        "documentNamespace": f"{source}/releases/{version}/sbom-{digest.split(':', 1)[1]}",
        "creationInfo": {"created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "creators": ["Tool: gearbox-hack-release.py"]},
        "documentDescribes": [image["SPDXID"]],
        "packages": packages,
        "relationships": relationships,
    }
    with open(out, "w") as f:
        json.dump(document, f, sort_keys=True, indent=1)
        f.write("\n")


def release(out, version, commit, epoch, repository, digest, layout):
    image_index = json.loads(read_blob(layout, digest))
    platforms = {m["platform"]["architecture"]: m["digest"] for m in image_index["manifests"]}
    document = {"version": version, "commit": commit, "sourceDateEpoch": int(epoch),
                "repository": repository, "digest": digest, "platforms": platforms}
    with open(out, "w") as f:
        json.dump(document, f, sort_keys=True, indent=1)
        f.write("\n")


def field(path, name):
    with open(path) as f:
        value = json.load(f)[name]
    print(value if isinstance(value, str) else json.dumps(value, sort_keys=True))


def pin(values, repository, digest):
    """image.repository and image.digest of a chart's values.yaml, set in place."""
    with open(values) as f:
        text = f.read()
    block = re.search(r"^image:\n((?:[ #].*\n|\n)*)", text, re.M)
    if not block or not re.search(r"^  digest:", block.group(1), re.M):
        sys.exit(f"release.py: {values} has no image.digest to pin")
    body = re.sub(r"^  repository: .*$", f"  repository: {repository}", block.group(1), count=1, flags=re.M)
    body = re.sub(r'^  digest: .*$', f'  digest: "{digest}"', body, count=1, flags=re.M)
    with open(values, "w") as f:
        f.write(text[: block.start(1)] + body + text[block.end(1):])


def main(argv):
    commands = {"index": (index, 3), "sbom": (sbom, 6), "release": (release, 7), "field": (field, 2),
                "pin": (pin, 3)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 < commands[argv[1]][1]:
        sys.exit(__doc__)
    command, fixed = commands[argv[1]]
    args = argv[2:]
    if command is index:
        return index(args[0], args[1], args[2:])
    if command is sbom:
        return sbom(*args[:5], args[5:])
    return command(*args[:fixed])


if __name__ == "__main__":
    main(sys.argv)
