# Group commit: the batch's bounds (age, idle), kill -9 and SIGTERM with a batch open.
add_test(NAME system.group_commit
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/group_commit_test.py
                 --veilled $<TARGET_FILE:veilled>)
set_tests_properties(system.group_commit PROPERTIES LABELS "system" TIMEOUT 180)
