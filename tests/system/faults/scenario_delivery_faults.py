"""Delivery faults not covered by scenario_delivery (RELIABILITY.md D1, D7, D10, D11), with the
SMTP and Standard Webhooks sinks of tests/alert. One daemon run, one feed, six channels:
  hang   webhook: the first request is read whole, then answered 8 s later, after the daemon's
         5 s timeout (D10: the receiver may have processed it)
  reset  webhook: the first request is read whole, then the connection is closed before the
         status line (D11)
  ra     webhook: the first request gets 429 with Retry-After: 8 (D7)
  mail   email to a port nobody listens on (D1: connection refused); the SMTP sink is started on
         that port once the daemon has failed there
  rejects  email answered 550 at RCPT (D3: permanent)
  auth     email with a wrong password, answered 535 (D4: the operator's to fix)
Every later request gets a 200 / 250. The end-to-end rules: every alert arrives on every channel;
at hang and reset the only duplicate webhook-id is the one whose first attempt timed out or was
reset, sent again (same id, fresh timestamp, valid signature) after the timeout, on the retry
schedule; at ra nothing comes before Retry-After (1 s of rounding: due times are whole seconds);
mail keeps its rows pending, without a hot loop, and drains once the server is up; rejects is
dead after exactly one attempt with the reply, shown by `veille outbox`; auth is held with its rows
pending, at most one attempt per backoff step, and one log line that says what to fix. About 15 s.

Scorecard lines 5, 5a, 5b, 9a (alerts and signatures, added to the delivery scenario's)."""

import os
import socket
import time

import common
import daemon
import feedgen
import invariants
import scenario_delivery as delivery

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("D1", "D3", "D4", "D7", "D10", "D11")

HANG_S = 8.0  # the sink's late answer; the channel's timeout is 5 s (scenario_delivery._channels)
TIMEOUT_S = 5.0
RETRY_S = 5.0  # the first step of the retry schedule (+-20 %)
RETRY_AFTER_S = 8


def run(ctx, card):
    if not os.path.exists(os.path.join(delivery.ALERT_TESTS, "webhook_sink.py")):
        card.check(False, "delivery_faults: tests/alert sinks exist")
        return
    srv = ctx.server
    with daemon.Workdir("delivfaults") as work:
        sinks = {
            "ra": delivery.Sink("webhook_sink.py", os.path.join(work.path, "ra.jsonl"),
                                "--secret", delivery.SECRET, "--mode",
                                "retry-after:%d" % RETRY_AFTER_S),
            "hang": delivery.Sink("webhook_sink.py", os.path.join(work.path, "hang.jsonl"),
                                  "--secret", delivery.SECRET, "--mode", "hang-once:%g" % HANG_S),
            "reset": delivery.Sink("webhook_sink.py", os.path.join(work.path, "reset.jsonl"),
                                   "--secret", delivery.SECRET, "--mode", "reset-once"),
        }
        late = []  # the SMTP sinks; the one of the refused port (late[-1]) once started
        smtp = {"rejects": delivery.Sink("smtp_sink.py", os.path.join(work.path, "rejects.jsonl"),
                                         "--mode", "reject"),
                "auth": delivery.Sink("smtp_sink.py", os.path.join(work.path, "auth.jsonl"),
                                      "--auth", "veille:right-password")}
        late += list(smtp.values())
        try:
            _run(ctx, card, srv, work, sinks, late, smtp)
        finally:
            for s in list(sinks.values()) + late:
                s.close()


def _closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _run(ctx, card, srv, work, sinks, late, smtp):
    with open(os.path.join(work.path, "hook.secret"), "w") as f:
        f.write(delivery.SECRET + "\n")
    mentions = feedgen.expected_mentions("ha", 6)
    rows = len(mentions)
    n = len(feedgen.expected_messages(mentions))
    names = list(sinks) + ["mail"]
    smtp_port = _closed_port()
    with open(os.path.join(work.path, "smtp.pass"), "w") as f:
        f.write("wrong-password\n")
    extra = "".join(
        '[[channel]]\nname = "%s"\ntype = "email"\nsmtp_url = "smtp://127.0.0.1:%d"\n'
        'tls = "none"\nfrom = "veille <veille@example.org>"\nto = ["ops@example.org"]\n'
        'timeout = "5s"\n%s' % (name, sink.port, 'username = "veille"\npassword_file = '
                                                 '"smtp.pass"\n' if name == "auth" else "")
        for name, sink in smtp.items())
    work.write_config(common.config(
        [srv.port] + [s.port for s in sinks.values()], [("ha", srv.url("/feed/ha?k=6&cap=6"), "")],
        channels=delivery._channels(smtp_port, [(k, s.port) for k, s in sinks.items()]) + extra,
        rules=delivery._rules(names + list(smtp))))
    with daemon.Daemon(ctx.veilled, work) as d:
        def pending_mail():
            try:
                return invariants.count(work.db, "SELECT COUNT(*) FROM outbox WHERE channel = "
                                                 "'mail' AND status = 'pending' AND attempts > 0")
            except Exception:  # noqa: BLE001 - the database may not exist yet
                return 0
        refused = daemon.wait_until(pending_mail, 20, 0.1)
        t_refused = time.time()
        time.sleep(1.0)  # refused for a while: the rows must stay pending, without a hot loop
        still_pending = pending_mail()
        late.append(delivery.Sink("smtp_sink.py", os.path.join(work.path, "mail.jsonl"),
                                  "--port", str(smtp_port)))

        def done():
            try:
                return invariants.count(work.db, "SELECT COUNT(*) FROM outbox WHERE status = "
                                                 "'delivered'") >= rows * len(names)
            except Exception:  # noqa: BLE001 - the database may not exist yet
                return False
        reached = daemon.wait_until(done, 45, 0.25)
        outbox = daemon.run([ctx.veille, "--config", work.config, "outbox", "--status", "dead",
                             "--json"], timeout=30)
        time.sleep(1.5)  # a stray third copy would come now, not later than a retry step
        alive = d.alive()
        rc = d.stop(30)
        log = d.text()
    card.check(reached and alive and rc == 0,
               "delivery_faults: every alert delivered on the four working channels, the daemon stays up and "
               "stops with exit 0 (rc=%s)" % rc)
    card.check(invariants.sanitizer_reports(log) == 0, "delivery_faults: no sanitizer report")
    ctx.tally(survived=alive and rc == 0, kind="delivery_faults")
    db = invariants.connect(work.db)
    status = {(ch, st): c for ch, st, c in db.execute(
        "SELECT channel, status, COUNT(*) FROM outbox GROUP BY 1, 2")}
    problems = invariants.integrity(db) + invariants.uniqueness(db) + \
        invariants.outbox_rows(db, {r: names + list(smtp) for r in feedgen.KEYWORDS.values()})
    refused_rows = db.execute("SELECT channel, status, attempts, COALESCE(last_error, '') FROM "
                              "outbox WHERE channel IN ('rejects', 'auth')").fetchall()
    db.close()
    card.check(not problems, "delivery_faults: invariants 1-4 %s" % (problems or ""))
    _mail(card, late, status, rows, n, refused, still_pending, log, t_refused)
    _refused(card, smtp, refused_rows, rows, log, outbox)
    _retry_after(card, sinks.pop("ra"), status, rows, n)
    bad_sigs = 0
    for name, sink in sinks.items():
        recs = sorted(sink.records(), key=lambda r: r["time"])
        ambiguous = [r for r in recs if r.get("ambiguous")]
        ids = [r["id"] for r in recs]
        unique = set(ids)
        dups = {i for i in unique if ids.count(i) > 1}
        amb_ids = {r["id"] for r in ambiguous}
        copies = [r for r in recs if ambiguous and r["id"] == ambiguous[0]["id"]]
        delay = copies[1]["time"] - copies[0]["time"] if len(copies) > 1 else None
        card.check(len(unique) == n and status.get((name, "delivered"), 0) == rows,
                   "delivery_faults %s: alerts expected %d, unique webhook-ids %d, delivered rows "
                   "%d of %d" % (name, n, len(unique), status.get((name, "delivered"), 0), rows))
        card.check(len(ambiguous) == 1 and dups == amb_ids and len(copies) == 2,
                   "delivery_faults %s: the only duplicate is the id whose first attempt was "
                   "ambiguous, sent exactly twice (%d requests, %d ambiguous, duplicated ids %d, "
                   "copies of the ambiguous one %d)"
                   % (name, len(recs), len(ambiguous), len(dups), len(copies)))
        # The first step of the schedule (5 s +-20 %; due times are whole seconds, +1 s) counts
        # from the attempt's start; a hung attempt is never doubled while it is still open: its
        # retry comes after the timeout, at most one schedule step after that.
        low = TIMEOUT_S if name == "hang" else RETRY_S * 0.8 - 1.0
        high = (TIMEOUT_S if name == "hang" else 0.0) + RETRY_S * 1.2 + 2.0
        card.check(delay is not None and low <= delay <= high and
                   copies[1]["timestamp"] != copies[0]["timestamp"] and
                   copies[1]["signature_valid"],
                   "delivery_faults %s: the same webhook-id again %s s after the first attempt "
                   "(expected %.0f-%.0f s), with a fresh timestamp and a valid signature"
                   % (name, "%.1f" % delay if delay is not None else "never", low, high))
        bad_sigs += sum(1 for r in recs if not r["signature_valid"])
        ctx.add_alerts("hook-" + name, n, len(unique), len(ids) - len(unique),
                       len(dups - amb_ids))
    card.check(bad_sigs == 0, "delivery_faults: every signature verifies")
    ctx.bad_signatures = getattr(ctx, "bad_signatures", 0) + bad_sigs


def _mail(card, late, status, rows, n, refused, still_pending, log, t_refused):
    """D1: refused, the rows stay pending (retried on the schedule, not in a loop), then drain."""
    mails = late[-1].records() if len(late) > 2 else []
    ids = {r["message_id"] for r in mails if r.get("note") == "accepted"}
    failures = [l for l in log.splitlines() if "mail" in l and "refused" in l.lower() or
                ("mail" in l and "connect" in l.lower() and " warning " in l)]
    first = min((r["time"] for r in mails), default=None)
    card.check(refused and still_pending > 0, "delivery_faults mail: refused by the server, the "
               "rows stay pending with their attempt counted (%d)" % still_pending)
    card.check(len(ids) == n and len(mails) == n and status.get(("mail", "delivered"), 0) == rows,
               "delivery_faults mail: drained once the server is up: %d messages, %d unique of %d, "
               "delivered rows %d of %d, lost 0" % (len(mails), len(ids), n,
                                                   status.get(("mail", "delivered"), 0), rows))
    card.check(len(failures) <= 3 and first is not None and first - t_refused <= RETRY_S * 1.2 + 3,
               "delivery_faults mail: no hot loop: %d log lines about the refusal, first message "
               "%s s after it (retry step %.0f s)" % (len(failures), "%.1f" % (first - t_refused)
                                                     if first else "never", RETRY_S))


def _retry_after(card, sink, status, rows, n):
    """D7: 429 with Retry-After: nothing reaches the endpoint before it (due times are whole
    seconds: 1 s of rounding), then everything is delivered."""
    recs = sorted(sink.records(), key=lambda r: r["time"])
    first = recs[0] if recs else None
    early = [r for r in recs[1:] if first and r["time"] < first["time"] + RETRY_AFTER_S - 1.0]
    ok_ids = {r["id"] for r in recs if r.get("status") == 200}
    card.check(first is not None and first["status"] == 429 and not early,
               "delivery_faults ra: after a 429 with Retry-After: %d, early attempts %d (next "
               "one %s s later)" % (RETRY_AFTER_S, len(early),
                                    "%.1f" % (recs[1]["time"] - first["time"]) if len(recs) > 1
                                    else "never"))
    card.check(len(ok_ids) == n and status.get(("ra", "delivered"), 0) == rows,
               "delivery_faults ra: every alert delivered after it (%d of %d, rows %d of %d)"
               % (len(ok_ids), n, status.get(("ra", "delivered"), 0), rows))


def _refused(card, smtp, refused_rows, rows, log, outbox):
    """D3: 550 is permanent: dead after one attempt, with the reply, shown by the CLI. D4: 535 is
    the operator's to fix: the channel is held, the rows kept, no retry storm, said in the log."""
    rejects = [r for r in refused_rows if r[0] == "rejects"]
    card.check(len(rejects) == rows and all(st == "dead" and a == 1 and "550" in e
                                             for _, st, a, e in rejects) and
               not smtp["rejects"].records() and outbox.stdout.count("550 5.1.1") == rows,
               "delivery_faults rejects: 550 at RCPT: every row dead after exactly 1 attempt with "
               "the reply, shown by `veille outbox --status dead --json` (%s, %d with the reply)"
               % (sorted({(st, a) for _, st, a, _ in rejects}), outbox.stdout.count("550 5.1.1")))
    auth = [r for r in refused_rows if r[0] == "auth"]
    said = [l for l in log.splitlines() if "auth" in l and "535" in l]
    card.check(len(auth) == rows and all(st == "pending" and a <= 2 for _, st, a, _ in auth) and
               not smtp["auth"].records() and 1 <= len(said) <= 2,
               "delivery_faults auth: 535: rows kept pending, at most 2 attempts each in the run "
               "(%s), %d log lines naming it" % (sorted({(st, a) for _, st, a, _ in auth}),
                                                  len(said)))
