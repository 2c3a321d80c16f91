# The CLI and the report in French (issue 15): tables, messages and the report under
# LANG=fr_FR.UTF-8 and C.UTF-8; JSON and CSV identical in both.
add_test(NAME system.french
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/french_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                 --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)
set_tests_properties(system.french PROPERTIES LABELS "system" TIMEOUT 120)

# The rest of the CLI in French: check-config, test-rule, triage, poll, db, opml, discover,
# fetch, parse, outbox retry; English under C.UTF-8, JSON and exit codes the same.
add_test(NAME system.french.tools
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/french_tools_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                 --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)
set_tests_properties(system.french.tools PROPERTIES LABELS "system" TIMEOUT 120)
