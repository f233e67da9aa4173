# Cross-compiling gearbox-controller for linux/arm64 on an amd64 Debian 12 machine (hack/release.sh):
# Debian's aarch64 cross compiler (g++-aarch64-linux-gnu) against a sysroot of Debian 12 arm64
# packages (the libraries' -dev packages, extracted by mmdebstrap --architectures=arm64: several
# of them, libpq-dev, libyaml-cpp-dev and libcctz-dev, are not Multi-Arch: same in Debian 12, so
# their arm64 versions cannot be installed beside the amd64 ones with dpkg --add-architecture).
#
#   cmake -S . -B BUILD -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
#     -DGEARBOX_SYSROOT=/path/to/arm64/sysroot -DGEARBOX_BUILD_TESTS=OFF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# try_compile re-reads this file in a project of its own: the sysroot must travel with it.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES GEARBOX_SYSROOT)
if(NOT GEARBOX_SYSROOT OR NOT EXISTS "${GEARBOX_SYSROOT}/usr/include")
  message(FATAL_ERROR "GEARBOX_SYSROOT must name an arm64 sysroot (hack/release.sh makes one)")
endif()
set(CMAKE_SYSROOT "${GEARBOX_SYSROOT}")

# Libraries, headers and CMake packages from the sysroot only; programs (pkg-config) from the host.
set(CMAKE_FIND_ROOT_PATH "${GEARBOX_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${GEARBOX_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
  "${GEARBOX_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${GEARBOX_SYSROOT}/usr/share/pkgconfig")
