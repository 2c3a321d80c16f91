"""Running the real veilled and veille: a work directory, a daemon process with a log file, and
bounded waits. Processes are stopped by PID only; every wait has a deadline."""

import os
import shutil
import signal
import subprocess
import tempfile
import time


class Workdir:
    """A temporary directory holding a config and a database, removed at the end."""

    def __init__(self, name):
        self.path = tempfile.mkdtemp(prefix="veille-faults-%s-" % name)
        self.config = os.path.join(self.path, "veille.toml")
        self.db = os.path.join(self.path, "veille.db")
        self.logs = []  # every daemon log file written here

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not os.environ.get("VEILLE_FAULTS_KEEP"):
            shutil.rmtree(self.path, ignore_errors=True)

    def write_config(self, text):
        """Atomic: write a temp file, then rename (as an operator's editor would)."""
        tmp = self.config + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, self.config)

    def all_logs(self):
        out = []
        for p in self.logs:
            with open(p, encoding="utf-8", errors="replace") as f:
                out.append(f.read())
        return "\n".join(out)


class Daemon:
    """One veilled process (daemon mode unless once=True), stderr to a log file."""

    def __init__(self, veilled, work, once=False, extra_env=None, wrapper=()):
        self.work = work
        self.log_path = os.path.join(work.path, "veilled-%d.log" % len(work.logs))
        work.logs.append(self.log_path)
        args = list(wrapper) + [veilled, "--config", work.config]
        if once:
            args.append("--once")
        env = dict(os.environ)
        env.pop("NOTIFY_SOCKET", None)
        env.pop("JOURNAL_STREAM", None)
        if wrapper:
            # LeakSanitizer stops the world with ptrace at exit, which fails under strace.
            env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
        env.update(extra_env or {})
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        self.wrapped = bool(wrapper)
        self.started = time.monotonic()

    def target_pid(self, timeout=2.0):
        """The veilled process itself: our child, or the wrapper's (strace) first child."""
        if not self.wrapped:
            return self.pid
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.alive():
            try:
                for task in os.listdir("/proc/%d/task" % self.pid):
                    with open("/proc/%d/task/%s/children" % (self.pid, task)) as f:
                        kids = f.read().split()
                        if kids:
                            return int(kids[0])
            except OSError:
                pass
            time.sleep(0.02)
        return None

    def alive(self):
        return self.proc.poll() is None

    def text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_log(self, needle, timeout):
        """True once `needle` is in the log; False on timeout or exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return True
            if not self.alive():
                return needle in self.text()
            time.sleep(0.05)
        return False

    def signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def kill9(self):
        self.signal(signal.SIGKILL)
        return self.wait(10)

    def stop(self, timeout=30):
        """SIGTERM, then the exit code (or None after `timeout`, when it gets SIGKILL)."""
        self.signal(signal.SIGTERM)
        rc = self.wait(timeout)
        if rc is None:
            self.signal(signal.SIGKILL)
            self.wait(10)
        return rc

    def wait(self, timeout):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self.log.close()
        return rc

    def rss_kib(self):
        """(VmRSS, VmHWM) in KiB from /proc, or (0, 0) once the process is gone."""
        try:
            with open("/proc/%d/status" % self.pid) as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            return (int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0]))
        except (OSError, KeyError, ValueError):
            return (0, 0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.alive():
            target = self.target_pid(0.5) if self.wrapped else None
            if target:
                try:
                    os.kill(target, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.signal(signal.SIGKILL)
            self.wait(10)


def run(args, timeout=60, env=None):
    """Runs a command to completion with a deadline; returns CompletedProcess (text)."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, env=e, stdin=subprocess.DEVNULL)


def wait_until(predicate, timeout, step=0.1):
    """Polls `predicate` until it is truthy or `timeout` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(step)
        value = predicate()
    return value
