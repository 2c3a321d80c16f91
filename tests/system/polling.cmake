# Polling as the user asked: intervals, publisher hints, first-poll alerts, the schedule shown by
# veille feeds after reloads and restarts (veille poll: reload.cmake).
add_test(NAME system.polling
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/polling_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.polling PROPERTIES LABELS "system" TIMEOUT 180)
