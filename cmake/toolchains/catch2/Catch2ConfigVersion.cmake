# The version check of the Debian package this directory wraps (Catch2Config.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/host-catch2.cmake)
include(${KERB_HOST_CATCH2_CMAKE_DIR}/Catch2ConfigVersion.cmake)
