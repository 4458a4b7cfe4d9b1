# Debian's Catch2 2 (header-only) for a cross build: its CMake files (Catch.cmake for
# catch_discover_tests) and headers, with an include directory that holds catch2/ alone
# instead of the whole of the host's /usr/include. Found through Catch2_DIR, which
# cross-common.cmake sets.
include(${CMAKE_CURRENT_LIST_DIR}/host-catch2.cmake)
if(NOT TARGET Catch2::Catch2)
  list(APPEND CMAKE_MODULE_PATH ${KERB_HOST_CATCH2_CMAKE_DIR})
  set(_kerb_catch2_include ${CMAKE_BINARY_DIR}/catch2-include)
  file(MAKE_DIRECTORY ${_kerb_catch2_include})
  file(CREATE_LINK ${KERB_HOST_CATCH2_INCLUDE_DIR}/catch2 ${_kerb_catch2_include}/catch2
       SYMBOLIC)
  add_library(Catch2::Catch2 INTERFACE IMPORTED)
  set_target_properties(Catch2::Catch2 PROPERTIES
                        INTERFACE_INCLUDE_DIRECTORIES ${_kerb_catch2_include})
  unset(_kerb_catch2_include)
endif()
set(Catch2_FOUND TRUE)
