# libFuzzer target for autodiscovery's HTML page reader (gumbo), seeded from tests/fuzz/html_seeds
# and the system test's site copies:
#   ninja -C build/fuzz html_page_fuzz
#   build/fuzz/tests/fuzz/html_page_fuzz /tmp/html_corpus tests/fuzz/html_seeds
if(VEILLE_BUILD_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  add_executable(html_page_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/html_page_fuzz.cc)
  target_link_libraries(html_page_fuzz PRIVATE veille::feed veille_warnings)
  target_compile_options(html_page_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(html_page_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
endif()
