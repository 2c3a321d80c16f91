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

FeedHosts serves the numbered feeds those tests share, spread over several local hosts.
"""

import http.server
import os
import re
import subprocess
import threading
import time

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


def feed_rss(n):
    """Feed n: two items, the first a mention of 'Orélia' (rule `marque`), the second none."""
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>F%d</title>'
            "<link>https://t.example/%d</link>"
            "<item><title>Orélia ouvre à Lyon %d</title><link>https://t.example/%d/a</link>"
            "<guid>a%d</guid><description>Texte</description></item>"
            "<item><title>Rien %d</title><link>https://t.example/%d/b</link>"
            "<guid>b%d</guid><description>Autre</description></item>"
            "</channel></rss>" % (n, n, n, n, n, n, n, n)).encode()


class FeedHosts:
    """/f/N serves feed_rss(N) on one of `hosts` local servers (feed N on port N % hosts; a
    daemon leases a feed with its host). Every request is logged as (path, user agent, time.
    monotonic()), then `before_answer(n)` runs (a delay, a gate) and the answer is `status(n)`
    (200 by default; any other status has a short body)."""

    def __init__(self, hosts, before_answer=None, status=None):
        self.log = []
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with server.lock:
                    server.log.append((self.path, self.headers.get("User-Agent", ""),
                                       time.monotonic()))
                n = int(self.path.rsplit("/", 1)[1])
                if before_answer:
                    before_answer(n)
                code = status(n) if status else 200
                body = feed_rss(n) if code == 200 else b"down"
                self.send_response(code)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpds = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
                       for _ in range(hosts)]
        self.ports = [h.server_address[1] for h in self.httpds]
        for h in self.httpds:
            h.daemon_threads = True
            threading.Thread(target=h.serve_forever, daemon=True).start()

    def feeds_toml(self, count):
        """The [[feed]] tables of feeds 0..count-1 (named F0, F1...)."""
        return "".join('[[feed]]\nurl = "http://127.0.0.1:%d/f/%d"\nname = "F%d"\n'
                       % (self.ports[n % len(self.ports)], n, n) for n in range(count))

    def allow_toml(self):
        """The hosts, for [polling] allow_private = [...]."""
        return ", ".join('"127.0.0.1:%d"' % p for p in self.ports)

    def fetches(self):
        with self.lock:
            return list(self.log)

    def shutdown(self):
        for h in self.httpds:
            h.shutdown()
