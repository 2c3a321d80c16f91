# The tests on a throwaway PostgreSQL server (pg_server.py, issue 18): labels "system;pg", the
# server's initdb copied from a template directory kept in the build tree (docs/storage.md).
function(veille_pg_test name script timeout)
  add_test(NAME system.${name}
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/${script} ${ARGN})
  set_tests_properties(system.${name} PROPERTIES LABELS "system;pg" TIMEOUT ${timeout}
                       ENVIRONMENT "VEILLE_PG_TEMPLATE_DIR=${PROJECT_BINARY_DIR}/pg-template")
endfunction()
set(VEILLE_BINARIES --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set(VEILLE_SAMPLE_FEEDS --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)

# The throwaway PostgreSQL server of the tests: its settings, a restart, nothing left behind
# after a normal end or a kill -9 of the test process.
veille_pg_test(pg_server pg_server_test.py 180)
# veilled on PostgreSQL when the server fails: down at start, restarted during a poll, a
# statement timeout.
veille_pg_test(pg_faults pg_faults_test.py 180 ${VEILLE_BINARIES})
# Alerts on PostgreSQL: veilled --once to a webhook receiver, `veille outbox` and its retries.
veille_pg_test(pg_alerts pg_alerts_test.py 240 ${VEILLE_BINARIES} ${VEILLE_SAMPLE_FEEDS})
set_property(TEST system.pg_alerts APPEND PROPERTY LABELS network)
# The walking skeleton and the archive end to end on PostgreSQL: the tests of
# system.walking_skeleton and system.archive, one body each, with --backend pg (backends.py).
foreach(test walking_skeleton archive)
  veille_pg_test(pg_${test} ${test}_test.py 180 ${VEILLE_BINARIES} ${VEILLE_SAMPLE_FEEDS}
                 --backend pg)
endforeach()
# Scale-out (docs/scaling.md): three daemons share 300 feeds on one database; one is killed with
# -9 mid-cycle; every feed polled, none fetched by two daemons, every mention stored once.
veille_pg_test(scaleout scaleout_test.py 180 --veilled $<TARGET_FILE:veilled>)
# Alert delivery shared by two daemons (docs/scaling.md, "Alert delivery"): every alert once, and
# after a kill -9 of the daemon whose send a receiver holds, the other sends it, same webhook-id.
veille_pg_test(pg_delivery pg_delivery_test.py 180 ${VEILLE_BINARIES})
# Daemons whose configurations differ (docs/scaling.md): two daemons on one database, one with a
# feed more and a rule changed: one warning per start and reload, none when the configs agree.
veille_pg_test(config_fingerprint config_fingerprint_test.py 120 ${VEILLE_BINARIES})
# Per-host politeness across daemons (docs/scaling.md): per_host, host_spacing and a host's 429
# pause hold for daemons sharing one database, as for one daemon.
veille_pg_test(pg_hosts pg_hosts_test.py 180 --veilled $<TARGET_FILE:veilled>)
# A poll whose outcome could not be stored gives its lease back at once (held 5 s), instead of
# keeping it until lease_time: a `veille poll` request is answered seconds later.
veille_pg_test(pg_unstored pg_unstored_test.py 180 ${VEILLE_BINARIES})
# `veilled --once` twice in a row on PostgreSQL: the first gives its host leases back, the
# second waits for the host's spacing and polls every feed.
veille_pg_test(pg_once pg_once_test.py 120 --veilled $<TARGET_FILE:veilled> ${VEILLE_SAMPLE_FEEDS})
# Three `veilled --once` started together on one database: runs that overlap are one cycle, so
# the server's log shows each feed fetched exactly once between them (a failed one too).
veille_pg_test(pg_once_together pg_once_together_test.py 180 --veilled $<TARGET_FILE:veilled>)
