# The archive at scale: 1 million entries, 100,000 mentions (see archive_bench.cc).
add_executable(archive_bench ${CMAKE_CURRENT_SOURCE_DIR}/archive_bench.cc)
target_include_directories(archive_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(archive_bench PRIVATE veille::archive veille::store veille::match
                      veille::config veille::i18n nlohmann_json::nlohmann_json
                      benchmark::benchmark veille_warnings)
