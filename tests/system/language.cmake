# Each entry's language, declared or detected, end to end (issue 16): lang: in rules, --lang in
# mentions, search and stats, language and language_source in their JSON.
add_test(NAME system.language
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/language_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.language PROPERTIES LABELS "system" TIMEOUT 120)
