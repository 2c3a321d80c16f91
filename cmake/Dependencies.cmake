# Every third-party dependency, found once (Debian 12 packages; see ARCHITECTURE.md).
find_package(PkgConfig REQUIRED)
find_package(CURL REQUIRED)
find_package(pugixml REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(tl-expected REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)
# Time zones for digest and quiet-hour times (std::chrono::locate_zone before GCC 14; reads
# /usr/share/zoneinfo, USE_OS_TZDB): docs/decisions.md.
find_package(date REQUIRED)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(HS REQUIRED IMPORTED_TARGET libhs)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)
# libpq (libpq-dev), the PostgreSQL client library of lib/store/pg (issue 18).
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
# The web inbox (lib/web): libmicrohttpd serves HTTP, libargon2 checks password hashes
# (docs/decisions.md).
pkg_check_modules(MICROHTTPD REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
# CLD2 (libcld2-dev) ships neither a pkg-config file nor a CMake package: its header and library
# by name.
find_path(CLD2_INCLUDE_DIR cld2/public/compact_lang_det.h REQUIRED)
find_library(CLD2_LIBRARY NAMES cld2 REQUIRED)
add_library(CLD2::cld2 UNKNOWN IMPORTED)
set_target_properties(CLD2::cld2 PROPERTIES IMPORTED_LOCATION "${CLD2_LIBRARY}"
                                            INTERFACE_INCLUDE_DIRECTORIES "${CLD2_INCLUDE_DIR}")
if(VEILLE_BUILD_TESTS)
  find_package(GTest REQUIRED)
  pkg_check_modules(HTTPLIB IMPORTED_TARGET cpp-httplib)
endif()
if(VEILLE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
