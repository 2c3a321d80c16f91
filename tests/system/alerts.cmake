# Alert delivery end to end: veilled --once to a real SMTP server and a webhook receiver; the
# daemon polling 200 feeds while an SMTP server hangs after DATA.
add_test(NAME system.alerts
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/alerts_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                 --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)
set_tests_properties(system.alerts PROPERTIES LABELS "system;network" TIMEOUT 180)
add_test(NAME system.alerts_crash
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/alerts_crash_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                 --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)
set_tests_properties(system.alerts_crash PROPERTIES LABELS "system;network" TIMEOUT 180)
add_test(NAME system.alerts_hung_smtp
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/alerts_hung_smtp_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.alerts_hung_smtp PROPERTIES LABELS "system;network" TIMEOUT 240)
