# Security review (issue 14) end to end, outside the faults scorecard: file modes (finding 10)
# and a stop request honoured within 5 s while a worker parses a 16 MiB document (finding 3).
foreach(test file_modes stop_during_parse)
  add_test(NAME system.${test}
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/${test}_test.py
                   --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                   --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)
  set_tests_properties(system.${test} PROPERTIES LABELS "system" TIMEOUT 120)
endforeach()
