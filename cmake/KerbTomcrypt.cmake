# libtomcrypt for kerb::crypto: the system's (Debian's libtomcrypt-dev, the default), or, with
# -DKERB_TOMCRYPT_SOURCE_DIR=<unpacked libtomcrypt 1.18 source> (scripts/fetch-libtomcrypt-source
# prints one), built here from that source with only what kerb and its tests call, for size.
# Either way this sets TOMCRYPT_INCLUDE_DIR and TOMCRYPT_LIBRARY (a path or the kerb_tomcrypt
# target) in the including directory and its parent, for crypto, its tests and the benchmarks,
# and KERB_TOMCRYPT_BUNDLED / KERB_TOMCRYPT_PC_LIB for the installed package.
#
# The source build is add_library over libtomcrypt's own .c files with the build's C compiler,
# so a cross toolchain file builds it for the target like the rest of kerb.
set(KERB_TOMCRYPT_SOURCE_DIR "" CACHE PATH
    "Build libtomcrypt from this unpacked source tree instead of using the system's")

if(KERB_TOMCRYPT_SOURCE_DIR STREQUAL "")
  # Prefer the static archive: the footprint budget counts only the libtomcrypt code we use,
  # and a device build should not need libtomcrypt.so at run time.
  find_path(TOMCRYPT_INCLUDE_DIR tomcrypt.h REQUIRED)
  find_library(TOMCRYPT_LIBRARY NAMES libtomcrypt.a tomcrypt REQUIRED)
  set(KERB_TOMCRYPT_BUNDLED OFF PARENT_SCOPE)
  set(KERB_TOMCRYPT_PC_LIB -ltomcrypt PARENT_SCOPE)
  return()
endif()

set(ltc ${KERB_TOMCRYPT_SOURCE_DIR})
if(NOT EXISTS ${ltc}/src/headers/tomcrypt.h OR NOT EXISTS ${ltc}/src/misc/crypt/crypt_sizes.c)
  message(FATAL_ERROR "KERB_TOMCRYPT_SOURCE_DIR=${ltc} is not an unpacked libtomcrypt source "
                      "tree (scripts/fetch-libtomcrypt-source DIR makes one)")
endif()

# What libtomcrypt's own tomcrypt_custom.h turns on, given as -D flags so that the library and
# every file that includes tomcrypt.h (crypto/src, tests/crypto) see the same structs:
# ltc_state.hpp checks their layout and tests/crypto/ltc_guard_test.cpp compares sizes with
# the library's crypt_get_size. LTC_NOTHING starts from nothing; then
#  - what kerb::crypto calls: AES (rijndael_*), SHA-1, SHA-256, SHA-384 (built on SHA-512),
#    MD5 (the rsa-md5 checksum), and with the optional enctypes Camellia, MD4 and RC4;
#  - what tests/crypto uses as its oracle: HMAC and PKCS #5 (with the hash helpers they call),
#    and OMAC for CMAC. The linker's --gc-sections drops these from an app that does not call
#    them (the library is built with function and data sections).
#  - LTC_SMALL_CODE (one AES table instead of eight), no self-tests, no file I/O.
# Never LTC_CLEAN_STACK: ltc_state.hpp refuses it (its *_done would wipe past kerb's states).
set(ltc_defs LTC_NOTHING LTC_NO_TEST LTC_SMALL_CODE LTC_NO_FILE
    LTC_RIJNDAEL LTC_SHA1 LTC_SHA256 LTC_SHA512 LTC_SHA384 LTC_MD5
    LTC_HASH_HELPERS LTC_HMAC LTC_PKCS_5)
if(KERB_WITH_CAMELLIA)
  list(APPEND ltc_defs LTC_CAMELLIA LTC_OMAC)
endif()
if(KERB_WITH_RC4_HMAC)
  list(APPEND ltc_defs LTC_MD4 LTC_RC4_STREAM)
endif()

# The folders that hold those algorithms; the rest of each compiles to nothing under the
# flags above.
file(GLOB_RECURSE ltc_sources CONFIGURE_DEPENDS
     ${ltc}/src/ciphers/*.c ${ltc}/src/hashes/*.c ${ltc}/src/mac/hmac/*.c
     ${ltc}/src/mac/omac/*.c ${ltc}/src/misc/*.c ${ltc}/src/stream/rc4/*.c)
add_library(kerb_tomcrypt STATIC ${ltc_sources})
# Not "libtomcrypt.a": this archive holds a few algorithms of it, built for kerb.
set_target_properties(kerb_tomcrypt PROPERTIES C_STANDARD 99 C_EXTENSIONS ON
                      C_CLANG_TIDY "" C_INCLUDE_WHAT_YOU_USE "")
# PUBLIC: what includes tomcrypt.h must see the library's structs (ltc_guard_test fails when
# kerb is compiled without these flags: symmetric_key 4256 bytes against the library's 488).
target_compile_definitions(kerb_tomcrypt PUBLIC ${ltc_defs} PRIVATE LTC_SOURCE)
target_include_directories(kerb_tomcrypt SYSTEM PUBLIC $<BUILD_INTERFACE:${ltc}/src/headers>)
# For size whatever the build type (the last -O wins); sections for --gc-sections; -w since
# libtomcrypt's warnings are not kerb's to fix.
target_compile_options(kerb_tomcrypt PRIVATE -Os -ffunction-sections -fdata-sections -w)
kerb_device_flags(kerb_tomcrypt)
# kerb::crypto links it PRIVATE, so a static kerb::crypto exports it as a link dependency.
install(TARGETS kerb_tomcrypt EXPORT kerbTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

# Plain variables: they shadow the cache entries a system configure of this build dir left.
set(TOMCRYPT_INCLUDE_DIR ${ltc}/src/headers)
set(TOMCRYPT_LIBRARY kerb_tomcrypt)
set(KERB_TOMCRYPT_BUNDLED ON)
set(KERB_TOMCRYPT_PC_LIB -lkerb_tomcrypt)
foreach(v TOMCRYPT_INCLUDE_DIR TOMCRYPT_LIBRARY KERB_TOMCRYPT_BUNDLED KERB_TOMCRYPT_PC_LIB)
  set(${v} ${${v}} PARENT_SCOPE)
endforeach()
