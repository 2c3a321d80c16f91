# The throwaway PostgreSQL server of the tests (issue 18): its settings, a restart, nothing left
# behind after a normal end or a kill -9 of the test process.
add_test(NAME system.pg_server
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/pg_server_test.py)
set_tests_properties(system.pg_server PROPERTIES LABELS "system;pg" TIMEOUT 180
                     ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
# Scale-out (docs/scaling.md): three daemons share 300 feeds on one database; one is killed with
# -9 mid-cycle; every feed polled, none fetched by two daemons, every mention stored once.
add_test(NAME system.scaleout
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/scaleout_test.py
                 --veilled $<TARGET_FILE:veilled>)
set_tests_properties(system.scaleout PROPERTIES LABELS "system;pg" TIMEOUT 180
                     ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
