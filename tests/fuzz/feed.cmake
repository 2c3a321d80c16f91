# libFuzzer target for the feed parser (clang only), seeded from the golden fixtures:
#   cmake -B build/fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DVEILLE_BUILD_FUZZ=ON
#   ninja -C build/fuzz feed_fuzz
#   mkdir -p /tmp/feed_corpus && build/fuzz/tests/fuzz/feed_fuzz /tmp/feed_corpus tests/feed/golden
if(VEILLE_BUILD_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # Coverage for the code under test, not only for the fuzz driver.
  foreach(lib veille_common veille_feed)
    target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  endforeach()
  add_executable(feed_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/feed_fuzz.cc)
  target_link_libraries(feed_fuzz PRIVATE veille::feed veille_warnings)
  target_compile_options(feed_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(feed_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
endif()
