# The fault-injection harness and scorecard (RELIABILITY.md section 3, docs/reliability.md).
# Included from tests/system/CMakeLists.txt. VEILLE_FAULTS_KILL_CYCLES sets the kill -9 loop
# length (50 in CI; 500 for the nightly run).
set(VEILLE_FAULTS_KILL_CYCLES 50 CACHE STRING "kill -9 cycles of the faults scorecard")
if(TARGET veilled AND TARGET veille)
  add_test(NAME system.faults.scorecard
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/faults/scorecard.py
                   --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                   --kill-cycles ${VEILLE_FAULTS_KILL_CYCLES})
  set_tests_properties(system.faults.scorecard PROPERTIES LABELS "system;faults" TIMEOUT 900
                       RUN_SERIAL TRUE)
endif()
