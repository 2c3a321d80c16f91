# The throwaway PostgreSQL server of the tests (issue 18): its settings, a restart, nothing left
# behind after a normal end or a kill -9 of the test process.
add_test(NAME system.pg_server
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/pg_server_test.py)
set_tests_properties(system.pg_server PROPERTIES LABELS "system;pg" TIMEOUT 180
                     ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
# veilled on PostgreSQL when the server fails: down at start, restarted during a poll.
add_test(NAME system.pg_faults
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/pg_faults_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.pg_faults PROPERTIES LABELS "system;pg" TIMEOUT 180
                     ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
# Alerts on PostgreSQL: veilled --once to a webhook receiver, `veille outbox` and its retries.
add_test(NAME system.pg_alerts
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/pg_alerts_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                 --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)
set_tests_properties(system.pg_alerts PROPERTIES LABELS "system;pg;network" TIMEOUT 240
                     ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
# Scale-out (docs/scaling.md): three daemons share 300 feeds on one database; one is killed with
# -9 mid-cycle; every feed polled, none fetched by two daemons, every mention stored once.
add_test(NAME system.scaleout
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/scaleout_test.py
                 --veilled $<TARGET_FILE:veilled>)
set_tests_properties(system.scaleout PROPERTIES LABELS "system;pg" TIMEOUT 180
                     ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
# Alert delivery shared by two daemons (docs/scaling.md, "Alert delivery"): every alert once, and
# after a kill -9 of the daemon whose send a receiver holds, the other sends it, same webhook-id.
add_test(NAME system.pg_delivery
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/pg_delivery_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.pg_delivery PROPERTIES LABELS "system;pg" TIMEOUT 180
                     ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
# Daemons whose configurations differ (docs/scaling.md): two daemons on one database, one with a
# feed more and a rule changed: one warning per start and reload, none when the configs agree.
add_test(NAME system.config_fingerprint
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/config_fingerprint_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.config_fingerprint PROPERTIES LABELS "system;pg" TIMEOUT 120
                     ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
# Per-host politeness across daemons (docs/scaling.md): per_host, host_spacing and a host's 429
# pause hold for daemons sharing one database, as for one daemon.
add_test(NAME system.pg_hosts
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/pg_hosts_test.py
                 --veilled $<TARGET_FILE:veilled>)
set_tests_properties(system.pg_hosts PROPERTIES LABELS "system;pg" TIMEOUT 180
                     ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
# A poll whose outcome could not be stored gives its lease back at once (held 5 s), instead of
# keeping it until lease_time: a `veille poll` request is answered seconds later.
add_test(NAME system.pg_unstored
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/pg_unstored_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.pg_unstored PROPERTIES LABELS "system;pg" TIMEOUT 180
                     ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
