# The web inbox's pages over the 1M-entry archive of archive_bench (see web_bench.cc).
add_executable(web_bench ${CMAKE_CURRENT_SOURCE_DIR}/web_bench.cc)
target_include_directories(web_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(web_bench PRIVATE veille::web veille::store veille::i18n veille::config
                      benchmark::benchmark veille_warnings)
