#!/usr/bin/python3
"""Security review, finding 10: what veilled and veille create is never readable by other local
users, whatever the caller's umask. Under umask 022 the database, its -wal/-shm, the lock file,
a `db backup`, an export and a report written with -o are all 0600; under the unit's umask 0027
(the `veille` group reads with the CLI) the database is 0640; an existing world-readable database
is reported and left as the operator set it."""

import argparse
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}"]
interval = "1s"
min_interval = "1s"
max_interval = "2s"
timeout = "5s"
[[feed]]
url = "{blog}"
name = "Blog"
backfill_alerts = true
[[rule]]
name = "marque"
query = '''Orélia'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
"""


def mode(path):
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.FeedServer(a.feeds) as server:
        config = CONFIG.format(port=server.port, blog=server.url("blog-marketing.xml"))
        # An interactive shell's umask: without the fix, everything below was 0644.
        os.umask(0o022)
        with harness.Workdir() as work:
            work.write_config(config)
            db = os.path.join(work.path, "veille.db")
            log_path = os.path.join(work.path, "veilled.log")
            with open(log_path, "w") as log:
                daemon = subprocess.Popen([a.veilled, "--config", work.config], stdout=log,
                                          stderr=log, stdin=subprocess.DEVNULL)
            try:
                c.check(harness.wait_for(lambda: "outcome=ok" in open(log_path).read(), 20),
                        "the daemon polls the feed")
                files = {name: mode(db + suffix) for name, suffix in
                         (("database", ""), ("-wal", "-wal"), ("-shm", "-shm"),
                          ("lock file", ".lock"))}
                c.check(all(m == 0o600 for m in files.values()),
                        "umask 022: the daemon's files are 0600 (%s)"
                        % ", ".join("%s %s" % (k, oct(m) if m is not None else "missing")
                                    for k, m in files.items()))
                outputs = {}
                backup = os.path.join(work.path, "backup.db")
                harness.run([a.veille, "--config", work.config, "db", "backup", backup])
                outputs["db backup"] = mode(backup)
                export = os.path.join(work.path, "mentions.csv")
                harness.run([a.veille, "--config", work.config, "export", "-o", export])
                outputs["export -o"] = mode(export)
                report = os.path.join(work.path, "report.html")
                harness.run([a.veille, "--config", work.config, "report", "-o", report])
                outputs["report -o"] = mode(report)
                c.check(all(m == 0o600 for m in outputs.values()),
                        "umask 022: what veille writes is 0600 (%s)"
                        % ", ".join("%s %s" % (k, oct(m) if m is not None else "missing")
                                    for k, m in outputs.items()))
            finally:
                daemon.terminate()
                try:
                    daemon.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    daemon.wait()
            c.check("readable by other local users" not in open(log_path).read(),
                    "no mode warning for a database veilled created itself")

            # An existing database that every user can read: reported, mode left alone.
            os.chmod(db, 0o644)
            once = harness.run([a.veilled, "--config", work.config, "--once"], check=False)
            c.check(once.returncode == 0 and "readable by other local users" in once.stderr
                    and "0644" in once.stderr and mode(db) == 0o644,
                    "an existing world-readable database is reported and left as it is "
                    "(exit %d, mode %s)" % (once.returncode, oct(mode(db) or 0)))

        # The unit's UMask=0027: the `veille` group reads the database.
        os.umask(0o027)
        with harness.Workdir() as work:
            work.write_config(config)
            once = harness.run([a.veilled, "--config", work.config, "--once"], check=False)
            db_mode = mode(os.path.join(work.path, "veille.db"))
            c.check(once.returncode == 0 and db_mode == 0o640,
                    "umask 0027: the database is 0640 (exit %d, mode %s)"
                    % (once.returncode, oct(db_mode or 0)))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
