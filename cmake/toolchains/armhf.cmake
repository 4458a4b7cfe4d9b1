# 32-bit ARM, hard float (Debian armhf): ARMv7-A in Thumb-2, the baseline of 32-bit Android and
# iOS-era phones. Debian's arm-linux-gnueabihf-g++; tests run under qemu-arm.
#   cmake -B build/cross-armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/armhf.cmake ...
set(CMAKE_SYSTEM_PROCESSOR arm)
set(KERB_CROSS_TRIPLE arm-linux-gnueabihf)
set(KERB_CROSS_QEMU qemu-arm)
# Debian's defaults already, spelled out so a build does not depend on them.
set(CMAKE_C_FLAGS_INIT "-march=armv7-a+fp -mthumb -mfloat-abi=hard")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a+fp -mthumb -mfloat-abi=hard")
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
