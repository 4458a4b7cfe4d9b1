# Compile policy shared by every kerb target.
#   kerb_library(target)  -- a library: strict warnings incl. -Wconversion, no exceptions/RTTI.
#   kerb_program(target)  -- a test, tool or sample: strict warnings, exceptions allowed.

set(KERB_WARNINGS -Wall -Wextra -Wpedantic -Werror)

function(kerb_program target)
  target_compile_options(${target} PRIVATE ${KERB_WARNINGS})
endfunction()

function(kerb_library target)
  target_compile_options(${target} PRIVATE ${KERB_WARNINGS} -Wconversion -Wsign-conversion
                                           -fno-exceptions -fno-rtti)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
