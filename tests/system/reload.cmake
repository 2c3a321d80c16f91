# SIGHUP reloads every key it says it applies (the fetcher is rebuilt), and names the others; and
# veille poll makes the running daemon poll feeds now.
foreach(test reload poll_now)
  add_test(NAME system.${test}
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/${test}_test.py
                   --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
  set_tests_properties(system.${test} PROPERTIES LABELS "system" TIMEOUT 180)
endforeach()
