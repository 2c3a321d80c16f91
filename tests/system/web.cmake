# The web inbox (veille serve, docs/web.md): the command line without a browser, then one
# end-to-end run in headless Chromium through Selenium (Debian: python3-selenium,
# chromium-driver), kept under ~20 s because it runs in the ci and asan passes.
add_test(NAME system.web_serve
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/web_serve_test.py
                 --veille $<TARGET_FILE:veille>)
set_tests_properties(system.web_serve PROPERTIES LABELS "system;web" TIMEOUT 60)
add_test(NAME system.web_browser
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/web_browser_test.py
                 --veille $<TARGET_FILE:veille>)
set_tests_properties(system.web_browser PROPERTIES LABELS "system;web" TIMEOUT 90)
# The dashboard, feeds and alerts pages over an archive veilled filled (no browser), then in
# headless Chromium (one browser session).
add_test(NAME system.web_pages
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/web_pages_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.web_pages PROPERTIES LABELS "system;web" TIMEOUT 90)
add_test(NAME system.web_dashboard_browser
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/web_dashboard_browser_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>)
set_tests_properties(system.web_dashboard_browser PROPERTIES LABELS "system;web" TIMEOUT 90)
# The inbox over an archive veilled --once filled: filters, keyboard triage seen by the CLI, a
# story page, hostile feed text, in one browser session (about 6 s).
add_test(NAME system.web_inbox_browser
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/web_inbox_browser_test.py
                 --veilled $<TARGET_FILE:veilled> --veille $<TARGET_FILE:veille>
                 --feeds ${PROJECT_SOURCE_DIR}/config/sample-feeds)
set_tests_properties(system.web_inbox_browser PROPERTIES LABELS "system;web" TIMEOUT 90)
