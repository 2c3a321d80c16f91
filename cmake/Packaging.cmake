# CPack: the Debian package (`cpack -G DEB` in a build directory). Include it last in the
# top-level CMakeLists.txt, after every add_subdirectory(), so that it sees every install()
# component. The maintainer scripts are in systemd/debian/; docs/operations.md describes what
# installing, upgrading and removing the package does.

set(CPACK_PACKAGE_NAME veille)
set(CPACK_PACKAGE_VENDOR "veille")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "RSS/Atom brand-mention monitoring daemon")
set(CPACK_PACKAGE_DESCRIPTION
    "veille polls RSS and Atom feeds, matches every new entry against brand, competitor and
sector rules (case- and accent-insensitive, French elisions, phrases, proximity), stores
entries and mentions in SQLite and delivers alerts by e-mail or signed webhook from a
durable outbox: no mention lost, no alert sent twice. The daemon veilled runs as a hardened
systemd service; the veille command lists mentions and feed health.")
set(CPACK_PACKAGE_CONTACT "veille maintainers <veille@example.org>")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/veille/veille")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

# Everything in one package, including the EXCLUDE_FROM_ALL "conffiles" component that puts
# /etc/veille/veille.toml in the package but never on a plain `cmake --install`.
get_cmake_property(CPACK_COMPONENTS_ALL COMPONENTS)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)

set(CPACK_DEBIAN_PACKAGE_NAME veille)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from dpkg-shlibdeps; these are the ones it cannot see.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd-sysusers")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd (>= 252), ca-certificates")

# Maintainer scripts and the conffiles list, with the permissions dpkg expects.
set(veille_deb_control ${PROJECT_BINARY_DIR}/packaging/deb)
file(MAKE_DIRECTORY ${veille_deb_control})
file(WRITE ${veille_deb_control}/conffiles "/etc/veille/veille.toml\n")
foreach(script postinst prerm postrm)
  configure_file(${PROJECT_SOURCE_DIR}/systemd/debian/${script} ${veille_deb_control}/${script}
                 COPYONLY)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${veille_deb_control}/conffiles ${veille_deb_control}/postinst
    ${veille_deb_control}/prerm ${veille_deb_control}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
