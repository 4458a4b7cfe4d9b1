# IBM Z (Debian s390x): 64-bit big-endian, the one big-endian Debian target -- there to catch
# byte-order bugs that every little-endian phone would hide. Tests run under qemu-s390x.
#   cmake -B build/cross-s390x -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/s390x.cmake ...
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(KERB_CROSS_TRIPLE s390x-linux-gnu)
set(KERB_CROSS_QEMU qemu-s390x)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
