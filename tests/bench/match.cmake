# Normalize + match throughput over the benchmark corpus of ../shared/bench (see match_bench.cc).
add_executable(match_bench ${CMAKE_CURRENT_SOURCE_DIR}/match_bench.cc)
target_link_libraries(match_bench PRIVATE veille::match veille::text benchmark::benchmark
                      PkgConfig::HS veille_warnings)
