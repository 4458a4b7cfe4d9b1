# Shared by the toolchain files next to it (armhf.cmake, aarch64.cmake, s390x.cmake), which set
# KERB_CROSS_TRIPLE (the Debian multiarch triple) and KERB_CROSS_QEMU (qemu-user's program)
# and include this file. Debian's g++-<triple> cross compilers find their headers and libraries
# under /usr/<triple> by themselves; that directory is also where CMake looks for the target's
# libraries and headers (never the host's), and qemu-user runs the target's programs with it as
# the dynamic loader's root, so ctest and catch_discover_tests run tests under emulation.
set(CMAKE_SYSTEM_NAME Linux)

set(CMAKE_C_COMPILER ${KERB_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${KERB_CROSS_TRIPLE}-g++)

# Not CMAKE_SYSROOT: Debian's cross compilers are built with their search paths under
# /usr/<triple> (include/, lib/), not a sysroot's usr/include and usr/lib.
set(CMAKE_FIND_ROOT_PATH /usr/${KERB_CROSS_TRIPLE})
# Programs (build tools, scripts) from the host; libraries, headers and packages only from
# the target root.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config knows nothing of the above: point it at the target's .pc files (Debian multiarch
# and the cross root), never the host's.
set(ENV{PKG_CONFIG_LIBDIR}
    /usr/lib/${KERB_CROSS_TRIPLE}/pkgconfig:/usr/${KERB_CROSS_TRIPLE}/lib/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

find_program(KERB_CROSS_QEMU_PROGRAM NAMES ${KERB_CROSS_QEMU} ${KERB_CROSS_QEMU}-static)
if(KERB_CROSS_QEMU_PROGRAM)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${KERB_CROSS_QEMU_PROGRAM} -L /usr/${KERB_CROSS_TRIPLE})
endif()

# Catch2 2 is header-only and the same for every target, but Debian's package config imports
# /usr/include as the include directory, which would put the host's C library headers in front
# of the target's. catch2/Catch2Config.cmake here wraps it with an include directory that holds
# catch2/ alone. A path in Catch2_DIR is taken as it is, not under CMAKE_FIND_ROOT_PATH.
if(NOT DEFINED Catch2_DIR)
  set(Catch2_DIR ${CMAKE_CURRENT_LIST_DIR}/catch2 CACHE PATH "Catch2's package config")
endif()
