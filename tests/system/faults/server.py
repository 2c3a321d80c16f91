"""The misbehaving HTTP server of RELIABILITY.md section 3.2, the 127.0.0.2 SSRF canary, and the
throwaway TLS endpoints.

Everything binds to 127.0.0.1 (the canary to 127.0.0.2) on ephemeral ports. Every request is
recorded as one JSON line (time, route, request headers, status, bytes sent, how it ended) in
memory and in `log_path`; assertions read these records, never the daemon's log text. Every sleep
is bounded and ends early when the server closes.
"""

import http.server
import json
import select
import socket
import ssl
import threading
import time
import urllib.parse


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


# The bodies of /xml/, /enc/ and /text/ live in bodies.py, the routes in server_routes.py and
# the TLS material in tls_material.py (re-exported: scenarios use them as server.X).
from bodies import (DIRTY_BYTES, ENC_CASES, ENC_TITLES, TEXT_TITLE, XML_CASES,  # noqa: E402,F401
                    text_case)
from server_routes import MIB, Routes  # noqa: E402,F401
from tls_material import make_tls_material  # noqa: E402,F401


class FaultServer(Routes):
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
