"""The routes of the fault server (server.FaultServer): one `r_<name>` method per route prefix,
each answering one request `h` (the handler) for `/<name>/<arg>` with query `q`. A mixin: the
state it reads (locks, counters, stall limit, the canary) is the FaultServer's.
"""

import gzip
import socket
import struct
import time
import zlib

import feedgen

# The bodies of /xml/, /enc/ and /text/ live in bodies.py.
from bodies import _enc_case, _xml_case, text_case  # noqa: E402

MIB = 1024 * 1024


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


class Routes:
    """The fault server's routes (RELIABILITY.md 3.2, docs/reliability.md)."""

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
