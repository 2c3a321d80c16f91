# Language detection per entry (CLD2 through text/language.h) over the benchmark corpus of
# ../shared/bench (see language_bench.cc).
add_executable(language_bench ${CMAKE_CURRENT_SOURCE_DIR}/language_bench.cc)
target_link_libraries(language_bench PRIVATE veille::pipeline veille::text benchmark::benchmark
                      veille_warnings)
