# libFuzzer target for the feed date parser (clang only; scripts/fuzz.sh builds and runs every target):
#   CC=clang CXX=clang++ cmake -B build/fuzz -G Ninja -DVEILLE_BUILD_FUZZ=ON
#   ninja -C build/fuzz date_fuzz && build/fuzz/tests/fuzz/date_fuzz -max_total_time=60 CORPUS_DIR
if(VEILLE_BUILD_FUZZ AND TARGET veille_feed AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # Coverage for the code under test, not only for the fuzz driver.
  foreach(lib veille_common veille_feed)
    target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  endforeach()
  add_executable(date_fuzz ${CMAKE_CURRENT_LIST_DIR}/date_fuzz.cc)
  target_link_libraries(date_fuzz PRIVATE veille::feed veille_warnings)
  target_compile_options(date_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(date_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
endif()
