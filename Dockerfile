# The gearbox-controller image: built on Debian 12 with Debian's libraries, run as non-root.
#   docker build -t gearbox-controller:0.1.0 .
FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config libcpprest-dev libyaml-cpp-dev libboost-dev \
      libboost-program-options-dev libssl-dev libhiredis-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY controller/ controller/
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DGEARBOX_BUILD_TESTS=OFF \
    && cmake --build /build --target gearbox-controller \
    && strip /build/controller/gearbox-controller

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libcpprest2.10 libyaml-cpp0.7 libboost-program-options1.74.0 libssl3 libhiredis0.14 \
      ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/controller/gearbox-controller /usr/local/bin/gearbox-controller
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/gearbox-controller"]
