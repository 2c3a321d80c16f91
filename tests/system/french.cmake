# The CLI and the report in French (issue 15): tables, messages and the report under
# LANG=fr_FR.UTF-8 and C.UTF-8; JSON and CSV identical in both.
add_test(NAME system.french
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/french_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                 --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)
set_tests_properties(system.french PROPERTIES LABELS "system" TIMEOUT 120)
