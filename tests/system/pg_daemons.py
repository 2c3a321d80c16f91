"""The veilled processes of a system test that runs daemons on a shared database (the pg_*,
scaleout and config_fingerprint tests), written once:

    with harness.Workdir() as work, pg_daemons.Daemons(a.veilled, work.path) as daemons:
        d = daemons.start("0", CONFIG.format(...))   # 0.toml, its log in 0.log
        d.wait_for_log(r" started:", 20)
        d.matching(r"outcome=storage")               # the log's lines that match
        c.check(d.stop() == 0, "daemon 0 stops cleanly")
        if c.failed:
            daemons.print_tails()

Each daemon has its config file and its log file (stdout and stderr) in the work directory.
Whatever still runs at the end of the `with` is killed (-9) and waited for.
"""

import os
import re
import subprocess

import harness


class Daemon:
    """One veilled: its process, config file and log file."""

    def __init__(self, name, proc, config, log):
        self.name = name
        self.proc = proc
        self.config = config
        self.log = log

    def text(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()

    def matching(self, pattern):
        """The log's lines that `pattern` (a regular expression) finds."""
        return [line for line in self.text().splitlines() if re.search(pattern, line)]

    def wait_for_log(self, pattern, timeout, count=1):
        """True once `count` lines of the log match `pattern` (within `timeout` s)."""
        return harness.wait_for(lambda: len(self.matching(pattern)) >= count, timeout, step=0.1)

    def running(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        """The exit status once it exits by itself (a --once run), or None after `timeout` s."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """SIGTERM: the exit status, or None when it had to be killed (harness.stop)."""
        return harness.stop(self.proc)

    def kill(self):
        """SIGKILL, as a machine's crash would."""
        self.proc.kill()
        self.proc.wait()

    def tail(self, lines=15):
        return "".join(self.text().splitlines(keepends=True)[-lines:])


class Daemons:
    """The test's daemons, each started with a config of its own in `workdir`."""

    def __init__(self, veilled, workdir):
        self.veilled = veilled
        self.workdir = workdir
        self.started = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for d in self.started:
            if d.running():
                d.kill()

    def __getitem__(self, index):
        return self.started[index]

    def config(self, name, text):
        """Writes config `name`.toml in the work directory (atomically); returns its path."""
        path = os.path.join(self.workdir, name + ".toml")
        harness.write_atomic(path, text)
        return path

    def start(self, name, text=None, config=None, args=()):
        """Starts veilled on `text` (written to `name`.toml) or on the file `config`, with the
        extra command-line `args` (e.g. ["--once"]), its output in `name`.log."""
        if text is not None:
            config = self.config(name, text)
        log = os.path.join(self.workdir, name + ".log")
        with open(log, "w") as out:
            proc = subprocess.Popen([self.veilled, "--config", config, *args], stdout=out,
                                    stderr=subprocess.STDOUT)
        daemon = Daemon(name, proc, config, log)
        self.started.append(daemon)
        return daemon

    def print_tails(self, lines=15):
        for d in self.started:
            print("--- daemon %s log (tail)\n%s" % (d.name, d.tail(lines)))
