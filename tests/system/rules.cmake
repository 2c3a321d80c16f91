# Rules that explain themselves and a share of voice per entity, end to end (issue 15):
# test-rule --rule / --explain, check-config's warnings, stats and report per entity.
add_test(NAME system.rules
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/rules_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.rules PROPERTIES LABELS "system" TIMEOUT 120)
