# [[search]] blocks end to end, offline: veille sources, check-config and veille feeds on a config
# whose search feeds are never polled (they point at the real engines).
add_test(NAME system.sources
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/sources_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.sources PROPERTIES LABELS "system" TIMEOUT 60)
