# 64-bit ARM (Debian arm64): today's phones. Debian's aarch64-linux-gnu-g++; tests run under
# qemu-aarch64.
#   cmake -B build/cross-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64.cmake ...
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(KERB_CROSS_TRIPLE aarch64-linux-gnu)
set(KERB_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
