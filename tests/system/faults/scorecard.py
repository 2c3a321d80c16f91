#!/usr/bin/python3
"""Fault-injection harness for veille (RELIABILITY.md section 3): runs every scenario against the
real veilled / veille, checks the invariants of 3.6 after each, prints the scorecard of 3.7 and a
final 'N passed, N failed' line; exits non-zero on any failure.

  scorecard.py --veilled PATH --veille PATH [--kill-cycles K] [--only NAME,...] [--seed S]
               [--lanes N]

--lanes N runs the scenarios in N processes at once (each with its own servers and work
directories; most scenarios spend their time waiting on the daemon's timers), prints each lane's
output when it ends, then one scorecard over all of them.

Loopback only (127.0.0.1, and 127.0.0.2 for the SSRF canary). Every process has a deadline.
Set VEILLE_FAULTS_KEEP=1 to keep the work directories for inspection.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402
import server  # noqa: E402

SCENARIOS = ["steady", "identity", "bad_inputs", "kill9", "delivery", "contention", "reload",
             "secrets", "disk_full", "db_moved", "clock", "security", "transport",
             "delivery_faults", "busy", "stop", "text", "watchdog", "memlimit", "clock_jump", "moved", "volume"]

# The rows of RELIABILITY.md section 2 (2-A to 2-E): 75.
CATALOGUE = (["A%d" % i for i in range(1, 27)] + ["B%d" % i for i in range(1, 14)] +
             ["C%d" % i for i in range(1, 10)] + ["D%d" % i for i in range(1, 14)] +
             ["E%d" % i for i in range(1, 15)])
# Rows asserted by a test outside this harness (its name), counted whatever --only says.
ELSEWHERE = {
    "B13": "feed_test GoldenTest.EveryFixtureParsesToItsExpectedJson",
    "C9": "pipeline_test IngestTest.AKeywordOnlyInMarkupOrUrlsIsNoMentionGoldenCases",
    "D12": "webhook_transport_test WebhookTransport.LoopbackIsBlockedUnlessAllowed",
    "D13": "webhook_transport_test WebhookTransport.AHugeResponseIsReadOnlyUpToTheCap",
}


class Context:
    """What the scenarios share: binaries, servers, and the running totals of the scorecard."""

    def __init__(self, args, tmp):
        self.veilled = os.path.abspath(args.veilled)
        self.veille = os.path.abspath(args.veille)
        self.kill_cycles = args.kill_cycles
        self.rng = random.Random(args.seed)
        self.tmp = tmp
        self.canary_file = os.path.join(tmp, "canary-file.txt")
        with open(self.canary_file, "w") as f:
            f.write(server.FILE_CANARY_TOKEN + "\n")
        self.canary = server.Canary()
        self.server = server.FaultServer(log_path=os.path.join(tmp, "requests.jsonl"),
                                         canary=self.canary, canary_file=self.canary_file,
                                         stall_limit=30)
        self.faults = [0, 0]  # survived, tried
        self.mentions = {"expected": 0, "stored": 0, "lost": 0, "duplicated": 0, "extra": 0}
        self.alerts = {}  # channel -> [expected, unique, raw duplicates, unexplained]
        self.politeness = {"early": 0, "after410": 0, "cond": [0, 0], "redirects": 0}

    def tally(self, survived, kind):
        self.faults[1] += 1
        self.faults[0] += 1 if survived else 0

    def add_mentions(self, bal):
        for k in self.mentions:
            self.mentions[k] += bal[k]

    def add_alerts(self, channel, expected, unique, raw_dups, unexplained):
        a = self.alerts.setdefault(channel, [0, 0, 0, 0])
        for i, v in enumerate((expected, unique, raw_dups, unexplained)):
            a[i] += v

    def close(self):
        self.server.close()
        self.canary.close()

    def totals(self):
        """What summarize() reads, as JSON (a lane's share of the scorecard)."""
        return {"faults": self.faults, "mentions": self.mentions, "alerts": self.alerts,
                "politeness": self.politeness, "canary": self.canary.hits()}


# Seconds each scenario took in the ci build (50 kill cycles; the asan build is close), to
# balance the lanes. An unknown scenario counts as 20 s.
COST = {"steady": 19, "identity": 11, "bad_inputs": 25, "kill9": 71, "delivery": 55,
        "contention": 51, "reload": 15, "secrets": 5, "disk_full": 71, "db_moved": 13,
        "clock": 41, "security": 12, "transport": 20, "delivery_faults": 15, "busy": 23,
        "stop": 1, "text": 24, "watchdog": 12, "memlimit": 8, "clock_jump": 13, "moved": 7,
        "volume": 5}


def plan_lanes(names, lanes):
    """Longest first onto the least loaded lane; each lane keeps the catalogue's order."""
    load = [0] * lanes
    members = [[] for _ in range(lanes)]
    for name in sorted(names, key=lambda n: -COST.get(n, 20)):
        i = load.index(min(load))
        load[i] += COST.get(name, 20)
        members[i].append(name)
    return [[n for n in names if n in m] for m in members if m]


class Totals:
    """The lanes' totals added up, in the shape summarize() reads from a Context."""

    def __init__(self, parts):
        self.faults = [sum(p["faults"][i] for p in parts) for i in range(2)]
        self.mentions = {k: sum(p["mentions"][k] for p in parts) for k in parts[0]["mentions"]}
        self.alerts = {}
        for p in parts:
            for ch, values in p["alerts"].items():
                a = self.alerts.setdefault(ch, [0, 0, 0, 0])
                for i, v in enumerate(values):
                    a[i] += v
        self.politeness = {"early": sum(p["politeness"]["early"] for p in parts),
                           "after410": sum(p["politeness"]["after410"] for p in parts),
                           "cond": [sum(p["politeness"]["cond"][i] for p in parts)
                                    for i in range(2)],
                           "redirects": max(p["politeness"]["redirects"] for p in parts)}
        self.canary_hits = sum(p["canary"] for p in parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--kill-cycles", type=int, default=50)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--only", default="", help="comma-separated scenarios: " + ",".join(SCENARIOS))
    ap.add_argument("--lanes", type=int, default=1, help="scenarios run in this many processes")
    ap.add_argument("--lane-out", default="", help=argparse.SUPPRESS)  # a lane's totals (JSON)
    args = ap.parse_args()
    only = [s for s in args.only.split(",") if s] or SCENARIOS
    if args.lanes > 1 and len(only) > 1:
        return run_lanes(args, only)
    card = common.Scorecard()
    covered = {}  # row -> the scenario (or test) that asserted it in this run
    print("faults harness: seed %d, scenarios %s" % (args.seed, ",".join(only)), flush=True)
    with tempfile.TemporaryDirectory(prefix="veille-faults-") as tmp:
        ctx = Context(args, tmp)
        try:
            for name in only:
                module = __import__("scenario_" + name)
                print("\n-- scenario %s --" % name, flush=True)
                t0 = time.monotonic()
                failed_before = card.failed
                try:
                    module.run(ctx, card)
                except Exception:  # noqa: BLE001 - a broken scenario is a failure, not a crash
                    traceback.print_exc()
                    card.check(False, "%s: the scenario ran to the end" % name)
                if card.failed == failed_before:  # a row counts only when its checks passed
                    for row in getattr(module, "ROWS", ()):
                        covered.setdefault(row, name)
                print("   (%s: %.1f s)" % (name, time.monotonic() - t0), flush=True)
            if args.lane_out:
                with open(args.lane_out, "w") as f:
                    json.dump({"totals": ctx.totals(), "covered": covered,
                               "passed": card.passed, "failed": card.failed,
                               "failures": card.failures, "figures": card.figures}, f)
                return 1 if card.failed else 0
            summarize(ctx, card, ctx.canary.hits())
            rows_figure(card, covered, only)
        finally:
            ctx.close()
    return card.finish()


def run_lanes(args, only):
    """Runs the scenarios in args.lanes processes of this script, then one scorecard."""
    lanes = plan_lanes(only, args.lanes)
    print("faults harness: seed %d, %d lanes: %s" % (args.seed, len(lanes), " | ".join(
        ",".join(lane) for lane in lanes)), flush=True)
    card = common.Scorecard()
    covered = {}
    parts = []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="veille-lanes-") as tmp:
        procs = []
        for i, lane in enumerate(lanes):
            out = os.path.join(tmp, "lane%d.json" % i)
            log = open(os.path.join(tmp, "lane%d.log" % i), "w+")
            cmd = [sys.executable, os.path.abspath(__file__), "--veilled", args.veilled,
                   "--veille", args.veille, "--kill-cycles", str(args.kill_cycles),
                   "--seed", str(args.seed + i), "--only", ",".join(lane), "--lane-out", out]
            procs.append((i, lane, out, log,
                          subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)))
        for i, lane, out, log, proc in procs:
            rc = proc.wait()
            log.seek(0)
            print("\n==== lane %d (%s): exit %d after %.1f s ====" % (
                i, ",".join(lane), rc, time.monotonic() - t0), flush=True)
            sys.stdout.write(log.read())
            log.close()
            try:
                with open(out) as f:
                    part = json.load(f)
            except (OSError, ValueError):
                card.check(False, "lane %d (%s) reported its totals (exit %d)"
                           % (i, ",".join(lane), rc))
                continue
            parts.append(part["totals"])
            card.passed += part["passed"]
            card.failed += part["failed"]
            card.failures += part["failures"]
            card.figures.update(part["figures"])
            for row, name in part["covered"].items():
                covered.setdefault(row, name)
    if parts:
        totals = Totals(parts)
        summarize(totals, card, totals.canary_hits)
    rows_figure(card, covered, only)
    return card.finish()


def summarize(ctx, card, canary):
    """The figures gathered by every scenario, with the cross-scenario checks."""
    s, t = ctx.faults
    card.figure("1", "faults survived %d/%d" % (s, t))
    m = ctx.mentions
    card.figure("4", "mentions expected %d, stored %d, lost %d, duplicated %d, invented %d"
                % (m["expected"], m["stored"], m["lost"], m["duplicated"], m["extra"]))
    if ctx.alerts:
        card.figure("5", "alerts per channel: " + "; ".join(
            "%s expected %d, unique delivered %d, lost %d" % (ch, exp, uniq, max(0, exp - uniq))
            for ch, (exp, uniq, raw, unexplained) in sorted(ctx.alerts.items())))
        card.figure("5a", "raw duplicate deliveries %d"
                    % sum(a[2] for a in ctx.alerts.values()))
        card.figure("5b", "duplicates not explained by an injected ambiguous fault %d"
                    % sum(a[3] for a in ctx.alerts.values()))
    card.check(canary == 0, "all: SSRF canary on 127.0.0.2 hit %d times" % canary)
    p = ctx.politeness
    card.figure("8", "politeness:")
    card.figure("8a", "polls earlier than Retry-After %d" % p["early"])
    card.figure("8b", "polls after a 410 %d" % p["after410"])
    good, total = p["cond"]
    card.figure("8c", "conditional-header compliance %s (%d/%d polls with stored validators)"
                % ("%.0f%%" % (100.0 * good / total) if total else "n/a", good, total))
    card.figure("8d", "requests per redirect-loop poll, worst %d" % p["redirects"])
    if "7" not in card.figures:
        card.figure("7", "SSRF canary hits %d, canary-file token in the database n/a, "
                         "non-HTTP connections %d" % (canary, canary))


def rows_figure(card, covered, ran):
    """Catalogue coverage: the rows declared by the scenarios that ran and passed (their ROWS),
    plus the rows asserted elsewhere (ELSEWHERE), out of the 75 of RELIABILITY.md 2."""
    rows = dict(covered)
    for row, test in ELSEWHERE.items():
        rows.setdefault(row, test)
    unknown = sorted(set(rows) - set(CATALOGUE))
    card.check(not unknown, "rows: every declared row is a catalogue row (unknown: %s)" % unknown)
    missing = [r for r in CATALOGUE if r not in rows]
    card.figure("rows", "catalogue rows covered %d/%d (scenarios run: %d of %d); rows without a "
                        "test in this run: %s" % (len(CATALOGUE) - len(missing), len(CATALOGUE),
                                                  len(ran), len(SCENARIOS),
                                                  " ".join(missing) or "none"))


if __name__ == "__main__":
    sys.exit(main())
