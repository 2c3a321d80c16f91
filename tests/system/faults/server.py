"""The misbehaving HTTP server of RELIABILITY.md section 3.2, the 127.0.0.2 SSRF canary, and the
throwaway TLS endpoints.

Everything binds to 127.0.0.1 (the canary to 127.0.0.2) on ephemeral ports. Every request is
recorded as one JSON line (time, route, request headers, status, bytes sent, how it ended) in
memory and in `log_path`; assertions read these records, never the daemon's log text. Every sleep
is bounded and ends early when the server closes.
"""

import gzip
import http.server
import json
import os
import select
import socket
import ssl
import struct
import subprocess
import threading
import time
import urllib.parse
import zlib

import feedgen

MIB = 1024 * 1024
CANARY_TOKEN = "VEILLE-CANARY-7f3a9c"
FILE_CANARY_TOKEN = "VEILLE-FILE-CANARY-51d2e8"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class Recorder:
    """Thread-safe list of request records, mirrored to a JSON-lines file."""

    def __init__(self, log_path):
        self.lock = threading.Lock()
        self.records = []
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None

    def add(self, rec):
        """Records a request as soon as it is read: a connection still held when a scenario
        looks (a stall the daemon never let go of) is there, without its "t_end"."""
        with self.lock:
            self.records.append(rec)

    def done(self, rec):
        """Mirrors a finished request to the JSON-lines file (the record itself, already listed
        by add(), was updated in place)."""
        with self.lock:
            if self.log:
                self.log.write(json.dumps(rec) + "\n")
                self.log.flush()

    def for_route(self, prefix):
        with self.lock:
            return [r for r in self.records if r["path"].split("?")[0].startswith(prefix)]

    def close(self):
        if self.log:
            self.log.close()


class Canary:
    """The "internal service" on 127.0.0.2: counts every TCP connection and every HTTP request,
    answers with a unique token. Any hit fails the SSRF checks."""

    def __init__(self):
        self.connections = 0
        self.requests = []
        self.lock = threading.Lock()
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with canary.lock:
                    canary.requests.append(self.path)
                body = ("<rss><channel><item><title>%s zorblax</title></item></channel></rss>"
                        % CANARY_TOKEN).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

        class Server(_Server):
            def get_request(self):
                conn = super().get_request()
                with canary.lock:
                    canary.connections += 1
                return conn

        self.httpd = Server(("127.0.0.2", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def hits(self):
        with self.lock:
            return self.connections

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class ConnectionCounter:
    """A bare TCP listener on 127.0.0.1 that counts connections and closes them at once: the
    target of non-HTTP redirects (gopher://, ftp://, dict://) whose port *is* allowlisted, so
    that only the daemon's protocol restriction, not its SSRF guard, keeps it away. Any
    connection is a non-HTTP connection (scorecard line 7)."""

    def __init__(self):
        self.connections = 0
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.closing.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            with self.lock:
                self.connections += 1
            conn.close()

    def hits(self):
        with self.lock:
            return self.connections

    def close(self):
        self.closing.set()
        self.thread.join(2)
        self.sock.close()


def _bomb(kind, size):
    """~`size` bytes of zeros compressed: gzip (RFC 1952) or zlib-wrapped deflate."""
    chunk = b"\0" * MIB
    if kind == "gzip":
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
    else:
        c = zlib.compressobj(9, zlib.DEFLATED, 15)
    parts = [c.compress(chunk) for _ in range(size // MIB)]
    parts.append(c.flush())
    return b"".join(parts)


# The bodies of /xml/, /enc/ and /text/ live in bodies.py (re-exported: scenarios use them).
from bodies import (DIRTY_BYTES, ENC_CASES, ENC_TITLES, TEXT_TITLE, XML_CASES,  # noqa: E402,F401
                    _enc_case, _xml_case, text_case)


class FaultServer:
    """The misbehaving HTTP server. `ctl` state per route prefix: {"fail": N, "code": C,
    "delay": S, "etag": E}. Routes: see RELIABILITY.md 3.2 and docs/reliability.md."""

    def __init__(self, log_path=None, canary=None, canary_file=None, stall_limit=40.0,
                 certfile=None, keyfile=None, bind="127.0.0.1"):
        self.rec = Recorder(log_path)
        self.canary = canary
        self.canary_file = canary_file or "/nonexistent"
        self.stall_limit = stall_limit
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.feeds = {}  # path -> current item count
        self.ctl = {}  # route prefix -> dict
        self.counters = {}  # path -> requests
        self.flap = 0
        self.bombs = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                self.rec = None

            def handle_one_request(self):
                try:
                    super().handle_one_request()
                except (BrokenPipeError, ConnectionResetError, socket.timeout, ssl.SSLError,
                        OSError) as e:
                    if self.rec is not None:
                        self.rec["end"] = "client-gone:" + type(e).__name__
                    self.close_connection = True
                finally:
                    if self.rec is not None:
                        self.rec["t_end"] = time.time()
                        server.rec.done(self.rec)
                        self.rec = None

            def do_GET(self):
                self.rec = {"t": time.time(), "path": self.path, "method": self.command,
                            "headers": dict(self.headers), "status": None, "bytes": 0,
                            "end": "complete", "port": self.server.server_address[1]}
                server.rec.add(self.rec)
                with server.lock:
                    server.counters[self.path] = server.counters.get(self.path, 0) + 1
                server.route(self)

            do_HEAD = do_GET

            def do_POST(self):
                self.do_GET()

            # helpers used by the routes
            def reply(self, status, body=b"", headers=(), ctype="application/rss+xml"):
                self.rec["status"] = status
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                    self.rec["bytes"] += len(body)

            def raw(self, data):
                self.wfile.write(data)
                self.wfile.flush()
                self.rec["bytes"] += len(data)

        self.httpd = _Server((bind, 0), Handler)
        if certfile:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certfile, keyfile)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    # -- public API ---------------------------------------------------------------------------

    def url(self, path, scheme="http"):
        return "%s://127.0.0.1:%d%s" % (scheme, self.port, path)

    def set_ctl(self, prefix, **state):
        with self.lock:
            self.ctl.setdefault(prefix, {}).update(state)

    def feed_count(self, path):
        with self.lock:
            return self.feeds.get(path, 0)

    def close(self):
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.rec.close()

    def sleep(self, seconds):
        """Bounded sleep that ends when the server closes."""
        self.closing.wait(min(seconds, self.stall_limit))

    def hold(self, h, seconds):
        """Keeps a connection open for at most `seconds` (bounded by stall_limit), returning as
        soon as the client closes it; records when and how it ended. t_end - t is how long the
        client waited on us: the hang measure of scorecard line 2."""
        deadline = time.time() + min(seconds, self.stall_limit)
        conn = h.connection
        while not self.closing.is_set() and time.time() < deadline:
            ready, _, _ = select.select([conn], [], [], 0.1)
            if ready:
                try:
                    data = conn.recv(4096, socket.MSG_PEEK)
                except OSError:
                    data = b""
                if not data:
                    h.rec["end"] = "client-closed"
                    return
                conn.recv(4096)
        h.rec["end"] = "held-to-limit"

    # -- routing ------------------------------------------------------------------------------

    def _ctl_for(self, path):
        with self.lock:
            for prefix, state in self.ctl.items():
                if path.startswith(prefix):
                    return prefix, state
        return None, None

    def route(self, h):
        parsed = urllib.parse.urlsplit(h.path)
        path = parsed.path
        q = dict(urllib.parse.parse_qsl(parsed.query))
        if path.startswith("/_ctl"):
            return self._control(h, path, q)
        prefix, state = self._ctl_for(path)
        if state:
            if state.get("delay"):
                self.sleep(float(state["delay"]))
            with self.lock:
                fail = state.get("fail", 0)
                if fail:
                    state["fail"] = fail - 1
            if fail:
                code = int(state.get("code", 500))
                return h.reply(code, b"injected failure\n", ctype="text/plain")
        parts = path.strip("/").split("/")
        name = parts[0]
        arg = parts[1] if len(parts) > 1 else ""
        handler = getattr(self, "r_" + name.replace("-", "_"), None)
        if handler is None:
            return h.reply(404, b"no such route\n", ctype="text/plain")
        return handler(h, arg, q, path)

    def _control(self, h, path, q):
        if path == "/_ctl/counters":
            with self.lock:
                body = json.dumps({"counters": self.counters, "feeds": self.feeds,
                                   "canary": self.canary.hits() if self.canary else 0}).encode()
            return h.reply(200, body, ctype="application/json")
        if path == "/_ctl/reset":
            with self.lock:
                self.counters.clear()
                self.ctl.clear()
            return h.reply(200, b"{}", ctype="application/json")
        route = q.pop("route", None)
        if not route:
            return h.reply(400, b"route= required\n", ctype="text/plain")
        state = {}
        for k, v in q.items():
            state[k] = int(v) if v.isdigit() else v
        self.set_ctl(route, **state)
        return h.reply(200, json.dumps(state).encode(), ctype="application/json")

    # -- routes -------------------------------------------------------------------------------

    def r_feed(self, h, seed, q, path):
        """Valid RSS that grows by k items per request up to cap; ETag / Last-Modified / 304."""
        k = int(q.get("k", 3))
        cap = int(q.get("cap", 30))
        with self.lock:
            n = self.feeds.get(path, int(q.get("start", k)) - k)
            n = min(cap, n + k)
            self.feeds[path] = n
        etag = '"%s-%d"' % (seed, n)
        last_mod = feedgen.http_date(feedgen.BASE_TIME + 3600 * n)
        validators = [("ETag", etag), ("Last-Modified", last_mod)]
        h.rec["served_items"] = n
        inm = h.headers.get("If-None-Match")
        ims = h.headers.get("If-Modified-Since")
        if inm == etag or (inm is None and ims == last_mod):
            return h.reply(304, b"", validators, ctype=None)
        return h.reply(200, feedgen.rss(seed, n), validators)

    def r_halfway(self, h, seed, q, path):
        """/feed/{seed} (same growth, validators and 304) whose 200 sends half the body, then
        keeps the connection open for `hold` seconds (the route's ctl state, else ?hold=,
        bounded by stall_limit; from the response of ?from= items on) before the rest: a transfer that is surely under way when the
        test acts. With hold 0 it is an ordinary feed."""
        k = int(q.get("k", 3))
        cap = int(q.get("cap", 30))
        _, state = self._ctl_for(path)
        hold = float((state or {}).get("hold", q.get("hold", 0)))
        with self.lock:
            n = min(cap, self.feeds.get(path, 0) + k)
            self.feeds[path] = n
        if n < int(q.get("from", 0)):
            hold = 0  # ?from=N: only responses of N items or more stop halfway
        etag = '"%s-%d"' % (seed, n)
        h.rec["served_items"] = n
        if h.headers.get("If-None-Match") == etag:
            return h.reply(304, b"", [("ETag", etag)], ctype=None)
        body = feedgen.rss(seed, n)
        h.rec["status"] = 200
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("ETag", etag)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.raw(body[:len(body) // 2])
        if hold > 0:
            h.rec["end"] = "halfway"
            self.hold(h, hold)
            if h.rec["end"] == "client-closed":
                h.close_connection = True
                return
        h.raw(body[len(body) // 2:])
        h.rec["end"] = "complete"

    def r_text(self, h, case, q, path):
        if case == "badreason":  # B8: a reason phrase with ESC, BEL and a right-to-left override
            h.rec["status"] = 500
            h.wfile.write(b"HTTP/1.1 500 Bad \x1b[31mred\x07 \xe2\x80\xaeevil\xff\r\n"
                          b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            h.close_connection = True
            return
        with self.lock:
            self.counters["text:" + case] = n = self.counters.get("text:" + case, 0) + 1
        try:
            body = text_case(case, n)
        except KeyError:
            return h.reply(404, b"no such case\n", ctype="text/plain")
        headers = ()
        if case == "laughs":
            headers = [("ETag", '"%s-%d"' % (case, n))]
        elif case == "truncated":  # one ETag for the cut and the whole document
            if h.headers.get("If-None-Match") == '"trunc"':
                return h.reply(304, b"", [("ETag", '"trunc"')], ctype=None)
            headers = [("ETag", '"trunc"')]
        return h.reply(200, body, headers, ctype="application/xml")

    def r_etag_flap(self, h, arg, q, path):
        with self.lock:
            self.flap += 1
            n = self.flap
        return h.reply(200, feedgen.rss("flap", 5), [("ETag", '"flap-%d"' % n)])

    def r_identity(self, h, case, q, path):
        """Entry identity over polls (RELIABILITY.md C3-C5); the n-th request of `path` decides
        the document, and nothing carries a validator, so every poll is parsed again.
          churn:    one article (same link, title and date) under a new GUID at every poll (C3)
          reuse:    one GUID; its title and text change after the first poll (C4)
          gains:    one GUID whose first title names no keyword and whose edit names one (C4:
                    an edit that matches a rule for the first time is a new mention)
          vanish:   items A and B; polls 2 and 3 serve B alone, then A is back (C5)"""
        with self.lock:
            n = self.counters.get(h.path, 1)  # do_GET counted this request
        h.rec["n"] = n
        date = feedgen.http_date(feedgen.BASE_TIME)

        def item(guid, title, link):
            return ("<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">%s</guid>"
                    "<pubDate>%s</pubDate><description>%s</description></item>"
                    % (title, link, guid, date, title))

        if case == "churn":
            items = [item("churn-%d" % n, "Churning zorblax article about the spring launch",
                          "https://example.invalid/churn/article")]
        elif case == "reuse":
            title = ("Original zorblax article about the spring launch" if n == 1 else
                     "Rewritten headline: zorblax recalls the spring range")
            items = [item("reuse-1", title, "https://example.invalid/reuse/%d" % min(n, 2))]
        elif case == "gains":
            title = ("Spring range announced by a maker" if n == 1 else
                     "Spring range announced by quintaro")
            items = [item("gains-1", title, "https://example.invalid/gains/1")]
        elif case == "vanish":
            a = item("vanish-a", "Vanishing zorblax article A", "https://example.invalid/vanish/a")
            b = item("vanish-b", "Staying zorblax article B", "https://example.invalid/vanish/b")
            items = [b] if n in (2, 3) else [a, b]
        else:
            return h.reply(404, b"no such case\n", ctype="text/plain")
        # The build date changes at every request, so no poll is answered by the body
        # fingerprint (same bytes): each is parsed, and its entries compared with the stored ones.
        built = feedgen.http_date(feedgen.BASE_TIME + n)
        body = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                "<title>identity %s</title><link>https://example.invalid/%s</link>"
                "<lastBuildDate>%s</lastBuildDate>%s</channel></rss>\n"
                % (case, case, built, "".join(items))).encode()
        return h.reply(200, body)

    def r_status(self, h, code, q, path):
        code = int(code or 500)
        headers = []
        ra = q.get("ra")
        if ra == "date":
            headers.append(("Retry-After", feedgen.http_date(time.time() + int(q.get("s", 120)))))
        elif ra:
            headers.append(("Retry-After", ra))
        if q.get("cf"):
            headers.append(("cf-mitigated", "challenge"))
        body = q.get("body", "status %d\n" % code).encode()
        return h.reply(code, body, headers, ctype="text/html")

    def r_redirect(self, h, kind, q, path):
        cport = self.canary.port if self.canary else 9
        # ?port=N: the non-HTTP schemes aim at an allowlisted 127.0.0.1 port (ConnectionCounter).
        proto_host = "127.0.0.1:%s" % q["port"] if "port" in q else "127.0.0.2:%d" % cport
        targets = {
            "loop": "/redirect/loop2", "loop2": "/redirect/loop",
            "perm": "/feed/perm-target?k=2&cap=2",
            "temp": "/feed/temp-target?k=2&cap=2",
            "file": "file://" + self.canary_file,
            "gopher": "gopher://%s/1" % proto_host,
            "ftp": "ftp://%s/x" % proto_host,
            "dict": "dict://%s/d" % proto_host,
            "canary": "http://127.0.0.2:%d/" % cport,
            "canary-mapped": "http://[::ffff:127.0.0.2]:%d/" % cport,
            "canary-hex": "http://0x7f000002:%d/" % cport,
            "canary-dec": "http://2130706434:%d/" % cport,
            "canary-octal": "http://0177.0.0.2:%d/" % cport,
            "localhost": "http://localhost:%d/" % cport,
        }
        if kind == "chain":
            n = int(q.get("n", 10))
            loc = "/redirect/chain?n=%d" % (n - 1) if n > 0 else "/feed/chain-end?k=2&cap=2"
        else:
            loc = targets.get(kind)
            if loc is None:
                return h.reply(404, b"", ctype="text/plain")
        code = 301 if kind == "perm" else 302
        return h.reply(code, b"", [("Location", loc)], ctype="text/plain")

    def r_stall(self, h, phase, q, path):
        h.rec["end"] = "stalled"
        if phase == "accept":
            self.hold(h, self.stall_limit)
            h.close_connection = True
            return
        h.rec["status"] = 200
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        body = feedgen.rss("stall", 5)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.flush()
        if phase == "body":
            h.raw(body[:len(body) // 2])
        self.hold(h, self.stall_limit)
        h.close_connection = True

    def r_slow(self, h, bps, q, path):
        bps = max(1, int(bps or 1))
        body = feedgen.rss("slow", 5)
        h.rec["status"] = 200
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        deadline = time.time() + self.stall_limit
        for b in body:
            if self.closing.is_set() or time.time() > deadline:
                break
            h.raw(bytes([b]))
            self.sleep(1.0 / bps)
        h.close_connection = True

    def r_noclose(self, h, arg, q, path):
        body = feedgen.rss("noclose", 5)
        h.rec["status"] = 200
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                      b"Connection: keep-alive\r\n\r\n")
        h.raw(body)
        self.hold(h, self.stall_limit)
        h.close_connection = True

    def r_reset(self, h, arg, q, path):
        body = feedgen.rss("reset", 6)
        h.rec["status"] = 200
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.raw(body[:len(body) // 2])
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.rec["end"] = "reset"
        h.close_connection = True

    def r_short(self, h, arg, q, path):
        body = feedgen.rss("short", 6)
        h.rec["status"] = 200
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(body) + 1000))
        h.end_headers()
        h.raw(body)
        h.rec["end"] = "short"
        h.close_connection = True

    def _stream(self, h, total, chunk=b"<!-- filler -->" * 4096):
        h.rec["status"] = 200
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        if total is not None:
            h.send_header("Content-Length", str(total))
        h.end_headers()
        sent = 0
        h.raw(b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>')
        deadline = time.time() + self.stall_limit
        limit = total if total is not None else 1 << 40
        while sent < limit and not self.closing.is_set() and time.time() < deadline:
            piece = chunk[:limit - sent]
            h.raw(piece)
            sent += len(piece)
        h.close_connection = True

    def r_big(self, h, mib, q, path):
        self._stream(h, int(mib or 100) * MIB)

    def r_endless(self, h, arg, q, path):
        self._stream(h, None)

    def r_bomb(self, h, kind, q, path):
        size = int(q.get("mib", 64)) * MIB
        key = (kind, size)
        with self.lock:
            body = self.bombs.get(key)
        if body is None:
            body = _bomb(kind, size)
            with self.lock:
                self.bombs[key] = body
        h.rec["status"] = 200
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Encoding", "gzip" if kind == "gzip" else "deflate")
        if q.get("cl", "1") == "1":
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.raw(body)
        h.close_connection = True

    def r_hdrbomb(self, h, arg, q, path):
        h.rec["status"] = 200
        h.send_response(200)
        for i in range(int(q.get("n", 20000))):
            h.send_header("X-Bomb-%d" % i, "v" * 64)
        body = feedgen.rss("hdrbomb", 3)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.raw(body)

    def r_xml(self, h, case, q, path):
        canary_url = "http://127.0.0.2:%d/xxe" % (self.canary.port if self.canary else 9)
        try:
            body = _xml_case(case, canary_url, self.canary_file)
        except KeyError:
            return h.reply(404, b"", ctype="text/plain")
        ctype = "text/html" if case == "html" else "application/rss+xml"
        return h.reply(200, body, ctype=ctype)

    def r_enc(self, h, case, q, path):
        """The encoding cases (RELIABILITY.md B4-B6). `?vary=1` (8-bit cases only) appends a
        comment that changes at each request, so that no poll is answered by the body
        fingerprint: every poll parses the document again."""
        try:
            body, ctype = _enc_case(case)
        except KeyError:
            return h.reply(404, b"", ctype="text/plain")
        if q.get("vary") and not case.startswith(("utf16", "utf32")):
            with self.lock:
                n = self.counters.get(h.path, 1)
            body += b"<!-- request %d -->" % n
        return h.reply(200, body, ctype=ctype)

    def r_gz(self, h, seed, q, path):
        """A valid feed sent gzip-encoded (control for the bombs)."""
        body = gzip.compress(feedgen.rss(seed, 4))
        return h.reply(200, body, [("Content-Encoding", "gzip")])


# -- TLS ---------------------------------------------------------------------------------------

def _openssl(args, cwd, faketime=None):
    cmd = ["openssl"] + args
    if faketime:
        cmd = ["faketime", faketime] + cmd
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)


def make_tls_material(directory):
    """A throwaway CA and four server certificates in `directory` (never committed):
    valid (from the CA, for 127.0.0.1), self-signed, expired (from the CA), wrong host. Kept
    when they are already there (the scenarios of one run share them)."""
    d = directory
    names = ("valid", "wronghost", "expired", "selfsigned")
    made = {name: (os.path.join(d, name + ".pem"), os.path.join(d, name + ".key"))
            for name in names}
    if all(os.path.exists(p) for pair in made.values() for p in pair):
        return made  # made earlier in this run (key generation takes seconds)
    os.makedirs(d, exist_ok=True)
    _openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
              "ca.pem", "-days", "2", "-subj", "/CN=veille faults CA"], d)

    def leaf(name, san, faketime=None, days="2"):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=%s\n" % san)
        _openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
                  name + ".csr", "-subj", "/CN=" + name], d)
        _openssl(["x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                  "-CAcreateserial", "-out", name + ".pem", "-days", days, "-extfile",
                  name + ".ext"], d, faketime=faketime)

    leaf("valid", "IP:127.0.0.1")
    leaf("wronghost", "DNS:wrong.example.invalid")
    # Signed in 2020 for 30 days (faketime moves openssl's clock, not ours).
    leaf("expired", "IP:127.0.0.1", faketime="2020-01-01 00:00:00", days="30")
    _openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "selfsigned.key",
              "-out", "selfsigned.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
              "-addext", "subjectAltName=IP:127.0.0.1"], d)
    return made
