# install() and export of the kerb:: targets, a CMake package config and a pkg-config file.
include(CMakePackageConfigHelpers)

# kerb_internal's archive goes with a static kerb::kerb and kerb::gss (they link it); its
# headers are never installed.
install(TARGETS kerb_base kerb_der kerb_crypto kerb_internal kerb_kerb kerb_gss kerb_c
        EXPORT kerbTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(dir base der crypto kerb gss c)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
# The optional KDC proxy transport (kerb::https, libcurl), when built.
if(TARGET kerb_https)
  install(TARGETS kerb_https
          EXPORT kerbTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/https/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
# Generated: kerb/crypto/features.hpp (which optional enctypes this build has).
install(DIRECTORY ${PROJECT_BINARY_DIR}/crypto/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Generated: kerb/features.hpp (whether krb5.conf reading is built).
install(DIRECTORY ${PROJECT_BINARY_DIR}/kerb/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT kerbTargets NAMESPACE kerb:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kerb)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/kerbConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/kerbConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kerb)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/kerbConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/kerbConfig.cmake ${PROJECT_BINARY_DIR}/kerbConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kerb)

# Only the components that are real archives appear on the link line, top layer first (the C
# API's kerb_c above all).
set(KERB_PC_LIBS "")
foreach(t kerb_c kerb_gss kerb_kerb kerb_internal kerb_crypto kerb_der)
  get_target_property(type ${t} TYPE)
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    string(APPEND KERB_PC_LIBS " -l${t}")
  endif()
endforeach()
# An LTO build's archives hold compiler IR: the app's link must be an LTO link too.
set(KERB_PC_LTO "")
if(KERB_DEVICE_LTO)
  set(KERB_PC_LTO " ${KERB_LTO_LINK_OPTION}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/kerb.pc.in ${PROJECT_BINARY_DIR}/kerb.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/kerb.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
