# libFuzzer target for the SSRF address classifier and URL checks (clang only; scripts/fuzz.sh builds and runs every target):
#   CC=clang CXX=clang++ cmake -B build/fuzz -G Ninja -DVEILLE_BUILD_FUZZ=ON
#   ninja -C build/fuzz address_fuzz && build/fuzz/tests/fuzz/address_fuzz -max_total_time=60 CORPUS_DIR
if(VEILLE_BUILD_FUZZ AND TARGET veille_fetch AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # Coverage for the code under test, not only for the fuzz driver.
  foreach(lib veille_common veille_fetch)
    target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  endforeach()
  add_executable(address_fuzz ${CMAKE_CURRENT_LIST_DIR}/address_fuzz.cc)
  target_link_libraries(address_fuzz PRIVATE veille::fetch veille_warnings)
  target_compile_options(address_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(address_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
endif()
