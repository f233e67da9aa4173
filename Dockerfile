# The gearbox-controller image, for people with Docker: the same image hack/image.sh builds without
# Docker (and CI builds and runs): Debian 12's runtime libraries extracted by mmdebstrap from the
# package list hack/image-packages.txt, trimmed by the same script, on no base image; the controller
# built with Debian's toolchain and libraries; user 65532:65532, no shell.
#   docker build -t ghcr.io/gearbox-dev/gearbox-controller:0.1.0 .
# Pin the Debian image by digest for a reproducible build, e.g.
#   docker build --build-arg DEBIAN=debian:12-slim@sha256:<digest> ...
# (no digest is written here: this repository's CI has no registry to check one against).
ARG DEBIAN=debian:12-slim

FROM ${DEBIAN} AS build
# The git revision for gearbox_build_info (.git is not copied):
#   docker build --build-arg REVISION=$(git rev-parse --short=12 HEAD) ...
ARG REVISION=unknown
RUN apt-get update && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config libcpprest-dev libyaml-cpp-dev libboost-dev \
      libboost-program-options-dev libssl-dev libhiredis-dev libpq-dev libprometheus-cpp-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY controller/ controller/
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DGEARBOX_BUILD_TESTS=OFF \
      -DGEARBOX_REVISION=${REVISION} \
    && cmake --build /build --target gearbox-controller \
    && strip --strip-unneeded /build/controller/gearbox-controller

FROM ${DEBIAN} AS rootfs
RUN apt-get update && apt-get install -y --no-install-recommends mmdebstrap ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY charts/gearbox/Chart.yaml charts/gearbox/Chart.yaml
COPY hack/image.sh hack/image-packages.txt hack/
RUN bash hack/image.sh rootfs /rootfs

FROM scratch
COPY --from=rootfs /rootfs/ /
COPY --from=build /build/controller/gearbox-controller /usr/local/bin/gearbox-controller
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/gearbox-controller"]
