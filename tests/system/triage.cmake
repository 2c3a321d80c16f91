# Triage from the command line (veille triage, mentions --status/--tag) on a real database.
add_test(NAME system.triage
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/triage_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                 --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)
set_tests_properties(system.triage PROPERTIES LABELS "system" TIMEOUT 120)
