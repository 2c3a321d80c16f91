#!/usr/bin/python3
"""A poll whose outcome could not be stored gives its lease back (issue 18, docs/scaling.md
"Leases"): on a shared PostgreSQL database, a commit that fails as a whole (here a trigger makes
every write of a poll's result fail; a lost connection ends the same way) used to leave the
feed's lease to expire (lease_time, 60 s here), so that a `veille poll` request waited that long.
Now the lease is given back at once, held for a few seconds (5 s) so that a store that keeps
failing is not hammered:
- after the failed commit the feed has no lease owner, and its next due time is a minute ahead;
- a `veille poll` request made at once is answered by a poll 5 s (not 60 s) after the failure;
- once the store accepts writes again, the next request's poll is committed.
"""

import argparse
import http.server
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg_daemons  # noqa: E402
import pg_server  # noqa: E402

HOLD_S = 5

CONFIG = """
[daemon]
database = "{url}"
lease_time = "60s"
[polling]
allow_private = ["127.0.0.1:{port}"]
interval = "1h"
host_spacing = "0"
timeout = "10s"
[[feed]]
url = "http://127.0.0.1:{port}/journal.xml"
name = "journal"
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
"""

# Every write of a poll's result (its last_fetch_at) fails; a claim or a lease release does not.
FAIL_WRITES = """
CREATE FUNCTION fail_writes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  IF NEW.last_fetch_at IS DISTINCT FROM OLD.last_fetch_at THEN
    RAISE EXCEPTION 'the store refuses this write';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER fail_writes BEFORE UPDATE ON feeds FOR EACH ROW EXECUTE FUNCTION fail_writes();
"""

RSS = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>J</title>'
       "<link>https://t.example/</link><item><title>Orélia à Lyon</title>"
       "<link>https://t.example/1</link><guid>1</guid></item></channel></rss>").encode()


class Server:
    """Serves the feed; records the time of every request."""

    def __init__(self):
        self.times = []
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with server.lock:
                    server.times.append(time.monotonic())
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(RSS)))
                self.end_headers()
                self.wfile.write(RSS)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def requests(self):
        with self.lock:
            return list(self.times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    server = Server()
    try:
        with pg_server.PgServer() as pg, harness.Workdir() as work, \
                pg_daemons.Daemons(a.veilled, work.path) as daemons:
            cfg = daemons.config("veilled", CONFIG.format(url=pg.url, port=server.port))
            subprocess.run([a.veille, "--config", cfg, "db", "migrate"], check=True,
                           stdout=subprocess.DEVNULL)
            pg.psql(FAIL_WRITES)
            daemon = daemons.start("veilled", config=cfg)
            c.check(daemon.wait_for_log("outcome=storage", 20), "the first poll's commit failed")
            first = server.requests()[0]
            subprocess.run([a.veille, "--config", cfg, "poll", "journal"], check=True,
                           stdout=subprocess.DEVNULL)
            row = pg.psql("SELECT lease_owner IS NULL, next_due_at - extract(epoch FROM now()) "
                          "FROM feeds").strip().split("|")
            c.check(row[0] == "t", "its lease given back at once (lease_owner is NULL: %s)"
                    % row[0])
            c.check(40 <= float(row[1] or -1) <= 61, "its next poll a minute ahead (%ss)" % row[1])

            c.check(harness.wait_for(lambda: len(server.requests()) >= 2, 20, step=0.1),
                    "the `veille poll` request was answered by a poll")
            again = server.requests()[1] - first if len(server.requests()) >= 2 else -1
            c.check(HOLD_S - 1 <= again <= HOLD_S + 4,
                    "polled again %.1fs after the failure (held %ds, not lease_time = 60s)"
                    % (again, HOLD_S))

            pg.psql("DROP TRIGGER fail_writes ON feeds")
            subprocess.run([a.veille, "--config", cfg, "poll", "journal"], check=True,
                           stdout=subprocess.DEVNULL)

            def stored():
                return pg.psql("SELECT last_outcome FROM feeds").strip() == "ok"

            c.check(harness.wait_for(stored, 20, step=0.2),
                    "once the store accepts writes, the next poll is committed")
            leases = pg.psql("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL").strip()
            c.check(leases == "0", "no lease left (%s)" % leases)
            c.check(daemon.stop() == 0, "the daemon stops cleanly")
            if c.failed:
                daemons.print_tails(20)
    except pg_server.Unavailable as e:
        print("FAIL throwaway PostgreSQL server: %s" % e)
        return 1
    finally:
        server.httpd.shutdown()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
