# libFuzzer target for the query parser and the matcher behind it (clang only):
#   cmake -B build/fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DVEILLE_BUILD_FUZZ=ON
#   ninja -C build/fuzz query_fuzz && build/fuzz/tests/fuzz/query_fuzz tests/fuzz/query_seeds
if(VEILLE_BUILD_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # Coverage for the code under test, not only for the fuzz driver.
  foreach(lib veille_common veille_text veille_match)
    target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  endforeach()
  add_executable(query_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/query_fuzz.cc)
  target_link_libraries(query_fuzz PRIVATE veille::match veille_warnings)
  target_compile_options(query_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(query_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
endif()
