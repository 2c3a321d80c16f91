"""Shared pieces of the fault scenarios: the scorecard, the config builder, request-log helpers."""

import time

import feedgen


class Scorecard:
    """Named checks (ok / FAIL lines as they happen) and the numbered figures of RELIABILITY.md
    3.7, printed together at the end with the final 'N passed, N failed' line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.figures = {}  # key -> text
        self.failures = []

    def check(self, condition, what):
        if condition:
            self.passed += 1
            print("ok   " + what, flush=True)
        else:
            self.failed += 1
            self.failures.append(what)
            print("FAIL " + what, flush=True)
        return bool(condition)

    def figure(self, key, text):
        self.figures[key] = text

    def finish(self):
        print("\n== scorecard (RELIABILITY.md 3.7) ==")

        def order(k):
            num = "".join(ch for ch in k if ch.isdigit())
            return (int(num or 999), k)

        for k in sorted(self.figures, key=order):
            print("%-4s %s" % (k, self.figures[k]))
        if self.failures:
            print("\nfailed checks:")
            for f in self.failures:
                print("  - " + f)
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 else 1


RULE_CHANNELS = {rule: ["journal"] for rule in feedgen.KEYWORDS.values()}


def config(ports, feeds, polling="", channels=None, rules=None, daemon=""):
    """A daemon config polling fast: 1 s interval, 5 s total timeout, 4 MiB body cap.

    `feeds` is a list of (name, url, extra_toml); every feed is high priority (polled at the
    1 s floor) and alerts from its first poll (backfill_alerts = true) unless its extra_toml
    says otherwise. `ports` are allowlisted on
    127.0.0.1 only (never the 127.0.0.2 canary)."""
    allow = ", ".join('"127.0.0.1:%d"' % p for p in ports)
    if "concurrency" not in polling:
        polling = "concurrency = 64\n" + polling
    if "max_body" not in polling:
        polling = 'max_body = "4MiB"\n' + polling
    text = ['[daemon]\ndatabase = "veille.db"\nlog_level = "info"\n%s\n' % daemon,
            '[polling]\ninterval = "1s"\nmin_interval = "1s"\nmax_interval = "20s"\n'
            'timeout = "5s"\nconnect_timeout = "3s"\n'
            'per_host = 64\nallow_private = [%s]\n%s\n' % (allow, polling)]
    for name, url, extra in feeds:
        backfill = "" if "backfill_alerts" in extra else "backfill_alerts = true\n"
        priority = "" if "priority" in extra else 'priority = "high"\n'
        text.append('[[feed]]\nurl = "%s"\nname = "%s"\n%s%s%s\n'
                    % (url, name, priority, backfill, extra))
    text.append(rules if rules is not None else feedgen.rules_toml())
    text.append(channels if channels is not None else '[[channel]]\nname = "journal"\n'
                'type = "log"\n')
    return "".join(text)


def polls(records, gap=0.5):
    """Groups requests into polls: a new poll starts after `gap` seconds of silence (redirect
    hops of one poll follow each other within milliseconds)."""
    groups = []
    for r in sorted(records, key=lambda r: r["t"]):
        if groups and r["t"] - groups[-1][-1]["t"] <= gap:
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


def conditional_share(records):
    """(compliant, total): requests after the first stored validators (the first 200 carrying
    an ETag) that sent If-None-Match or If-Modified-Since."""
    seen = False
    total = good = 0
    for r in sorted(records, key=lambda r: r["t"]):
        if seen:
            total += 1
            h = {k.lower(): v for k, v in r["headers"].items()}
            if "if-none-match" in h or "if-modified-since" in h:
                good += 1
        if r["status"] == 200:
            seen = True
    return good, total


def sleep_until(deadline):
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
