#!/usr/bin/python3
"""A webhook receiver on 127.0.0.1 for alert tests: verifies Standard Webhooks signatures in
constant time and records every request as one JSON line in --record (/dev/stdout to watch it).
--port picks the port (default: any free one).

Prints "PORT <n>" once listening. Runs until stdin closes when stdin is a pipe (the tests), else
until SIGINT or SIGTERM (so that `webhook_sink.py ... &` keeps running in a shell). Modes:
  ok                 200
  fail:N:CODE        CODE for the first N requests, then 200
  retry-after:S      429 with Retry-After: S for the first request, then 200
  gone               410
  status:CODE        always CODE
  redirect           302 to /canary (the canary records a hit if ever followed)
  hang:S             reads the body, sleeps S seconds, then 200
  reset              reads the body, then closes the connection without a status line
  hang-once:S        the first request as hang:S, then 200 at once (recorded "ambiguous": "hang")
  reset-once         the first request as reset, then 200 (recorded "ambiguous": "reset")
  big                200 with a 1 MiB body
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import stat
import sys
import threading
import time


def _valid_utf8(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--record", required=True)
    ap.add_argument("--secret", default="")
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    key = base64.b64decode(a.secret[len("whsec_"):]) if a.secret else b""
    state = {"count": 0}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def record(self, entry):
            with lock:
                with open(a.record, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")

        def reply(self, code, body=b"", headers=()):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self.record({"path": self.path, "canary": True})
            self.reply(200, b"canary")

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                state["count"] += 1
                n = state["count"]
            msg_id = self.headers.get("webhook-id", "")
            ts = self.headers.get("webhook-timestamp", "")
            valid = False
            if key:
                signed = ("%s.%s." % (msg_id, ts)).encode() + body
                expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
                for sig in self.headers.get("webhook-signature", "").split(" "):
                    version, _, value = sig.partition(",")
                    if version == "v1" and hmac.compare_digest(value, expected):
                        valid = True
            hub = self.headers.get("X-Hub-Signature-256", "")
            hub_valid = bool(key) and hmac.compare_digest(
                hub, "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest())
            fresh = ts.isdigit() and abs(int(ts) - time.time()) <= 300
            entry = {"path": self.path, "n": n, "id": msg_id, "timestamp": ts,
                     "signature_valid": valid, "hub_valid": hub_valid, "fresh": fresh,
                     "time": time.time(), "body": body.decode("utf-8", "replace"),
                     "body_valid_utf8": _valid_utf8(body),
                     "content_type": self.headers.get("Content-Type", "")}
            mode = a.mode
            if mode.startswith("fail:"):
                _, count, code = mode.split(":")
                entry["status"] = int(code) if n <= int(count) else 200
            elif mode.startswith("retry-after:"):
                entry["status"] = 429 if n == 1 else 200
            elif mode == "gone":
                entry["status"] = 410
            elif mode.startswith("status:"):
                entry["status"] = int(mode.split(":")[1])
            elif mode == "redirect":
                entry["status"] = 302
            else:
                entry["status"] = 200
            # The -once modes: only the first request is ambiguous for the sender (it cannot know
            # whether the receiver processed it), and says so in its record.
            if mode.startswith("hang-once:") or mode == "reset-once":
                if n == 1:
                    entry["ambiguous"] = "hang" if mode.startswith("hang") else "reset"
                    mode = "hang:" + mode.split(":")[1] if mode.startswith("hang") else "reset"
                else:
                    mode = "ok"
            self.record(entry)
            if mode.startswith("hang:"):
                time.sleep(float(mode.split(":")[1]))
            if mode == "reset":
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if mode == "big":
                self.reply(200, b"x" * (1 << 20))
                return
            headers = []
            if entry["status"] == 429:
                headers.append(("Retry-After", mode.split(":")[1]))
            if entry["status"] == 302:
                headers.append(("Location", "http://127.0.0.1:%d/canary" % self.server.server_address[1]))
            self.reply(entry["status"], b'{"ok": true}', headers)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print("PORT %d" % httpd.server_address[1], flush=True)
    if stat.S_ISFIFO(os.fstat(0).st_mode):
        sys.stdin.read()  # a test's pipe: stop when the test closes it
    else:
        # A terminal or /dev/null (started with & from a shell): never read stdin, which would
        # stop a background job (SIGTTIN) or end at once; run until SIGINT or SIGTERM.
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        while not stop.wait(3600):
            pass
    httpd.shutdown()


if __name__ == "__main__":
    main()
