#!/usr/bin/python3
"""A real SMTP server on 127.0.0.1 (aiosmtpd) for alert tests.

Prints "PORT <n>" once listening. Every message that reaches DATA is parsed back with Python's
email package and appended to --record as one JSON line. Modes:
  accept            250
  tempfail:N        451 at DATA for the first N messages, then 250
  reject            550 at RCPT
  reject-data       554 at DATA
  hang-once:S       the first DATA waits S seconds before answering (RFC 1047 window), then 250
  hang-until:PATH   every DATA waits until PATH exists (at most 120 s), then 250; a test holds
                    the server hung for exactly as long as it needs
--port N listens on N (default: any free port; a test can start it late, on a port it named).
--auth USER:PASS enables AUTH (without TLS; loopback only) and refuses other credentials (535).
--starttls CERT,KEY offers (and requires) STARTTLS; --smtps CERT,KEY speaks TLS from the start.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import socket
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Handler:
    def __init__(self, mode, record):
        self.mode = mode
        self.record = record
        self.data_count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "reject":
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def save(self, envelope, note):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        header_block = raw.split(b"\r\n\r\n", 1)[0]
        text = html = None
        for part in msg.walk():
            if part.get_content_type() == "text/plain" and text is None:
                text = part.get_content()
            elif part.get_content_type() == "text/html" and html is None:
                html = part.get_content()
        try:
            raw.decode("utf-8")
            valid_utf8 = True
        except UnicodeDecodeError:
            valid_utf8 = False
        entry = {
            "note": note,
            "time": time.time(),
            "mail_from": envelope.mail_from,
            "rcpt": envelope.rcpt_tos,
            "message_id": str(msg["Message-ID"]),
            "subject": str(msg["Subject"]),
            "date": str(msg["Date"]),
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "content_type": msg.get_content_type(),
            "defects": len(msg.defects) + sum(len(p.defects) for p in msg.walk()),
            "header_names": [k for k in msg.keys()],
            "header_block": header_block.decode("utf-8", "replace"),
            "max_line": max(len(l) for l in raw.split(b"\r\n")),
            "valid_utf8": valid_utf8,
            "text": text,
            "html": html,
        }
        with self.lock:
            with open(self.record, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    async def handle_DATA(self, server, session, envelope):
        self.data_count += 1
        n = self.data_count
        if self.mode == "reject-data":
            return "554 5.7.1 rejected"
        if self.mode.startswith("tempfail:") and n <= int(self.mode.split(":")[1]):
            return "451 4.3.0 try later"
        if self.mode.startswith("hang-once:") and n == 1:
            self.save(envelope, "hang")
            await asyncio.sleep(float(self.mode.split(":")[1]))
            return "250 OK (late)"
        if self.mode.startswith("hang-until:"):
            self.save(envelope, "hang")
            release = self.mode.split(":", 1)[1]
            deadline = time.time() + 120
            while not os.path.exists(release) and time.time() < deadline:
                await asyncio.sleep(0.05)
            self.save(envelope, "answered")
            return "250 OK (late)"
        self.save(envelope, "accepted")
        return "250 OK"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="accept")
    ap.add_argument("--record", required=True)
    ap.add_argument("--auth", default="")
    ap.add_argument("--starttls", default="")
    ap.add_argument("--smtps", default="")
    ap.add_argument("--port", type=int, default=0, help="listen here (default: any free port)")
    a = ap.parse_args()
    handler = Handler(a.mode, a.record)
    kwargs = {}
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode() == user and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False)

        kwargs = {"authenticator": authenticator, "auth_require_tls": False,
                  "auth_required": True}
    def context(pair):
        cert, key = pair.split(",")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        return ctx

    if a.starttls:
        kwargs["tls_context"] = context(a.starttls)
        kwargs["require_starttls"] = True
    if a.smtps:
        kwargs["ssl_context"] = context(a.smtps)
    port = a.port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("PORT %d" % port, flush=True)
    try:
        sys.stdin.read()  # runs until the test closes our stdin or kills us
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
