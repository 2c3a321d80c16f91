#!/usr/bin/python3
"""Misbehaving HTTP server for the fetcher tests (loopback only).

Listens on two ports of 127.0.0.1: the main one (tests allowlist it) and a "canary" one that
stands for an internal service the SSRF guard must never reach. Prints "PORTS <main> <canary>"
then serves until killed. Every request is logged; /_log returns the log as JSON, /_reset
clears it. Routes are documented in route().
"""
import gzip
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import struct
import sys
import threading
import time
import zlib
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_to_bytes, urlsplit

LOCK = threading.Lock()
LOG = []
ACTIVE_PATH = {}  # "port path" -> requests in progress
MAX_ACTIVE_PATH = {}  # "port path" -> peak since the last /_reset
SLEEP_ALL = [0, 0]  # /sleep requests in progress on both ports, peak
FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b'<item><guid>1</guid><title>Hello</title></item></channel></rss>')
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"


def make_bomb(wbits=31):
    comp = zlib.compressobj(9, zlib.DEFLATED, wbits)  # 31: gzip wrapper, 15: zlib (deflate)
    chunk = b"\0" * (1 << 20)
    out = [comp.compress(chunk) for _ in range(64)]
    out.append(comp.flush())
    return b"".join(out)


BOMBS = {}  # encoding -> about 65 KB expanding to 64 MiB, built on first use


def bomb(encoding):
    with LOCK:
        if encoding not in BOMBS:
            BOMBS[encoding] = make_bomb(31 if encoding == "gzip" else 15)
        return BOMBS[encoding]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        port = self.server.server_address[1]
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        entry = {
            "port": port,
            "path": parts.path,
            "client_port": self.client_address[1],
            "t": time.monotonic(),
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }
        with LOCK:
            LOG.append(entry)
            key = "%d %s" % (port, parts.path)
            ACTIVE_PATH[key] = ACTIVE_PATH.get(key, 0) + 1
            MAX_ACTIVE_PATH[key] = max(MAX_ACTIVE_PATH.get(key, 0), ACTIVE_PATH[key])
            if parts.path == "/sleep":
                SLEEP_ALL[0] += 1
                SLEEP_ALL[1] = max(SLEEP_ALL[1], SLEEP_ALL[0])
        try:
            self.route(parts.path, query)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True
        finally:
            with LOCK:
                ACTIVE_PATH[key] -= 1
                if parts.path == "/sleep":
                    SLEEP_ALL[0] -= 1

    def send(self, status, body=b"", headers=None, date=True):
        self.send_response_only(status)
        if date:
            self.send_header("Date", formatdate(usegmt=True))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route(self, path, q):
        canary = self.server.server_address[1] not in (MAIN_PORT, TLS_PORT[0])
        if canary and path != "/sleep":  # the "internal service": any hit is an SSRF
            return self.send(200, b"CANARY-TOKEN")
        if path == "/_log":
            with LOCK:
                doc = {"log": LOG, "max_active_path": MAX_ACTIVE_PATH,
                       "max_active_sleep": SLEEP_ALL[1]}
                body = json.dumps(doc).encode()
            return self.send(200, body, {"Content-Type": "application/json"})
        if path == "/_reset":
            with LOCK:
                LOG.clear()
                MAX_ACTIVE_PATH.clear()
                SLEEP_ALL[1] = SLEEP_ALL[0]
            return self.send(200, b"ok")
        if path == "/feed":  # 200 with validators; 304 when they match
            if self.headers.get("If-None-Match") == ETAG or (
                    self.headers.get("If-None-Match") is None
                    and self.headers.get("If-Modified-Since") == LAST_MODIFIED):
                return self.send(304, b"", {"ETag": ETAG})
            return self.send(200, FEED, {"Content-Type": "application/rss+xml", "ETag": ETAG,
                                         "Last-Modified": LAST_MODIFIED,
                                         "Cache-Control": "public, max-age=7200"})
        if path == "/gzip":
            return self.send(200, gzip.compress(FEED), {"Content-Encoding": "gzip",
                                                        "Content-Type": "application/rss+xml"})
        if path.startswith("/status/"):  # any status; optional Retry-After and Date
            code = int(path.split("/")[2])
            headers = {}
            if "retry_after" in q:
                headers["Retry-After"] = q["retry_after"]
            if "date" in q:
                self.send_response_only(code)
                self.send_header("Date", q["date"])
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "2")
                self.end_headers()
                return self.wfile.write(b"no")
            return self.send(code, b"no", headers)
        if path.startswith("/chain/"):  # /chain/<code>/<n>: n hops of <code>, then /feed
            _, _, code, n = path.split("/")
            target = "/feed" if int(n) == 0 else "/chain/%s/%d" % (code, int(n) - 1)
            return self.send(int(code), b"", {"Location": target})
        if path == "/loop/a":
            return self.send(302, b"", {"Location": "/loop/b"})
        if path == "/loop/b":
            return self.send(301, b"", {"Location": "http://127.0.0.1:%d/loop/a" % MAIN_PORT})
        if path == "/redirect":  # 302 (or ?code=) to any Location given in ?to=
            return self.send(int(q.get("code", "302")), b"", {"Location": q["to"]})
        if path == "/dupe":  # one redirect with two Location headers: ?a= then ?b=
            self.send_response_only(int(q.get("code", "302")))
            self.send_header("Location", q["a"])
            self.send_header("Location", q["b"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/reason":  # ?code= with the raw bytes of ?text= (percent-encoded) as reason
            self.wfile.write(b"HTTP/1.1 " + q.get("code", "500").encode() + b" " +
                             unquote_to_bytes(self.path.split("text=", 1)[1].split("&")[0]) +
                             b"\r\nContent-Length: 2\r\n\r\nno")
            return
        if path == "/sleep":  # 200 after ?ms=
            time.sleep(int(q.get("ms", "300")) / 1000.0)
            return self.send(200, FEED, {"Content-Type": "application/rss+xml"})
        if path == "/stall":  # read the request, never answer (bounded)
            time.sleep(float(q.get("s", "5")))
            self.close_connection = True
            return
        if path == "/slow":  # slow-loris: headers, then one byte every 0.3 s
            self.send_response_only(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.3)
            self.close_connection = True
            return
        if path == "/reset":  # half the body, then RST
            self.send_response_only(200)
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED[: len(FEED) // 2])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if path == "/short":  # Content-Length larger than what is sent, then close
            self.send_response_only(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(FEED)
            self.wfile.flush()
            self.close_connection = True
            return
        if path == "/endless":  # no length, data until the client gives up (bounded at 256 MiB)
            self.send_response_only(200)
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<item>" + b"a" * 65530
            for _ in range(4096):
                self.wfile.write(chunk)
            self.close_connection = True
            return
        if path == "/unsized":  # no length: ?first= bytes on their own, then up to ?total= bytes
            self.send_response_only(200)
            self.send_header("Connection", "close")
            self.end_headers()
            total = int(q.get("total", "1000000"))
            first = int(q.get("first", "70"))
            self.wfile.write(b"a" * first)
            self.wfile.flush()
            time.sleep(0.05)  # a small first write reaches the client as its own chunk
            self.wfile.write(b"b" * (total - first))
            self.close_connection = True
            return
        if path == "/bomb":  # ?enc=gzip|deflate
            encoding = q.get("enc", "gzip")
            return self.send(200, bomb(encoding), {"Content-Encoding": encoding,
                                                   "Content-Type": "application/rss+xml"})
        if path == "/stall-body":  # headers and half the body, then silence (bounded)
            self.send_response_only(200)
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED[: len(FEED) // 2])
            self.wfile.flush()
            time.sleep(float(q.get("s", "5")))
            self.close_connection = True
            return
        if path == "/noclose":  # the whole body, no length, and the socket stays open
            self.send_response_only(200)
            self.end_headers()
            self.wfile.write(FEED)
            self.wfile.flush()
            time.sleep(float(q.get("s", "5")))
            self.close_connection = True
            return
        if path == "/challenge":  # a Cloudflare bot check, as Miniflux detects it
            return self.send(403, b"<html>Just a moment...</html>",
                             {"cf-mitigated": "challenge", "Content-Type": "text/html"})
        if path == "/hdrbomb":  # thousands of headers
            self.send_response_only(200)
            for i in range(5000):
                self.send_header("X-Filler-%d" % i, "v" * 100)
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)
            return
        return self.send(404, b"not found")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        pass  # resets and timeouts are the point of this server


def make_certificates(directory):
    """A test CA and a server certificate for DNS:localhost only (never 127.0.0.1)."""
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


def main():
    global MAIN_PORT
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the finally: clean up certs
    main_srv = Server(("127.0.0.1", 0), Handler)
    canary = Server(("127.0.0.1", 0), Handler)
    MAIN_PORT = main_srv.server_address[1]
    threading.Thread(target=canary.serve_forever, daemon=True).start()
    cert_dir = tempfile.mkdtemp(prefix="veille-tls-")
    try:
        make_certificates(cert_dir)
        tls = Server(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(cert_dir, "server.pem"),
                                os.path.join(cert_dir, "server.key"))
        tls.socket = context.wrap_socket(tls.socket, server_side=True)
        TLS_PORT[0] = tls.server_address[1]
        threading.Thread(target=tls.serve_forever, daemon=True).start()
        print("PORTS %d %d %d %s" % (MAIN_PORT, canary.server_address[1], TLS_PORT[0],
                                     os.path.join(cert_dir, "ca.pem")), flush=True)
        main_srv.serve_forever()
    finally:
        shutil.rmtree(cert_dir, ignore_errors=True)


MAIN_PORT = 0
TLS_PORT = [0]
if __name__ == "__main__":
    main()
