"""A throwaway PostgreSQL server for tests (issue 18): initdb + pg_ctl in a temporary directory.

The server listens only on a Unix socket in its own directory (listen_addresses = '', no TCP),
runs with fsync, synchronous_commit and full_page_writes off, and is stopped and removed at the
end. It never touches a system cluster: its own data directory, socket directory and log.
When running as root, the server runs as the `postgres` user (initdb refuses root).

The server is held by a watchdog process (`pg_server.py serve`), so that it goes away even when
the test process dies (a failed assertion, a sanitizer abort, kill -9): the watchdog stops the
server and removes the directory when its stdin closes.

From Python:

    with PgServer() as pg:
        pg.conninfo      # "host=/tmp/veille-pg-... port=5432 user=veille dbname=veille"
        pg.url           # "postgresql://veille@%2Ftmp%2Fveille-pg-...:5432/veille"
        pg.psql("SELECT 1")
        pg.restart()     # pg_ctl restart -m fast: open connections are terminated

From C++ (tests/store/pg/pg_fixture.cc) or anything else: `python3 pg_server.py serve` prints
`ready SOCKET_DIR PORT USER DATABASE` (or `error TEXT`), then answers one line per command read
on stdin: `restart`, `stop`, `start` -> `ok` or `error TEXT`. EOF or `quit` stops and removes.

Members of the role `password_login` log in with their password (scram-sha-256); every other
role is trusted (the socket directory is private to this process tree).
"""

import glob
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

USER = "veille"
DATABASE = "veille"
PORT = 5432
INITDB_ARGS = ["-U", USER, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
               "--no-instructions"]


class Unavailable(Exception):
    """No usable PostgreSQL server binaries, or the server would not start."""


def bindir():
    """The newest PostgreSQL >= 15 server binaries (VEILLE_PG_BINDIR overrides)."""
    env = os.environ.get("VEILLE_PG_BINDIR")
    if env:
        return env
    found = []
    for d in glob.glob("/usr/lib/postgresql/*/bin"):
        m = re.search(r"/(\d+)/bin$", d)
        if m and int(m.group(1)) >= 15 and os.access(os.path.join(d, "initdb"), os.X_OK):
            found.append((int(m.group(1)), d))
    if not found:
        raise Unavailable("no PostgreSQL 15+ server under /usr/lib/postgresql/*/bin "
                          "(scripts/install-deps.sh installs postgresql-15)")
    return max(found)[1]


def _as_server_user():
    """subprocess arguments that run a command as the postgres user when we are root."""
    if os.geteuid() != 0:
        return {}
    import pwd
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("running as root and there is no 'postgres' user to run the server")
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


class Cluster:
    """The server itself: create, start, stop, destroy. Used by the watchdog process."""

    def __init__(self, database=DATABASE):
        self.bin = bindir()
        base = tempfile.gettempdir()
        # A socket path is at most 107 bytes: keep the directory short.
        if len(base) > 40:
            base = "/tmp"
        self.dir = tempfile.mkdtemp(prefix="veille-pg-", dir=base)
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.database = database
        self.run_as = _as_server_user()
        if self.run_as:
            os.chown(self.dir, self.run_as["user"], self.run_as["group"])

    def _run(self, args, as_server=False, timeout=120):
        kwargs = dict(self.run_as) if as_server else {}
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout, cwd=self.dir, **kwargs)
        if p.returncode != 0:
            raise Unavailable("%s exited %d: %s%s" % (os.path.basename(args[0]), p.returncode,
                                                      p.stdout.strip(), self._log_tail()))
        return p.stdout

    def _log_tail(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return "\nserver log:\n" + "".join(f.readlines()[-20:])
        except OSError:
            return ""

    def create(self):
        template = self._template()
        if not (template and self._copy(template, self.data)):
            self._run([os.path.join(self.bin, "initdb"), "-D", self.data] + INITDB_ARGS,
                      as_server=True)
            if template:
                self._publish(template)
        with open(os.path.join(self.data, "postgresql.conf"), "a", encoding="utf-8") as f:
            f.write("\n# veille tests (tests/system/pg_server.py)\n"
                    "listen_addresses = ''\n"
                    "unix_socket_directories = '%s'\n"
                    "port = %d\n"
                    "fsync = off\n"
                    "synchronous_commit = off\n"
                    "full_page_writes = off\n"
                    "shared_buffers = 32MB\n"
                    "max_connections = 60\n" % (self.dir, PORT))
        with open(os.path.join(self.data, "pg_hba.conf"), "w", encoding="utf-8") as f:
            f.write("local all +password_login scram-sha-256\nlocal all all trust\n")
        self.start()
        self.psql('CREATE DATABASE "%s"' % self.database, database="postgres")
        self.psql("CREATE ROLE password_login NOLOGIN", database="postgres")

    def _template(self):
        """Where a pristine initdb of this PostgreSQL version is kept between runs, when the
        tests name a directory for it (VEILLE_PG_TEMPLATE_DIR; CTest sets build/<preset>/
        pg-template): copying it costs a fraction of an initdb (docs/storage.md)."""
        root = os.environ.get("VEILLE_PG_TEMPLATE_DIR")
        if not root:
            return None
        version = subprocess.run([os.path.join(self.bin, "postgres"), "--version"],
                                 stdout=subprocess.PIPE, text=True, timeout=60).stdout.strip()
        key = hashlib.sha256(repr((version, INITDB_ARGS, self.run_as.get("user"))).encode())
        return os.path.join(root, "initdb-" + key.hexdigest()[:16])

    def _copy(self, source, target):
        """cp -a (as root, the files stay the postgres user's); False when it cannot."""
        if not os.path.isfile(os.path.join(source, "PG_VERSION")):
            return False
        p = subprocess.run(["cp", "-a", source, target], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)
        if p.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            return False
        return True

    def _publish(self, template):
        """Copies the fresh initdb to `template`, atomically: a rename that only the first of
        several concurrent test processes wins."""
        try:
            os.makedirs(os.path.dirname(template), exist_ok=True)
            partial = tempfile.mkdtemp(prefix=".partial-", dir=os.path.dirname(template))
            os.rmdir(partial)
        except OSError:
            return
        if self._copy(self.data, partial):
            try:
                os.rename(partial, template)
            except OSError:
                shutil.rmtree(partial, ignore_errors=True)

    def start(self):
        self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", self.log, "-w",
                   "-t", "60", "start"], as_server=True)

    def stop(self, mode="fast"):
        self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", mode, "-w",
                   "-t", "60", "stop"], as_server=True)

    def restart(self):
        self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", self.log, "-m",
                   "fast", "-w", "-t", "60", "restart"], as_server=True)

    def _kill_postmaster(self, pid_file):
        """pg_ctl could not stop it: SIGKILL, if the PID is still our postmaster's."""
        pid = _postmaster_of(pid_file, self.data)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
                time.sleep(0.2)
            except OSError:
                pass

    def psql(self, sql, database=None):
        return self._run([os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t", "-v",
                          "ON_ERROR_STOP=1", "-h", self.dir, "-p", str(PORT), "-U", USER, "-d",
                          database or self.database, "-c", sql])

    def destroy(self):
        """Stops the server however it can, then removes the directory. Never raises."""
        pid_file = os.path.join(self.data, "postmaster.pid")
        if os.path.exists(pid_file):
            try:
                self.stop(mode="immediate")
            except (Unavailable, subprocess.TimeoutExpired):
                self._kill_postmaster(pid_file)
        shutil.rmtree(self.dir, ignore_errors=True)


def _postmaster_of(pid_file, data):
    """The PID in `pid_file` if that process is still the postmaster of `data`, else None."""
    try:
        with open(pid_file, encoding="utf-8") as f:
            pid = int(f.readline())
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return pid if data.encode() in f.read() else None
    except (OSError, ValueError):
        return None


def serve(database):
    """The watchdog: creates and starts the server, obeys stdin, removes everything at EOF."""
    def leave(*_):
        raise SystemExit(1)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, leave)
    cluster = None
    try:
        cluster = Cluster(database)
        try:
            cluster.create()
        except (Unavailable, subprocess.TimeoutExpired) as e:
            print("error " + " | ".join(str(e).splitlines()), flush=True)
            return 1
        print("ready %s %d %s %s" % (cluster.dir, PORT, USER, database), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "quit":
                break
            try:
                if command == "restart":
                    cluster.restart()
                elif command == "stop":
                    cluster.stop()
                elif command == "start":
                    cluster.start()
                else:
                    raise Unavailable("unknown command %r" % command)
                print("ok", flush=True)
            except (Unavailable, subprocess.TimeoutExpired) as e:
                print("error " + " | ".join(str(e).splitlines()), flush=True)
        return 0
    except Unavailable as e:
        print("error " + str(e), flush=True)
        return 1
    finally:
        if cluster:
            cluster.destroy()


class PgServer:
    """A throwaway server for one test process, held by a watchdog child (see the module doc)."""

    def __init__(self, database=DATABASE):
        self.database = database
        self.proc = None
        self.dir = None
        self.start_seconds = None

    def __enter__(self):
        began = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "serve",
                                      self.database], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("ready "):
            self.__exit__()
            raise Unavailable("throwaway PostgreSQL server: " + (line or "no answer"))
        self.dir = line.split()[1]
        self.start_seconds = time.monotonic() - began
        return self

    def __exit__(self, *exc):
        if self.proc:
            _end(self.proc, "", 60)
            self.proc = None

    def _command(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer != "ok":
            raise Unavailable("%s: %s" % (command, answer or "no answer"))

    def restart(self):
        self._command("restart")

    def stop(self):
        self._command("stop")

    def start(self):
        self._command("start")

    @property
    def conninfo(self):
        return "host=%s port=%d user=%s dbname=%s" % (self.dir, PORT, USER, self.database)

    @property
    def url(self):
        return "postgresql://%s@%s:%d/%s" % (USER, self.dir.replace("/", "%2F"), PORT,
                                             self.database)

    def psql(self, sql, database=None):
        """Runs `sql` with psql; returns its unaligned, tuples-only output."""
        p = subprocess.run([os.path.join(bindir(), "psql"), "-X", "-q", "-A", "-t", "-v",
                            "ON_ERROR_STOP=1", "-h", self.dir, "-p", str(PORT), "-U", USER,
                            "-d", database or self.database, "-c", sql],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError("psql %r exited %d: %s" % (sql, p.returncode, p.stderr))
        return p.stdout

    def lock_table(self, table, mode="EXCLUSIVE", then=None):
        """`LOCK TABLE table IN mode MODE` from a session of its own, held until the returned
        lock's release() (or the end of a `with`): the other sessions' statements that need
        a conflicting lock wait meanwhile (EXCLUSIVE: every write; reads go on; ACCESS
        EXCLUSIVE: reads too). `then`, a statement run in the same transaction after the lock,
        is committed with the release."""
        return TableLock(self, table, mode, then)


class TableLock:
    """A lock held by a psql session in an open transaction (PgServer.lock_table)."""

    def __init__(self, pg, table, mode, then=None):
        self.proc = subprocess.Popen(
            [os.path.join(bindir(), "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-h", pg.dir, "-p", str(PORT), "-U", USER, "-d", pg.database],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        # The session's own statements wait for nothing (a statement_timeout set on the database
        # would end this transaction, and the lock with it).
        self.proc.stdin.write("BEGIN;\nSET LOCAL statement_timeout = 0;\nLOCK TABLE %s IN %s MODE;"
                              "\n%sSELECT 'locked';\n" % (table, mode, then + ";\n" if then else ""))
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer != "locked":
            self.release()
            raise AssertionError("LOCK TABLE %s: %r" % (table, answer))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()

    def release(self):
        """Ends the transaction (COMMIT), and with it the lock; waits for psql to exit."""
        if self.proc is not None:
            _end(self.proc, "COMMIT;\n", 30)
            self.proc = None


def _end(proc, last_words, timeout):
    """Writes `last_words` to a child's stdin and closes it (its cue to end), then waits for it
    for `timeout` seconds before killing it."""
    try:
        proc.stdin.write(last_words)
        proc.stdin.close()
    except OSError:
        pass
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        sys.exit(serve(sys.argv[2] if len(sys.argv) > 2 else DATABASE))
    print("usage: pg_server.py serve [DATABASE]", file=sys.stderr)
    sys.exit(2)
