#!/usr/bin/python3
"""veilled as a daemon: polls on schedule, SIGHUP with a broken config keeps the old one, a valid
one is applied, a second instance refuses to start, SIGTERM stops with exit 0; --once reports
a one-line reason and a non-zero exit when nothing could be polled."""

import argparse
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}"]
interval = "{interval}"
min_interval = "1s"
max_interval = "2s"
timeout = "5s"
[[feed]]
url = "{blog}"
name = "Blog"
backfill_alerts = true
[[rule]]
name = "{rule}"
query = '''Orélia'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
"""



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.FeedServer(a.feeds) as server, harness.Workdir() as work:
        blog = server.url("blog-marketing.xml")
        work.write_config(CONFIG.format(port=server.port, interval="1s", blog=blog, rule="marque"))
        log_path = os.path.join(work.path, "veilled.log")
        log = open(log_path, "w")
        daemon = subprocess.Popen([a.veilled, "--config", work.config], stdout=log, stderr=log)
        try:
            c.check(harness.wait_for(lambda: len(server.requests_for("blog-marketing.xml")) >= 2, 20),
                    "the daemon polls on schedule (two polls within 20 s at a 1 s interval)")

            import json
            st = harness.run([a.veille, "--config", work.config, "status", "--json"], check=False)
            c.check(st.returncode == 0 and json.loads(st.stdout)["daemon"] == "running"
                    and json.loads(st.stdout)["pid"] == daemon.pid,
                    "veille status sees the running daemon and its pid")
            text = harness.run([a.veille, "--config", work.config, "status"], check=False).stdout
            c.check("daemons:" not in text,
                    "one daemon running the file's configuration: no daemons line\n" + text)
            # The file edited and not reloaded: status says what the daemon runs is not the file.
            work.write_config(CONFIG.format(port=server.port, interval="1s", blog=blog,
                                            rule="marque3"))
            text = harness.run([a.veille, "--config", work.config, "status"], check=False).stdout
            c.check(re.search(r"^daemons: +\S+ [0-9a-f]{16} \(written .* UTC; differs from the "
                              r"config file: .*marque3", text, re.M) is not None,
                    "the file edited without a reload: the daemons line says it differs\n" + text)

            second = harness.run([a.veilled, "--config", work.config, "--once"], check=False)
            c.check(second.returncode == 3 and "already running" in second.stderr,
                    "a second veilled on the same database refuses to start (exit 3)")

            # A broken config: the reload is rejected, polling goes on.
            with open(work.config, "a") as f:
                f.write("\n[[feed]]\nurll = \"x\"\n")
            daemon.send_signal(signal.SIGHUP)
            c.check(harness.wait_for(lambda: "reload rejected" in open(log_path).read(), 10),
                    "SIGHUP with a broken config is reported")
            text = open(log_path).read()
            c.check("veille.toml:" in text.split("reload rejected")[1].splitlines()[0],
                    "the rejection names the file and line")
            before = len(server.requests_for("blog-marketing.xml"))
            c.check(harness.wait_for(lambda: len(server.requests_for("blog-marketing.xml")) > before, 10),
                    "polling continues with the old configuration")
            c.check(daemon.poll() is None, "the daemon is still running")

            # A valid config with a renamed rule is applied.
            work.write_config(CONFIG.format(port=server.port, interval="1s", blog=blog,
                                            rule="marque2"))
            daemon.send_signal(signal.SIGHUP)
            c.check(harness.wait_for(lambda: "configuration applied" in open(log_path).read(), 10),
                    "SIGHUP with a valid config applies it")

            daemon.send_signal(signal.SIGTERM)
            try:
                code = daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                code = None
            c.check(code == 0, "SIGTERM stops the daemon with exit 0 (got %s)" % code)
            c.check("stopping on SIGTERM" in open(log_path).read(), "the stop is logged once")
            st = harness.run([a.veille, "--config", work.config, "status", "--json"], check=False)
            c.check(st.returncode == 1 and json.loads(st.stdout)["daemon"] == "stopped",
                    "veille status reports the clean stop (exit 1)")
            text = harness.run([a.veille, "--config", work.config, "status"], check=False).stdout
            c.check("daemons:" not in text,
                    "stopped, its next start reads the file: no daemons line\n" + text)
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
            log.close()

        import sqlite3
        db = sqlite3.connect(os.path.join(work.path, "veille.db"))
        c.check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok",
                "the database is consistent after the stop")
        db.close()

        # --once with every feed failing: one readable line and a non-zero exit.
        work.write_config(CONFIG.format(port=server.port, interval="30m",
                                        blog=server.url("missing.xml"), rule="marque"))
        failed = harness.run([a.veilled, "--config", work.config, "--once"], check=False)
        c.check(failed.returncode == 1, "--once exits 1 when no feed could be polled")
        c.check("no feed could be polled" in failed.stderr, "... and says why in one line")

        broken = harness.run([a.veilled, "--config", "/nonexistent/veille.toml", "--once"],
                             check=False)
        c.check(broken.returncode == 2 and broken.stderr.count("\n") == 1,
                "a missing config is one line on stderr and exit 2")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
