#!/usr/bin/python3
"""Security review, finding 3: a stop request is honoured within 5 s even while a parse worker
is busy with a document at the body cap. veilled polls a 16 MiB document of the review's shape
(a root with a great many attributes, then a great many tiny elements; 77 s of CPU per 900 KB
before the parser was made linear) beside a healthy feed, receives SIGTERM while the big
document is being parsed, and must exit 0 within 5 s with a consistent database."""

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "feed"))
import harness  # noqa: E402
import pathological  # noqa: E402

CONFIG = """
[daemon]
database = "veille.db"
log_level = "debug"
[polling]
allow_private = ["127.0.0.1:{port}"]
interval = "30m"
timeout = "20s"
[[feed]]
url = "{big}"
name = "Big"
[[feed]]
url = "{blog}"
name = "Blog"
[[rule]]
name = "marque"
query = '''Orélia'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
"""
STOP_BOUND_S = 5.0



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.Workdir() as work:
        site = os.path.join(work.path, "site")
        os.makedirs(site)
        size = 16 * 1024 * 1024 - 64 * 1024  # under max_body, counted on the decoded body
        with open(os.path.join(site, "big.xml"), "w", encoding="utf-8") as f:
            f.write(pathological.shapes(size)["many_attributes"])
        with open(os.path.join(a.feeds, "blog-marketing.xml"), "rb") as src, \
                open(os.path.join(site, "blog.xml"), "wb") as dst:
            dst.write(src.read())
        with harness.FeedServer(site) as server:
            work.write_config(CONFIG.format(port=server.port, big=server.url("big.xml"),
                                            blog=server.url("blog.xml")))
            log_path = os.path.join(work.path, "veilled.log")
            with open(log_path, "w") as log:
                daemon = subprocess.Popen([a.veilled, "--config", work.config], stdout=log,
                                          stderr=log, stdin=subprocess.DEVNULL)
            try:
                c.check(harness.wait_for(lambda: server.requests_for("big.xml"), 20, step=0.01),
                        "the daemon asks for the 16 MiB document")
                # The body is on its way (a few ms on loopback); the parse starts when it is in.
                time.sleep(0.3)
                text = open(log_path, encoding="utf-8", errors="replace").read()
                busy = "poll Big outcome=" not in text
                t0 = time.monotonic()
                daemon.send_signal(signal.SIGTERM)
                try:
                    rc = daemon.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    rc = None
                took = time.monotonic() - t0
            finally:
                if daemon.poll() is None:
                    daemon.kill()
                    daemon.wait()
        text = open(log_path, encoding="utf-8", errors="replace").read()
        c.check(busy, "SIGTERM came while the big document was still being parsed")
        c.check(rc == 0 and took <= STOP_BOUND_S,
                "SIGTERM during the parse: exit %s after %.2f s (bound %.0f s)"
                % (rc, took, STOP_BOUND_S, ))
        c.check("stopping on SIGTERM" in text and "veilled stopped" in text,
                "the stop is logged")
        db = sqlite3.connect(os.path.join(work.path, "veille.db"))
        ok = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
        c.check(ok, "the database is consistent after the stop")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
