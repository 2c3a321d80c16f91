#!/usr/bin/python3
"""cli_parse_check.py VEILLE GOLDEN_DIR - checks `veille parse` as a program (CTest "feed_cli_parse").

* every golden fixture: `veille parse FILE --json` exits 0 and prints one JSON object with exactly
  the parse contract's keys in contract order, entries with exactly the entry keys, dates in
  YYYY-MM-DDTHH:MM:SSZ, and the same values as the golden NAME.json (which also holds "key" and
  "recovered", compared through --details);
* `--format tsv` prints a header row (date, title, link, author, id), then one line per entry
  with five tab-separated columns;
* an unreadable file and a document that is not a feed (XML or JSON) exit 1 with one line on
  stderr.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

FEED_KEYS = ['format', 'title', 'link', 'entries']
ENTRY_KEYS = ['id', 'title', 'link', 'published', 'updated', 'author', 'summary', 'content',
              'categories']
DATE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')


def run(args):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def fail(msg):
    print('FAIL: ' + msg)
    return 1


def main():
    veille, golden = sys.argv[1], sys.argv[2]
    errors = 0
    fixtures = sorted(f for f in os.listdir(golden) if f.rsplit('.', 1)[-1] in ('xml', 'rss', 'atom', 'rdf', 'jsonfeed'))
    if len(fixtures) < 10:
        return fail('expected at least 10 golden fixtures, found %d' % len(fixtures))
    for name in fixtures:
        path = os.path.join(golden, name)
        stem = path.rsplit('.', 1)[0]
        args = [veille, 'parse', path]
        if os.path.exists(stem + '.base'):
            args += ['--base-url', open(stem + '.base').read().strip()]
        p = run(args + ['--json'])
        if p.returncode != 0:
            errors += fail('%s: exit %d: %s' % (name, p.returncode, p.stderr.decode()))
            continue
        out = json.loads(p.stdout.decode('utf-8'))
        if list(out.keys()) != FEED_KEYS:
            errors += fail('%s: keys %s' % (name, list(out.keys())))
        for e in out['entries']:
            if list(e.keys()) != ENTRY_KEYS:
                errors += fail('%s: entry keys %s' % (name, list(e.keys())))
            for k in ('published', 'updated'):
                if e[k] is not None and not DATE.match(e[k]):
                    errors += fail('%s: bad date %r' % (name, e[k]))
        expected = json.load(open(stem + '.json', encoding='utf-8'))
        details = json.loads(run(args + ['--json', '--details']).stdout.decode('utf-8'))
        got = {'format': details['format'], 'title': details['title'], 'link': details['link'],
               'recovered': details['recovered'], 'entries': details['entries']}
        if got != expected:
            errors += fail('%s: differs from %s.json' % (name, os.path.basename(stem)))
        tsv = run(args + ['--format', 'tsv'])
        lines = tsv.stdout.decode('utf-8').splitlines()
        if (tsv.returncode != 0 or not lines or lines[0] != 'date\ttitle\tlink\tauthor\tid'
                or len(lines) != len(out['entries']) + 1 or any(l.count('\t') != 4 for l in lines)):
            errors += fail('%s: tsv output %r' % (name, lines[:3]))
    with tempfile.TemporaryDirectory() as tmp:
        note = os.path.join(tmp, 'note.xml')
        with open(note, 'w') as fh:
            fh.write('<note><to>x</to></note>')
        array = os.path.join(tmp, 'array.json')
        with open(array, 'w') as fh:
            fh.write('[{"id": 1}]')
        for path, why in ((os.path.join(tmp, 'missing.xml'), 'cannot read'), (note, 'not a feed'),
                          (array, 'not a feed: a JSON array')):
            p = run([veille, 'parse', path, '--json'])
            err = p.stderr.decode().strip().splitlines()
            if p.returncode != 1 or len(err) != 1 or why not in err[0] or p.stdout:
                errors += fail('%s: exit %d, stderr %r' % (why, p.returncode, err))
    print('%d fixture(s) checked, %d problem(s)' % (len(fixtures), errors))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
