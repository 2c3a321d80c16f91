# Fetcher throughput against a local nginx (keep-alive HTTP, new TLS connections; see fetch_bench.cc).
add_executable(fetch_bench ${CMAKE_CURRENT_SOURCE_DIR}/fetch_bench.cc)
target_link_libraries(fetch_bench PRIVATE veille::fetch benchmark::benchmark veille_warnings)
