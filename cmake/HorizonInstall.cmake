# install(): `cmake --install build --prefix P` (or `make install PREFIX=P`)
# places
#   P/include/horizon/*.h          the public headers (version.h generated)
#   P/LIBDIR/libhorizon.so*, .a    the shared and the static library
#   P/bin/horizon                  the command line
#   P/LIBDIR/pkgconfig/horizon.pc  for `pkg-config --cflags --libs horizon`
#                                  (`--static` adds the private libraries)
#   P/share/doc/horizon/README.md  the manual (the systemd units'
#                                  Documentation= names it)
include(GNUInstallDirs)

install(TARGETS hz_engine hz_engine_shared
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
                NAMELINK_COMPONENT Development)
install(TARGETS horizon RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/horizon
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/horizon/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/horizon)
install(FILES ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Libs.private: what a static link of libhorizon.a needs, in link order
# (OpenBLAS before libgsl so cblas_* binds to OpenBLAS, not libgslcblas).
# cJSON (the analytics model files) and zlib (gzip input) are imported
# targets: their library files.
set(HZ_PC_LIBS_PRIVATE "")
get_target_property(HZ_CJSON_LIB cjson LOCATION)
foreach(lib ${HZ_BLAS_LIBS} ${GSL_LIBRARY} ${HZ_BLAS_LIBS} ${CSV_LIBRARY}
            ${HZ_CJSON_LIB} ${ZLIB_LIBRARIES} ${OpenMP_C_LIBRARIES}
            ${M_LIBRARY})
  if(IS_ABSOLUTE "${lib}")
    get_filename_component(dir "${lib}" DIRECTORY)
    get_filename_component(name "${lib}" NAME_WE)
    string(REGEX REPLACE "^lib" "" name "${name}")
    # -L only for directories the compiler does not search anyway
    # (OpenBLAS's openblas-openmp/ variant directory)
    if(NOT dir IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
      string(APPEND HZ_PC_LIBS_PRIVATE " -L${dir}")
    endif()
    string(APPEND HZ_PC_LIBS_PRIVATE " -l${name}")
  else()
    string(APPEND HZ_PC_LIBS_PRIVATE " ${lib}")
  endif()
endforeach()
string(STRIP "${HZ_PC_LIBS_PRIVATE}" HZ_PC_LIBS_PRIVATE)

# The prefix is the one given at install time (`--prefix`), so the file is
# written by the install step from a template made here.
set(HZ_PC_PREFIX "@HZ_PC_PREFIX@")
configure_file(${PROJECT_SOURCE_DIR}/cmake/horizon.pc.in
               ${PROJECT_BINARY_DIR}/horizon.pc.in @ONLY)
install(CODE "
  set(HZ_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${PROJECT_BINARY_DIR}/horizon.pc.in\"
                 \"${PROJECT_BINARY_DIR}/horizon.pc\" @ONLY)
")
install(FILES ${PROJECT_BINARY_DIR}/horizon.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
