"""Security review (issue 14): each finding replayed against the real veilled / veille with the
inputs of the review, on 127.0.0.1 only. This scenario brings its own small HTTP server (it also
acts as the HTTP proxy of the proxy-mode checks, so what a proxy would be asked is recorded) and
an "internal service" on a port that is not allowlisted.

Scorecard line 15: findings closed, one check per finding (10: file modes under umask 022).
"""

import json
import os
import subprocess
import threading
import time
import http.server
from urllib.parse import unquote_to_bytes, urlsplit

import daemon
import invariants

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
# None: it replays the findings of issue 14 (scorecard line 15).
ROWS = ()

ALERT_TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "alert")
KEYWORD = "zorblax"  # the rule of feedgen.KEYWORDS this scenario routes everywhere
RULE = "kw_zorblax"
HOOK_TOKEN = "TOKEN-SECRET-d15c0rd-9f8e7d"
FAIL_TOKEN = "TOKEN-SECRET-5l4ck-445566"
PRIVATE_TOKEN = "VEILLE-SEC-PRIVATE-FILE-7c1e"
API_KEY = "k-sec-9a8b7c"
GITLAB_TOKEN = "t-sec-1d2e3f"
PHISH = "https://phish.example/login"
HOSTILE_LINK = "https://example.com/x)[Verify your account](" + PHISH
LONG_WORD = "A" * 1500


def _rss(items):
    body = "".join(
        "<item><title>%s</title><link>%s</link><guid>%s</guid></item>" % (t, l, g)
        for t, l, g in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>S</title>'
            + body + "</channel></rss>").encode("utf-8")


def _escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


ALERT_FEED = _rss([
    ("%s %s" % (KEYWORD, LONG_WORD), _escape(HOSTILE_LINK), "sec-long"),
    ("%s control \u009b2J and \u0090 and \u009d end" % KEYWORD, "https://example.com/c1",
     "sec-c1"),
])
# Finding 3: the review's document (a root with 100,000 empty attributes, then 100,000 <x/>),
# 77 s of CPU before parsing was made linear; one entry after the flood.
PATHO_FEED = ('<rss version="2.0"%s><channel><title>P</title>%s'
              '<item><title>pathological</title><guid>patho-1</guid></item></channel></rss>'
              % ("".join(' a%d=""' % i for i in range(100000)), "<x/>" * 100000)).encode()
PLAIN_FEED = _rss([("%s plain" % KEYWORD, "https://example.com/plain", "sec-plain")])


class Server:
    """The feeds, redirects, webhook receivers and proxy of this scenario, recording requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = []
        scenario = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _record(self, body=b""):
                parts = urlsplit(self.path)
                host = parts.hostname or urlsplit("//" + self.headers.get("Host", "")).hostname
                rec = {"path": parts.path, "host": host or "",
                       "proxied": self.path.startswith("http"), "t": time.monotonic(),
                       "headers": {k.lower(): v for k, v in self.headers.items()},
                       "body": body.decode("utf-8", "replace")}
                with scenario.lock:
                    scenario.records.append(rec)
                return rec

            def _send(self, status, body=b"", headers=(), reason=None):
                line = b"HTTP/1.1 %d " % status + (reason if reason is not None else b"X")
                out = [line]
                for k, v in headers:
                    out.append(("%s: %s" % (k, v)).encode("latin-1"))
                out.append(b"Content-Length: %d" % len(body))
                self.wfile.write(b"\r\n".join(out) + b"\r\n\r\n" + body)

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                rec = self._record(self.rfile.read(n))
                if rec["path"].startswith("/fail/"):
                    return self._send(500, b"no")
                return self._send(204)

            def do_GET(self):
                rec = self._record()
                path, host = rec["path"], rec["host"]
                main = "127.0.0.1:%d" % scenario.port
                if host != "127.0.0.1" and host != "localhost" and host != "feed.veille-sec.invalid":
                    return self._send(502, b"the proxy refuses")  # a private target via proxy
                if path in ("/alerts.xml",):
                    return self._send(200, ALERT_FEED, [("Content-Type", "application/rss+xml")])
                if path == "/patho.xml":  # finding 3
                    return self._send(200, PATHO_FEED, [("Content-Type", "application/rss+xml")])
                if path in ("/feed.xml", "/echo.xml"):
                    return self._send(200, PLAIN_FEED, [("Content-Type", "application/rss+xml")])
                if path == "/dupe-internal":  # finding 1: the first Location is the internal one
                    return self._send(302, headers=[
                        ("Location", "http://127.0.0.1:%d/internal-secret" % scenario.internal),
                        ("Location", "http://%s/feed.xml" % main)])
                if path == "/dupe-file":  # finding 1: a 301 to the feed, then to a local file
                    return self._send(301, headers=[
                        ("Location", "/feed.xml"), ("Location", "file://" + scenario.private)])
                if path == "/proxy-dupe":  # finding 1, proxy mode
                    return self._send(302, headers=[
                        ("Location", "http://169.254.169.254/latest/meta-data/"),
                        ("Location", "http://feed.veille-sec.invalid/feed.xml")])
                if path == "/proxy-space":  # finding 2
                    return self._send(302, headers=[
                        ("Location", "http://169.254.169.254/latest meta-data/")])
                if path == "/proxy-dot":  # finding 2
                    return self._send(302, headers=[("Location", "http://169.254.169.254./latest/")])
                if path == "/hdr":  # finding 4: to another origin (host name) on the same port
                    return self._send(302, headers=[
                        ("Location", "http://localhost:%d/echo.xml" % scenario.port)])
                if path == "/reason":  # findings 6 and 9: C1 controls and invalid UTF-8
                    return self._send(503, b"no", reason=unquote_to_bytes("Busy%C2%9B2J%1B%5B31m%FF"))
                return self._send(404, b"no")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.internal_hits = 0

        class Internal(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                with scenario.lock:
                    scenario.internal_hits += 1
                self.send_response(200)
                self.send_header("Content-Length", "6")
                self.end_headers()
                self.wfile.write(b"SECRET")

        self.internal_httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Internal)
        self.internal_httpd.daemon_threads = True
        self.internal = self.internal_httpd.server_address[1]
        threading.Thread(target=self.internal_httpd.serve_forever, daemon=True).start()
        self.private = ""

    def where(self, prefix):
        with self.lock:
            return [r for r in self.records if r["path"].startswith(prefix)]

    def close(self):
        for h in (self.httpd, self.internal_httpd):
            h.shutdown()
            h.server_close()


class SmtpSink:
    """tests/alert/smtp_sink.py (aiosmtpd) as a child process."""

    def __init__(self, record):
        self.record = record
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ALERT_TESTS, "smtp_sink.py"), "--record", record],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline().split()[1])

    def records(self):
        if not os.path.exists(self.record):
            return []
        with open(self.record, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def _config(srv, work, smtp_port):
    main = srv.port
    allow = '"127.0.0.1:%d", "localhost:%d", "127.0.0.1:%d"' % (main, main, smtp_port)
    proxy = 'proxy = "http://127.0.0.1:%d"\n' % main
    feeds = [
        ("sec-alerts", "http://127.0.0.1:%d/alerts.xml" % main, ""),
        ("sec-dupe-internal", "http://127.0.0.1:%d/dupe-internal" % main, ""),
        ("sec-dupe-file", "http://127.0.0.1:%d/dupe-file" % main, ""),
        ("sec-proxy-dupe", "http://feed.veille-sec.invalid/proxy-dupe", proxy),
        ("sec-proxy-space", "http://feed.veille-sec.invalid/proxy-space", proxy),
        ("sec-proxy-dot", "http://feed.veille-sec.invalid/proxy-dot", proxy),
        ("sec-headers", "http://127.0.0.1:%d/hdr" % main,
         'headers = { X-Api-Key = "%s", PRIVATE-TOKEN = "%s" }\n' % (API_KEY, GITLAB_TOKEN)),
        ("sec-reason", "http://127.0.0.1:%d/reason" % main, ""),
        ("sec-patho", "http://127.0.0.1:%d/patho.xml" % main, ""),
    ]
    text = ['[daemon]\ndatabase = "veille.db"\nlog_level = "debug"\n',
            '[polling]\ninterval = "1s"\nmin_interval = "1s"\nmax_interval = "3s"\n'
            'timeout = "5s"\nconnect_timeout = "3s"\nallow_private = [%s]\n' % allow]
    for name, url, extra in feeds:
        text.append('[[feed]]\nurl = "%s"\nname = "%s"\npriority = "high"\n'
                    'backfill_alerts = true\n%s' % (url, name, extra))
    text.append('[[rule]]\nname = "%s"\nquery = \'%s\'\n'
                'channels = ["journal", "discord", "hookfail", "mail"]\n' % (RULE, KEYWORD))
    text.append('[[channel]]\nname = "journal"\ntype = "log"\n')
    text.append('[[channel]]\nname = "discord"\ntype = "webhook"\nformat = "discord"\n'
                'url = "http://127.0.0.1:%d/discord/api/webhooks/112233/%s"\n' % (main, HOOK_TOKEN))
    text.append('[[channel]]\nname = "hookfail"\ntype = "webhook"\nformat = "slack"\n'
                'url_file = "hook.url"\n')
    text.append('[[channel]]\nname = "mail"\ntype = "email"\nsmtp_url = "smtp://127.0.0.1:%d"\n'
                'tls = "none"\nfrom = "veille@example.org"\nto = ["ops@example.org"]\n'
                'timeout = "5s"\n' % smtp_port)
    return "".join(text)


def run(ctx, card):
    if not os.path.exists(os.path.join(ALERT_TESTS, "smtp_sink.py")):
        card.check(False, "security: tests/alert/smtp_sink.py is there")
        return
    srv = Server()
    closed = []
    try:
        with daemon.Workdir("security") as work:
            sink = SmtpSink(os.path.join(work.path, "mail.jsonl"))
            try:
                _run(ctx, card, srv, work, sink, closed)
            finally:
                sink.close()
    finally:
        srv.close()
    card.figure("15", "security review findings closed %d/%d (%s)"
                % (sum(1 for _, ok in closed if ok), len(closed),
                   ", ".join("%s %s" % (n, "ok" if ok else "OPEN") for n, ok in closed)))


def _run(ctx, card, srv, work, sink, closed):
    srv.private = os.path.join(work.path, "private.xml")
    with open(srv.private, "w") as f:
        f.write(_rss([("%s %s" % (KEYWORD, PRIVATE_TOKEN), "https://x.invalid/", "p1")])
                .decode())
    with open(os.path.join(work.path, "hook.url"), "w") as f:
        f.write("http://127.0.0.1:%d/fail/api/webhooks/445566/%s\n" % (srv.port, FAIL_TOKEN))
    work.write_config(_config(srv, work, sink.port))

    def check(finding, ok, what):
        card.check(ok, "security %s: %s" % (finding, what))
        closed.append((finding, bool(ok)))

    caller_umask = os.umask(0o022)  # an interactive shell's: finding 10 must not depend on it
    try:
        with daemon.Daemon(ctx.veilled, work) as d:
            started, alive, rc, stop_s, outputs, fetch, modes = _poll_and_stop(ctx, srv, work,
                                                                                 sink, d)
    finally:
        os.umask(caller_umask)
    _judge(ctx, card, srv, work, sink, check, started, alive, rc, stop_s, outputs, fetch, modes)


def _file_modes(ctx, work):
    """Finding 10: the modes of what veilled and veille created under umask 022."""
    modes = {}
    for name, path in (("db", work.db), ("wal", work.db + "-wal"), ("shm", work.db + "-shm"),
                       ("lock", work.db + ".lock")):
        modes[name] = os.stat(path).st_mode & 0o777 if os.path.exists(path) else None
    backup = os.path.join(work.path, "backup.db")
    daemon.run([ctx.veille, "--config", work.config, "db", "backup", backup], timeout=30)
    modes["backup"] = os.stat(backup).st_mode & 0o777 if os.path.exists(backup) else None
    return modes


def _poll_and_stop(ctx, srv, work, sink, d):
    started = d.wait_log("outcome=ok", 20)
    # Enough polls for a 301 streak of 3 and the alerts' first attempts, and the outcome of the
    # review's pathological document (finding 3: its parse, once 77 s of CPU, ends well within
    # this bound even on a loaded machine; without the wait a slow parse was cut by the stop).
    # Every other request, alert and line that _judge counts, too (a CPU-starved daemon's
    # channels and polls lag behind one another).
    daemon.wait_until(lambda: len(srv.where("/dupe-file")) >= 5 and
                      len(sink.records()) >= 1 and len(srv.where("/fail/")) >= 1 and
                      "poll sec-patho outcome=" in d.text() and
                      srv.where("/proxy-space") and srv.where("/proxy-dot") and
                      srv.where("/echo.xml") and srv.where("/discord/") and
                      any(r["headers"].get("x-api-key") == API_KEY for r in srv.where("/hdr")) and
                      any("AAAA" in r.get("subject", "") for r in sink.records()) and
                      "Busy" in d.text(), 30)
    outputs = {}
    for args in (["outbox"], ["outbox", "--json"], ["feeds"], ["feeds", "--json"],
                 ["mentions"], ["mentions", "--json"]):
        p = daemon.run([ctx.veille, "--config", work.config] + args, timeout=30)
        outputs[" ".join(args)] = (p.returncode, p.stdout + p.stderr)
    fetch = subprocess.run(
        [ctx.veille, "fetch", "--json", "--no-config", "--allow-private",
         "127.0.0.1:%d" % srv.port, "http://127.0.0.1:%d/reason" % srv.port],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    modes = _file_modes(ctx, work)
    alive = d.alive()
    t0 = time.monotonic()
    rc = d.stop(30)
    stop_s = time.monotonic() - t0
    return started, alive, rc, stop_s, outputs, fetch, modes


def _judge(ctx, card, srv, work, sink, check, started, alive, rc, stop_s, outputs, fetch, modes):
    card.check(started and alive and rc == 0,
               "security: the daemon polls the hostile feeds and stops cleanly (rc=%s, %.1f s)"
               % (rc, stop_s))
    ctx.tally(survived=alive and rc == 0, kind="security")
    log = "\n".join(open(p, "rb").read().decode("utf-8", "replace") for p in work.logs)
    raw_log = b"".join(open(p, "rb").read() for p in work.logs)

    # 1. Two Location headers: neither followed, the internal service never reached; a web feed
    #    never becomes a local file; through a proxy the first Location never reaches it.
    feeds = {}
    with invariants.connect(work.db) as db:
        db.text_factory = lambda b: b.decode("utf-8", "replace")  # old versions stored raw bytes
        for name, fetch_url, err in db.execute(
                "SELECT f.url, f.fetch_url, f.last_error FROM feeds f"):
            feeds[name] = (fetch_url, err or "")
    file_urls = [u for u, (fu, _) in feeds.items() if fu and not fu.startswith("http")]
    private_in_db = invariants.db_contains(work.db, PRIVATE_TOKEN)
    metadata_asked = [r for r in srv.records if (r["host"] or "").startswith("169.254")]
    check("1", srv.internal_hits == 0 and not file_urls and not private_in_db
          and not metadata_asked and len(srv.where("/dupe-file")) >= 4,
          "two Location headers are refused: internal service hits %d, feeds moved to a local "
          "file %s, private file in the database %s, proxy asked for 169.254.169.254 %d times, "
          "polls of the 301 %d" % (srv.internal_hits, file_urls, private_in_db,
                                  len(metadata_asked), len(srv.where("/dupe-file"))))
    # 2. A Location with a space or a trailing dot is judged as libcurl reads it (proxy mode).
    space = [r for r in srv.records if r["path"].startswith("/latest")]
    check("2", not space and len(srv.where("/proxy-space")) >= 1
          and len(srv.where("/proxy-dot")) >= 1,
          "oddly written private Locations never reach the proxy (%d requests for /latest…)"
          % len(space))
    # 3. The review's document parses in bounded time and the stop is not held up by a parse.
    patho_ok = "poll sec-patho outcome=ok new_entries=1" in log
    check("3", patho_ok and rc == 0 and stop_s <= 5.0,
          "the review's pathological document is parsed and stored (%s), SIGTERM honoured in "
          "%.1f s (bound 5 s)" % ("yes" if patho_ok else "no", stop_s))
    # 4. Custom headers only to the configured origin.
    echoed = srv.where("/echo.xml")
    leaked = [r for r in echoed if "x-api-key" in r["headers"] or "private-token" in r["headers"]]
    sent = [r for r in srv.where("/hdr") if r["headers"].get("x-api-key") == API_KEY]
    check("4", echoed and sent and not leaked,
          "custom headers stay with the configured origin (%d polls of the redirect target, %d "
          "with the feed's headers)" % (len(echoed), len(leaked)))
    # 5. Webhook URLs are secrets as a whole.
    places = []
    for token in (HOOK_TOKEN, FAIL_TOKEN):
        if token in log:
            places.append("log")
        if invariants.db_contains(work.db, token) or invariants.raw_file_contains(work.db, token):
            places.append("database")
        places += ["veille " + k for k, (_, out) in outputs.items() if token in out]
    attempts = len(srv.where("/fail/"))
    check("5", attempts >= 1 and not places,
          "webhook tokens appear nowhere (%d failing attempts; found in %s)"
          % (attempts, places or "nothing"))
    # 6. No control character reaches the log or the CLI.
    controls = [c for c in ("\x1b", "\u009b", "\u0090", "\u009d") if c in log]
    cli_controls = [k for k, (_, out) in outputs.items()
                    if any(c in out for c in ("\x1b", "\u009b", "\u0090", "\u009d"))]
    check("6", not controls and b"\xc2\x9b" not in raw_log and not cli_controls
          and "Busy" in log,
          "no C0/C1 control in the log or CLI output (log %s, CLI %s)" % (
              [hex(ord(c)) for c in controls], cli_controls))
    # 7. Chat Markdown: the hostile link stays one link.
    posts = [r["body"] for r in srv.where("/discord/")]
    contents = [json.loads(b).get("content", "") for b in posts if b.startswith("{")]
    broken = [c for c in contents if "](" + PHISH in c]
    mentions_ok = all(json.loads(b).get("allowed_mentions") == {"parse": []} for b in posts
                      if b.startswith("{"))
    check("7", contents and not broken and mentions_ok,
          "a link cannot add a second Markdown link (%d Discord messages, %d broken)"
          % (len(contents), len(broken)))
    # 8. A 1,500-character word in a title: the mail is delivered, every line within 998.
    mails = [r for r in sink.records() if r.get("note", "accepted") == "accepted"]
    long_mail = [r for r in mails if "AAAA" in r.get("subject", "")]
    worst = max((r.get("max_line", 0) for r in mails), default=0)
    check("8", long_mail and worst <= 998,
          "the long title's alert is delivered (%d mails, longest line %d)" % (len(mails), worst))
    # 9. `veille fetch --json` never aborts on bad bytes.
    try:
        doc = json.loads(fetch.stdout.decode("utf-8"))
        fetched = doc.get("outcome") == "http_5xx"
    except ValueError:
        fetched = False
    check("9", fetch.returncode == 1 and fetched,
          "`veille fetch --json` prints JSON for invalid UTF-8 in a reason phrase (exit %d)"
          % fetch.returncode)
    # 10. File modes: under umask 022 nothing is readable by another local user.
    check("10", all(m == 0o600 for m in modes.values()),
          "files created 0600 under umask 022 (%s)"
          % ", ".join("%s %s" % (k, oct(m) if m is not None else "missing")
                      for k, m in modes.items()))
    card.check(all(rc == 0 for rc, _ in outputs.values()),
               "security: every CLI command succeeds %s"
               % [(k, rc) for k, (rc, _) in outputs.items() if rc != 0])
