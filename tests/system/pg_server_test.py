"""The throwaway PostgreSQL server of the tests (pg_server.py): its settings, a restart, and that
nothing is left behind, neither after a normal end nor after the test process is killed -9."""

import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, wait_for  # noqa: E402
from pg_server import PgServer  # noqa: E402


def server_processes(directory):
    """PIDs of processes whose command line names `directory` (the postmaster does: -D DIR)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                if directory.encode() in f.read():
                    pids.append(int(entry))
        except OSError:
            pass
    return pids


def gone(directory):
    return not os.path.exists(directory) and not server_processes(directory)


def main():
    checks = Checks()
    began = time.monotonic()
    with PgServer() as pg:
        started = time.monotonic()
        settings = pg.psql("SELECT current_setting('listen_addresses') || '|' || "
                           "current_setting('fsync') || '|' || "
                           "current_setting('synchronous_commit') || '|' || "
                           "current_setting('full_page_writes') || '|' || "
                           "current_setting('server_encoding') || '|' || "
                           "coalesce(inet_server_addr()::text, 'unix') || '|' || "
                           "current_setting('data_directory')").strip().split("|")
        checks.check(settings[:6] == ["", "off", "off", "off", "UTF8", "unix"],
                     "no TCP listener, fsync/synchronous_commit/full_page_writes off, UTF-8, "
                     "connected over the socket: %s" % settings[:6])
        checks.check(settings[6].startswith(pg.dir + "/"),
                     "the data directory is inside the test's directory: " + settings[6])
        checks.check(pg.dir.startswith(("/tmp/", tempfile.gettempdir() + "/")),
                     "the directory is a temporary one: " + pg.dir)
        pg.psql("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before restart')")
        started_at = pg.psql("SELECT pg_postmaster_start_time()").strip()
        pg.restart()
        checks.check(pg.psql("SELECT v FROM kept").strip() == "before restart",
                     "a restart keeps the data")
        checks.check(pg.psql("SELECT pg_postmaster_start_time()").strip() != started_at,
                     "the server was restarted")
        directory = pg.dir
        before_stop = time.monotonic()
    stopped = time.monotonic()
    checks.check(gone(directory), "after the with block: directory removed, no server process")
    print("start (initdb, start, createdb) %.2f s, stop and removal %.2f s"
          % (started - began, stopped - before_stop))

    # The test process dies without cleaning up: the watchdog still removes everything.
    child = subprocess.Popen([sys.executable, "-c", (
        "import os, signal, sys; sys.path.insert(0, %r)\n"
        "from pg_server import PgServer\n"
        "pg = PgServer().__enter__()\n"
        "print(pg.dir, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n") % os.path.dirname(os.path.abspath(__file__))],
        stdout=subprocess.PIPE, text=True)
    directory = child.stdout.readline().strip()
    child.wait(timeout=60)
    checks.check(child.returncode == -signal.SIGKILL and directory != "",
                 "the client was killed -9 with its server running (%s)" % directory)
    checks.check(wait_for(lambda: gone(directory), 30),
                 "after kill -9 of the client: directory removed, no server process")
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
