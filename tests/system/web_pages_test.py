#!/usr/bin/env python3
"""The dashboard, feeds and alerts pages of `veille serve` over an archive filled by
`veilled --once` from a local HTTP server, without a browser: each page's content (hostile feed
text escaped), "retry" changing what `veille outbox` shows, and "poll now" answered by a running
veilled (the server sees the request, `veille feeds` the new entry). A POST without the CSRF
token changes nothing."""
import argparse
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import web_archive  # noqa: E402


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def send(self, path, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=10) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()


def csrf(body):
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', body)
    return m.group(1) if m else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    with harness.Workdir() as work:
        root = os.path.join(work.path, "feeds")
        os.makedirs(root)
        web_archive.write_feeds(root)

        def veille(*args):
            return harness.run([a.veille, "--config", work.config, *args], check=False)

        with harness.FeedServer(root) as server:
            dead_id, pending_id = web_archive.prepare(work, server, a.veilled, a.veille)
            serve, base = harness.start_serve(a.veille, work.config)
            daemon = None
            log_path = os.path.join(work.path, "veilled.log")
            try:
                web = Client(base)
                status, headers, body = web.send("/dashboard")
                c.check(status == 200, "GET /dashboard: 200 (%d)" % status)
                c.check(body.count('class="chart"') == 1 and 'class="donut"' in body,
                        "the volume chart and the share of voice's donut are drawn")
                m = re.search(r'id="kpi-mentions"><b>(\d+)</b>', body)
                c.check(m is not None and m.group(1) == "5",
                        "5 mentions in the last 30 days (%s)" % (m and m.group(1)))
                c.check("Journal &lt;b&gt;Économie&lt;/b&gt;" in body
                        and "<b>Économie" not in body,
                        "the feed's name is escaped among the top sources")
                c.check('style="' not in body, "no inline style (the CSP forbids it)")
                c.check("script-src 'self'" in headers.get("Content-Security-Policy", ""),
                        "the Content-Security-Policy is sent")
                status, _, body = web.send("/dashboard?period=7d")
                c.check(status == 200 and 'id="period-7d" aria-current="page"' in body,
                        "?period=7d is the chosen preset")
                status, _, body = web.send("/dashboard?since=2020-01-01&until=2020-01-31")
                c.check(status == 200 and "No mentions in this period." in body,
                        "a period of dates without mentions says so")

                status, _, body = web.send("/feeds")
                c.check(status == 200, "GET /feeds: 200")
                c.check("Journal &lt;b&gt;Économie&lt;/b&gt;" in body,
                        "the feeds page escapes the feed's name")
                c.check(re.search(r"Feed qui manque.*?failing.*?HTTP 404", body, re.S) is not None,
                        "the 404 feed is failing, with its error")
                feeds = {f["name"]: f for f in json.loads(veille("feeds", "--json").stdout)}
                entries_before = feeds["Journal <b>Économie</b>"]["entries"]
                token = csrf(body)
                m = re.search(r'<tr id="feed-(\d+)"><td title="[^"]*a\.xml"', body)
                c.check(m is not None and len(token) == 64, "a poll-now form per feed")
                feed_a = m.group(1) if m else "0"

                status, _, body = web.send("/alerts")
                c.check(status == 200 and 'id="alert-%d"' % dead_id in body
                        and 'id="alert-%d"' % pending_id in body,
                        "GET /alerts lists the dead and the pending alert")
                c.check("&lt;img src=x onerror=alert(1)&gt;" in body and "<img" not in body,
                        "the alert's error is escaped")
                status, _, _ = web.send("/alerts/retry", {"id": str(dead_id)})
                c.check(status == 403, "retry without the token: 403")
                out = json.loads(veille("outbox", "--status", "dead", "--json").stdout)
                c.check([r["id"] for r in out] == [dead_id], "... and the alert is still dead")
                status, headers, _ = web.send("/alerts/retry", {"csrf": token, "id": str(dead_id)})
                c.check(status == 303 and headers.get("Location") == "/alerts?retried=1",
                        "retry: 303 to /alerts (%d)" % status)
                out = json.loads(veille("outbox", "--status", "dead", "--json").stdout)
                c.check(out == [], "veille outbox no longer lists it dead")
                rows = {r["id"]: r for r in json.loads(veille("outbox", "--json").stdout)}
                c.check(rows.get(dead_id, {}).get("status") == "pending"
                        and rows[dead_id]["attempts"] == 0,
                        "... it is pending again with a fresh schedule (%s)" % rows.get(dead_id))

                # Poll now, answered by a running veilled.
                log = open(log_path, "w")
                daemon = subprocess.Popen([a.veilled, "--config", work.config], stdout=log,
                                          stderr=log)

                # Every feed was polled by --once: the daemon has nothing due for an hour.
                c.check(harness.wait_for(lambda: "is running since" in web.send("/feeds")[2], 10),
                        "the feeds page says veilled runs (its heartbeat)")
                polls = len(server.requests_for("a.xml"))
                web_archive.write_feeds(root, [("a3", "Orélia recrute", "https://t.example/a3")])
                status, _, _ = web.send("/feeds/poll", {"feed": feed_a})
                c.check(status == 403, "poll now without the token: 403")
                status, headers, _ = web.send("/feeds/poll", {"csrf": token, "feed": feed_a})
                c.check(status == 303 and headers.get("Location") == "/feeds?asked=" + feed_a,
                        "poll now: 303 to /feeds?asked=%s (%d)" % (feed_a, status))
                c.check(harness.wait_for(lambda: len(server.requests_for("a.xml")) > polls, 10),
                        "veilled polls the feed at once")

                def entries():
                    f = {x["name"]: x for x in json.loads(veille("feeds", "--json").stdout)}
                    return f["Journal <b>Économie</b>"]["entries"]
                c.check(harness.wait_for(lambda: entries() == entries_before + 1, 10),
                        "veille feeds shows the new entry (%d -> %d)"
                        % (entries_before, entries()))
                status, _, body = web.send("/feeds?asked=" + feed_a)
                c.check('id="notice"' in body and "Asked veilled to poll" in body,
                        "the feeds page confirms the request")
            finally:
                if daemon:
                    daemon.send_signal(signal.SIGTERM)
                    try:
                        daemon.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        daemon.kill()
                harness.stop(serve)
            if c.failed and os.path.exists(log_path):
                with open(log_path, encoding="utf-8") as f:
                    print(f.read()[-3000:])
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
