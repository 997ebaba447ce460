# The installable C++ package: headers, libraries, the CLI and fp4labConfig.cmake exporting
# fp4lab::formats (header-only, usable from CUDA), fp4lab::core, fp4lab::experiments and, when
# built, fp4lab::kernels. tests/package/ builds an outside project against the installed tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FP4LAB_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/fp4lab)
set(fp4lab_exported fp4lab_formats fp4lab_core fp4lab_experiments)
if(FP4LAB_HAVE_CUDA)
  list(APPEND fp4lab_exported fp4lab_kernels)
endif()
foreach(t IN LISTS fp4lab_exported)
  string(REPLACE "fp4lab_" "" short ${t})
  set_target_properties(${t} PROPERTIES EXPORT_NAME ${short})
  add_library(fp4lab::${short} ALIAS ${t})
endforeach()

install(TARGETS ${fp4lab_exported} EXPORT fp4labTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fp4lab)
install(TARGETS fp4lab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Headers keep their paths under include/fp4lab ("formats/block.hpp", "core/quantize.hpp", ...).
set(fp4lab_header_dirs formats core experiments)
if(FP4LAB_HAVE_CUDA)
  list(APPEND fp4lab_header_dirs kernels)
endif()
foreach(dir IN LISTS fp4lab_header_dirs)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fp4lab/${dir}
          FILES_MATCHING PATTERN "*.hpp" PATTERN "*.cuh" PATTERN "cli" EXCLUDE)
endforeach()
install(EXPORT fp4labTargets NAMESPACE fp4lab:: DESTINATION ${FP4LAB_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/fp4labConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/fp4labConfig.cmake INSTALL_DESTINATION ${FP4LAB_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/fp4labConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/fp4labConfig.cmake ${CMAKE_BINARY_DIR}/fp4labConfigVersion.cmake
        DESTINATION ${FP4LAB_INSTALL_CMAKEDIR})
