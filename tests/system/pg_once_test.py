#!/usr/bin/python3
"""`veilled --once` twice in a row on PostgreSQL (issue 18; found by system.pg_walking_skeleton,
2026-12-07). The first run used to keep its host leases after it ended: for lease_time (2 min)
no daemon could poll those hosts, and the second run polled nothing and said "another daemon is
polling them" although none ran. Now:
- a --once run gives its host leases back when it ends (no owner left in `hosts`);
- the next run, started at once while the host waits `host_spacing` for its next daemon, waits
  for the spacing instead of giving its feeds up: it polls every feed (conditional GETs), the
  spacing kept between the two runs' requests.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg_server  # noqa: E402

SPACING_S = 1.5

CONFIG = """
[daemon]
database = "{url}"
[polling]
allow_private = ["127.0.0.1:{port}"]
host_spacing = "{spacing}ms"
timeout = "10s"
[[feed]]
url = "{blog}"
name = "Blog"
[[feed]]
url = "{news}"
name = "News"
[[rule]]
name = "marque"
query = '''Orélia OR "Orelia Paris"'''
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--feeds", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    try:
        with harness.FeedServer(a.feeds) as server, harness.Workdir() as work, \
                pg_server.PgServer() as pg:
            work.write_config(CONFIG.format(url=pg.url, port=server.port,
                                            spacing=int(SPACING_S * 1000),
                                            blog=server.url("blog-marketing.xml"),
                                            news=server.url("news-en.xml")))
            once = [a.veilled, "--config", work.config, "--once"]
            harness.run(once)
            first = [r for r in server.requests]
            c.check(len(first) == 2, "the first run polls both feeds (%d requests)" % len(first))
            owners = pg.psql("SELECT count(*) FROM hosts WHERE owner IS NOT NULL").strip()
            c.check(owners == "0", "it gives its host lease back when it ends (%s held)" % owners)

            began = time.monotonic()
            second = harness.run(once)
            took = time.monotonic() - began
            again = server.requests[len(first):]
            c.check(len(again) == 2 and all("If-None-Match" in r["headers"] for r in again),
                    "the second run, started at once, polls both feeds with conditional GETs "
                    "(%d requests)" % len(again))
            c.check("another daemon" not in second.stderr and
                    "outcome=not_modified" in second.stderr,
                    "it gives no feed up to a daemon that does not exist")
            c.check(took >= 2 * SPACING_S - 0.2,
                    "host_spacing holds from the first run's end to the second's first request "
                    "and between its two (%.1fs >= %.1fs)" % (took, 2 * SPACING_S - 0.2))
            if c.failed:
                print(second.stderr)
    except pg_server.Unavailable as e:
        print("FAIL throwaway PostgreSQL server: %s" % e)
        return 1
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
