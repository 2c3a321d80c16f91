#!/usr/bin/python3
"""conformance_check.py - runs feed_diff.py on the corpus and fails when a field is below its floor.

Usage (CTest runs this, label "conformance"):
    /usr/bin/python3 conformance_check.py --feed-diff ../shared/conformance/feed_diff.py \
        --corpus ../shared/corpus/feeds --command "build/daemon/veille parse {} --json" \
        [--exceptions tests/feed/conformance_exceptions.tsv]

Exit codes: 0 every floor met, 1 a floor missed (or feed_diff failed), 77 the corpus or the
reference parser is missing (CTest reports the test as not run).

Exceptions: a TSV file, one line per reviewed disagreement where veille is right and the reference
is wrong: FEED<TAB>FIELD<TAB>REASON (FEED relative to the corpus folder; FIELD a feed_diff field
name, or "*" for all of that feed's fields). Each is explained in docs/feed-parsing.md. The
disagreements they name count as agreements; both agreement lines are printed.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

FLOORS = {
    'title': 97.0, 'link': 97.0, 'id': 97.0, 'published': 97.0, 'updated': 97.0,
    'author': 97.0, 'feed_title': 97.0, 'feed_link': 97.0,
    'summary': 95.0, 'content': 95.0, 'format': 98.0,
}
ENTRY_FIELDS = ['title', 'link', 'id', 'published', 'updated', 'author', 'summary', 'content',
                'summary_exact', 'content_exact', 'categories']
FEED_FIELDS = ['format', 'feed_title', 'feed_link', 'entry_count']
ORDER = ['title', 'link', 'id', 'published', 'updated', 'author', 'summary', 'content',
         'categories', 'format', 'feed_title', 'feed_link']


def read_exceptions(path):
    out = []
    if not path or not os.path.exists(path):
        return out
    with open(path, encoding='utf-8') as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            parts = line.split('\t')
            if len(parts) < 3 or not parts[2].strip():
                sys.stderr.write('%s:%d: expected FEED<TAB>FIELD<TAB>REASON\n' % (path, lineno))
                sys.exit(1)
            out.append((parts[0], parts[1]))
    return out


def exception_credit(report, exceptions):
    """Agreements to add per field for the listed, reviewed exceptions."""
    credit = {k: 0 for k in ENTRY_FIELDS + FEED_FIELDS}
    by_file = {f['file']: f for f in report['feeds']}
    for feed, field in exceptions:
        frep = by_file.get(feed)
        if frep is None:
            sys.stderr.write('exception names a feed not in the corpus: %s\n' % feed)
            continue
        fields = ENTRY_FIELDS + FEED_FIELDS if field == '*' else [field]
        for f in fields:
            if frep.get('error'):
                credit[f] += frep['oracle_entries'] if f in ENTRY_FIELDS else 1
                continue
            n = sum(1 for d in frep['diffs'] if d['field'] == f or
                    (f.endswith('_exact') and d['field'] == f[:-6]))
            if field == '*' and f in ENTRY_FIELDS:
                n += sum(1 for d in frep['diffs'] if d['field'] == 'entry')
            credit[f] += n
    return credit


def agreement_line(pcts, entries, feeds):
    return 'agreement: %s over %d entries in %d feeds' % (
        ' '.join('%s %.1f%%' % (k, pcts[k]) for k in ORDER), entries, feeds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--feed-diff', required=True)
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--command', required=True)
    ap.add_argument('--exceptions')
    args = ap.parse_args()

    if not os.path.isdir(args.corpus):
        print('corpus folder %s is absent: conformance not run' % args.corpus)
        return 77
    if not os.path.exists(args.feed_diff):
        print('feed_diff.py not found at %s: conformance not run' % args.feed_diff)
        return 77
    try:
        import feedparser  # noqa: F401
    except ImportError:
        print('python3-feedparser is not installed: conformance not run')
        return 77

    with tempfile.TemporaryDirectory() as tmp:
        report_path = os.path.join(tmp, 'report.json')
        proc = subprocess.run([sys.executable, args.feed_diff, args.corpus, args.command,
                               '--max-list', '60', '--json-report', report_path],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        text = proc.stdout.decode('utf-8', 'replace')
        sys.stdout.write(text)
        if not os.path.exists(report_path):
            print('feed_diff.py produced no report')
            return 1
        with open(report_path, encoding='utf-8') as fh:
            report = json.load(fh)

    n_entries, n_feeds = report['entries'], report['feeds_count']
    raw = report['agreement']
    exceptions = read_exceptions(args.exceptions)
    credit = exception_credit(report, exceptions)
    adjusted = {}
    for k, pct in raw.items():
        denom = n_entries if k in ENTRY_FIELDS else n_feeds
        agreed = round(pct * denom / 100.0) + credit.get(k, 0)
        adjusted[k] = 100.0 * min(agreed, denom) / denom if denom else 100.0
    print('raw (no exceptions):  ' + agreement_line(raw, n_entries, n_feeds))
    print('with %d reviewed exception(s): ' % len(exceptions) +
          agreement_line(adjusted, n_entries, n_feeds))
    failed = [(k, adjusted[k], floor) for k, floor in FLOORS.items() if adjusted[k] < floor]
    for k, got, floor in failed:
        print('BELOW FLOOR: %s %.1f%% < %.1f%%' % (k, got, floor))
    if n_feeds == 0:
        print('no feeds were compared')
        return 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
