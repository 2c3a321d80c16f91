# Dates and order end to end (issue 15): the date an entry is shown, sorted and counted by.
add_test(NAME system.dates
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/dates_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.dates PROPERTIES LABELS "system" TIMEOUT 120)
