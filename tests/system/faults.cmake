# The fault-injection harness and scorecard (RELIABILITY.md section 3, docs/reliability.md).
# Included from tests/system/CMakeLists.txt. VEILLE_FAULTS_KILL_CYCLES sets the kill -9 loop
# length (50 in the ci preset, 10 in asan, whose ci twin already ran 50; 500 in the nightly preset).
set(VEILLE_FAULTS_KILL_CYCLES 50 CACHE STRING "kill -9 cycles of the faults scorecard")
# About 6 s per kill cycle under a loaded machine, on top of the other scenarios (about 8.5 minutes
# in one process in the ci build; about 2.5 in the four lanes it runs in, see scorecard.py --lanes:
# the scenarios mostly wait on the daemon's timers, about 30 s of CPU in 145 s).
math(EXPR _veille_faults_timeout "1200 + ${VEILLE_FAULTS_KILL_CYCLES} * 6")
if(TARGET veilled AND TARGET veille)
  add_test(NAME system.faults.scorecard
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/faults/scorecard.py
                   --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                   --kill-cycles ${VEILLE_FAULTS_KILL_CYCLES} --lanes 4)
  set_tests_properties(system.faults.scorecard PROPERTIES LABELS "system;faults"
                       TIMEOUT ${_veille_faults_timeout}
                       RUN_SERIAL TRUE)
endif()
