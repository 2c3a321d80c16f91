# Finding the sources end to end: veille discover on a local copy of a site, the discovered
# feeds polled by veilled, the "it declares ..." error of veille fetch and the daemon.
add_test(NAME system.discover
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/discover_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.discover PROPERTIES LABELS "system" TIMEOUT 180)
