# Installing gazsync, and its Debian package (included by CMakeLists.txt).
#
#   cmake --install build --prefix /usr/local      # or DESTDIR=... for a root
#   (cd build && cpack -G DEB)                       # build/gazsync_<v>_<arch>.deb
#
# What is installed: the binary, its man page, the Supabase SQL it expects
# (share/gazsync/supabase.sql, the same text `gazsync schema` prints), the
# LICENSE and README. Not the library: its API is young (0.x) and the layers
# are static libraries meant for this binary and its tests, so there are no
# headers or pkg-config file to promise stability for yet.
include(GNUInstallDirs)

install(TARGETS gazsync RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/docs/gazsync.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/schema/supabase.sql
        DESTINATION ${CMAKE_INSTALL_DATADIR}/gazsync)
install(FILES ${CMAKE_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian keeps the licence as doc/<package>/copyright.
install(FILES ${CMAKE_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)

set(CPACK_PACKAGE_NAME gazsync)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "gazsync")
set(CPACK_PACKAGE_CONTACT "gazsync maintainers <maintainers@gazsync.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Mirror a Gazelle account into SQLite and Supabase")
# One string: several arguments to set() would make a list, and the ';'
# between them would show in the package's Description (dpkg -I).
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "gazsync pulls a Gazelle (piano-service CRM) account into a local SQLite\n"
    "cache and pushes what changed to Supabase (PostgREST), calling each API\n"
    "only for what changed. 'gazsync doctor' checks a set-up.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# The run-time libraries (libsqlite3, libcurl, libjansson, libinih, libc)
# are computed by dpkg-shlibdeps (package dpkg-dev) from the binary, not
# listed by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_STRIP_FILES ON)
include(CPack)
