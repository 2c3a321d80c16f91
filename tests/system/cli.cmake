# The CLI's everyday messages and small tools end to end (issue 15): veilled --once fills a
# database, then veille's error messages, filters, outbox retry, status, fetch, parse, opml import
# and CSV for Excel run against it.
add_test(NAME system.cli_everyday
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli_everyday_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                 --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)
set_tests_properties(system.cli_everyday PROPERTIES LABELS "system" TIMEOUT 180)
