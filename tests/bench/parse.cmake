# Feed parsing throughput (bytes -> entries with text fields ready) over the benchmark corpus of
# ../shared/bench (see parse_bench.cc).
add_executable(parse_bench ${CMAKE_CURRENT_SOURCE_DIR}/parse_bench.cc)
target_link_libraries(parse_bench PRIVATE veille::feed benchmark::benchmark veille_warnings)
