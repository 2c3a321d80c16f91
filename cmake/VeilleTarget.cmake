# veille_library(NAME SOURCES ... LINKS ...): one lib/ folder, one static target `veille_NAME`.
function(veille_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINKS" ${ARGN})
  add_library(veille_${name} STATIC ${ARG_SOURCES})
  add_library(veille::${name} ALIAS veille_${name})
  target_include_directories(veille_${name} PUBLIC ${PROJECT_SOURCE_DIR}/lib)
  target_link_libraries(veille_${name} PUBLIC ${ARG_LINKS} PRIVATE veille_warnings veille_sanitizers)
  target_compile_features(veille_${name} PUBLIC cxx_std_20)
endfunction()

# veille_test(NAME SOURCES ... LINKS ... [ONE_PROCESS]): a GoogleTest binary registered with
# CTest, one CTest test per test case; with ONE_PROCESS, the whole binary as one CTest test named
# NAME (tests that share an expensive fixture per process, such as the throwaway PostgreSQL
# server of tests/store/pg).
function(veille_test name)
  cmake_parse_arguments(ARG "ONE_PROCESS" "" "SOURCES;LINKS;LABELS" ${ARGN})
  # Several people edit one checkout at once: outside CI, a test whose sources are still being
  # written is left out with a warning instead of breaking everyone's configure.
  foreach(src IN LISTS ARG_SOURCES)
    if(NOT IS_ABSOLUTE ${src} AND NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${src}
       AND NOT DEFINED ENV{CI})
      message(WARNING "${name}: ${src} does not exist yet; test left out of this build")
      return()
    endif()
  endforeach()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LINKS} GTest::gtest GTest::gtest_main GTest::gmock
                        veille_warnings veille_sanitizers)
  target_compile_definitions(${name} PRIVATE
    VEILLE_SOURCE_DIR="${PROJECT_SOURCE_DIR}" VEILLE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(ARG_ONE_PROCESS)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "unit;${ARG_LABELS}")
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "unit;${ARG_LABELS}")
  endif()
endfunction()
