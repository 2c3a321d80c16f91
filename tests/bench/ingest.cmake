# The parse worker's CPU per document: ParseFeed + NewEntryRecords with 1,000 rules over the
# benchmark corpus of ../shared/bench (see ingest_bench.cc).
add_executable(ingest_bench ${CMAKE_CURRENT_SOURCE_DIR}/ingest_bench.cc)
target_link_libraries(ingest_bench PRIVATE veille::pipeline veille::feed veille::match
                      benchmark::benchmark veille_warnings)
