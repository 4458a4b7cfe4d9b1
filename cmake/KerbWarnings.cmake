# Compile policy shared by every kerb target.
#   kerb_library(target)  -- a library: strict warnings incl. -Wconversion, no exceptions/RTTI.
#   kerb_program(target)  -- a test, tool or sample: strict warnings, exceptions allowed.

# -Wundef: the KERB_WITH_* feature macros (kerb/crypto/features.hpp) are tested with #if, so a
# file that forgets to include the header fails to build instead of silently losing a feature.
set(KERB_WARNINGS -Wall -Wextra -Wpedantic -Wundef -Werror)
# GCC 12 reports std::optional members of destroyed temporaries as "maybe uninitialized" at -O2
# (GCC bug 80635); the diagnostic is noise there. -Wuninitialized stays on, and clang, ASan
# and UBSan builds catch real uses of uninitialized memory.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND KERB_WARNINGS -Wno-maybe-uninitialized)
endif()

function(kerb_program target)
  target_compile_options(${target} PRIVATE ${KERB_WARNINGS})
endfunction()

function(kerb_library target)
  target_compile_options(${target} PRIVATE ${KERB_WARNINGS} -Wconversion -Wsign-conversion
                                           -fno-exceptions -fno-rtti)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  kerb_device_flags(${target})
endfunction()

# The device options of the root CMakeLists.txt, for the libraries (libtomcrypt's source build
# too): LTO, carried to whatever links the target; no unwind tables.
function(kerb_device_flags target)
  if(KERB_DEVICE_LTO)
    set_target_properties(${target} PROPERTIES INTERPROCEDURAL_OPTIMIZATION ON)
    target_link_options(${target} INTERFACE ${KERB_LTO_LINK_OPTION})
  endif()
  if(NOT KERB_UNWIND_TABLES)
    target_compile_options(${target} PRIVATE -fno-asynchronous-unwind-tables -fno-unwind-tables)
  endif()
endfunction()
