#!/usr/bin/python3
"""SIGHUP reloads what it says (issue 15). The fetcher is rebuilt, so each HTTP key changed in
the file is seen by a real local server on the next poll: allow_private (the SSRF guard lets the
loopback feed through), user_agent, max_body, timeout, max_redirects, proxy (a second local
server acting as the proxy sees the requests), ca_file (an https feed signed by a private CA
goes from outcome=tls to ok), and a per-feed key; log_level applies at once (warn silences the poll lines);
the keys that cannot change live (database, lock_file) are named in the one reload line, and the
old values stay in force. The rest of the mapping is the unit test's (tests/pipeline/reload_test.cc).
"""

import argparse
import http.server
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def feed(n):
    # A different document on every request (its title counts them), so that each poll is
    # parsed (the same bytes would come back as not_modified); 2000 bytes of description.
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T%d</title>'
            "<link>https://t.example/</link>"
            "<item><title>Orélia à Lyon</title><link>https://t.example/1</link><guid>1</guid>"
            "<pubDate>not a date at all</pubDate><description>%s</description></item>"
            "</channel></rss>" % (n, "x" * 2000))


class Server:
    """Serves the feed at /feed.xml (after `delay` seconds), /hop.xml redirects to it, and records
    each request: (path as sent, User-Agent). Used as the proxy too (it then sees absolute URLs)."""

    def __init__(self, tls_dir=None):
        self.seen = []
        self.delay = 0.0
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with outer.lock:
                    outer.seen.append((self.path, self.headers.get("User-Agent", "")))
                    delay = outer.delay
                    n = len(outer.seen)
                time.sleep(delay)
                try:
                    if self.path.endswith("/hop.xml"):
                        self.send_response(302)
                        self.send_header("Location", "/feed.xml")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    body = feed(n).encode("utf-8")
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls_dir:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(os.path.join(tls_dir, "server.pem"),
                                    os.path.join(tls_dir, "server.key"))
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def count(self):
        with self.lock:
            return len(self.seen)

    def last(self):
        with self.lock:
            return self.seen[-1] if self.seen else (None, None)


def make_certificates(directory):
    """A test CA and a certificate it signed for DNS:localhost."""
    def run(*args):
        subprocess.run(["/usr/bin/openssl", *args], cwd=directory, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=veille test CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext")


CONFIG = """
[daemon]
database = "{database}"
log_level = "{log_level}"
user_agent = "{agent}"
[polling]
{allow}
interval = "1s"
min_interval = "1s"
max_interval = "2s"
timeout = "{timeout}"
max_body = "{max_body}"
max_redirects = {max_redirects}
{proxy}
{ca_file}
host_spacing = "0"
[[feed]]
url = "http://127.0.0.1:{port}/{path}"
name = "F"
{feed_extra}
{tls_feed}
[[rule]]
name = "marque"
query = '''Orélia'''
"""



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    server = Server()
    proxy = Server()
    tls_dir = tempfile.mkdtemp(prefix="veille-reload-tls-")
    make_certificates(tls_dir)
    tls = Server(tls_dir)
    settings = dict(database="veille.db", log_level="info", agent="ua-one", allow="",
                    timeout="30s", max_body="16MiB", max_redirects=5, proxy="", ca_file="",
                    port=server.port, path="feed.xml", feed_extra="", tls_feed="")

    with harness.Workdir() as work:
        log_path = os.path.join(work.path, "veilled.log")

        def log():
            with open(log_path, encoding="utf-8") as f:
                return f.read()

        def reload(**changes):
            """Writes the changed config, sends SIGHUP, returns the reload line."""
            settings.update(changes)
            work.write_config(CONFIG.format(**settings))
            applied = log().count("reload: ")
            daemon.send_signal(signal.SIGHUP)
            if not harness.wait_for(lambda: log().count("reload: ") > applied, 10):
                raise AssertionError("no reload line:\n" + log()[-2000:])
            return "reload: " + log().split("reload: ")[-1].splitlines()[0]

        def outcome_of_a_later_poll():
            """The outcome of a poll that started after now (the one under way may be older)."""
            seen = log().count("poll F ")
            harness.wait_for(lambda: log().count("poll F ") >= seen + 2, 15)
            return log().split("poll F ")[-1].split()[0]

        work.write_config(CONFIG.format(**settings))
        with open(log_path, "w") as out:
            daemon = subprocess.Popen([a.veilled, "--config", work.config], stdout=out,
                                      stderr=out)
        try:
            c.check(harness.wait_for(lambda: "poll F outcome=blocked" in log(), 10),
                    "without allow_private the loopback feed is blocked by the SSRF guard")
            c.check(server.count() == 0, "... before any request reaches the server")

            line = reload(allow='allow_private = ["127.0.0.1:%d", "localhost:%d"]'
                          % (server.port, tls.port))
            c.check(line.startswith("reload: configuration applied (1 feeds, 1 rules)")
                    and "restart" not in line, "the reload line: %r" % line)
            c.check(harness.wait_for(lambda: "poll F outcome=ok" in log(), 10),
                    "allow_private takes effect on reload")
            c.check(server.last()[1] == "ua-one", "user_agent as configured")

            reload(agent="ua-two")
            c.check(harness.wait_for(lambda: server.last()[1] == "ua-two", 10),
                    "user_agent takes effect on reload (server saw %r)" % server.last()[1])

            reload(max_body="1KiB")
            c.check(outcome_of_a_later_poll() == "outcome=too_large",
                    "max_body takes effect on reload")
            reload(max_body="16MiB")
            c.check(outcome_of_a_later_poll() == "outcome=ok", "... and back")

            server.delay = 2.5
            reload(timeout="1s")
            c.check(outcome_of_a_later_poll() == "outcome=timeout",
                    "timeout takes effect on reload (the transfer under way restarts with it)")
            server.delay = 0
            reload(timeout="30s")
            c.check(outcome_of_a_later_poll() == "outcome=ok", "... and back")

            reload(path="hop.xml", max_redirects=0)
            c.check(outcome_of_a_later_poll() == "outcome=http_4xx",
                    "max_redirects = 0 takes effect on reload (one 302 is one too many)")
            reload(max_redirects=1)
            c.check(outcome_of_a_later_poll() == "outcome=ok", "... and 1 follows the 302")

            reload(path="feed.xml", proxy='proxy = "http://127.0.0.1:%d"' % proxy.port)
            c.check(harness.wait_for(lambda: proxy.count() > 0, 10),
                    "proxy takes effect on reload: the proxy server gets the request")
            c.check((proxy.last()[0] or "").startswith("http://127.0.0.1:%d/" % server.port),
                    "... for the feed's absolute URL (%r)" % (proxy.last()[0],))
            reload(proxy="")
            before = server.count()
            c.check(harness.wait_for(lambda: server.count() > before, 10),
                    "... and without it the feed's server is asked directly again")

            reload(feed_extra='user_agent = "ua-feed"')
            c.check(harness.wait_for(lambda: server.last()[1] == "ua-feed", 10),
                    "a per-feed key takes effect on reload")

            # A feed served over TLS with a certificate from a private CA: refused until
            # ca_file names that CA.
            reload(tls_feed='[[feed]]\nurl = "https://localhost:%d/feed.xml"\nname = "S"'
                   % tls.port)
            c.check(harness.wait_for(lambda: "poll S outcome=tls" in log(), 10),
                    "an https feed signed by an unknown CA fails with outcome=tls")
            reload(ca_file='ca_file = "%s"' % os.path.join(tls_dir, "ca.pem"))
            c.check(harness.wait_for(lambda: "poll S outcome=ok" in log(), 10),
                    "ca_file takes effect on reload: the same feed is then fetched")
            reload(tls_feed="", ca_file="")

            # At warn, the info lines of each poll (and of the reload itself) stop.
            # The same reload changes the User-Agent: a request carrying the new one was sent
            # after the level was set.
            settings.update(log_level="warn", agent="ua-warn", feed_extra="")
            work.write_config(CONFIG.format(**settings))
            daemon.send_signal(signal.SIGHUP)
            c.check(harness.wait_for(lambda: server.last()[1] == "ua-warn", 10), "reloaded at warn")
            lines = log().count("poll F ")
            before = server.count()
            c.check(harness.wait_for(lambda: server.count() >= before + 2, 10),
                    "at log_level warn the feed is still polled")
            c.check(log().count("poll F ") == lines,
                    "log_level takes effect on reload (no info line at warn)")

            line = reload(database="other.db", log_level="info")
            c.check("needs a restart to take effect: [daemon] database" in line,
                    "a key that needs a restart is named in the reload line: %r" % line)
            c.check(len(line.splitlines()) == 1 and "(1 feeds, 1 rules)" in line,
                    "... in the one reload line")
            before = server.count()
            c.check(harness.wait_for(lambda: server.count() > before, 10),
                    "polling goes on with the old database")
            c.check(not os.path.exists(os.path.join(work.path, "other.db")),
                    "the new database is not opened before a restart")
        finally:
            daemon.send_signal(signal.SIGTERM)
            try:
                code = daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                daemon.kill()
                code = daemon.wait()
        c.check(code == 0, "the daemon stops cleanly (exit %s)" % code)
        if c.failed:
            print(log()[-4000:])
    server.httpd.shutdown()
    proxy.httpd.shutdown()
    tls.httpd.shutdown()
    shutil.rmtree(tls_dir, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
