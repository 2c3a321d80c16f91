#!/usr/bin/python3
"""pathological_check.py VEILLE - `veille parse` on pathological shapes (CTest "feed_pathological").

Security review, finding 3: a 900 KB document (a root with 100,000 empty attributes, then
100,000 <x/>) took 77 s of CPU because every element's namespace lookup scanned every attribute
of every ancestor. Each shape of pathological.py (1 MiB here) and the review's document must be
parsed to an answer (exit 0 with JSON, or exit 1 with one line) within 30 s: a bound with a wide
margin (a linear parse takes well under a second) that the quadratic parser fails by minutes.
The figures live in tests/bench/parse_bench.cc (BM_ParsePathological), not here.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pathological  # noqa: E402

BOUND_SECONDS = 30


def review_document():
    attrs = "".join(' a%d=""' % i for i in range(100000))
    return ('<rss version="2.0"%s><channel><item><title>t</title></item>%s</channel></rss>'
            % (attrs, "<x/>" * 100000))


def main():
    veille = sys.argv[1]
    docs = pathological.shapes(1 << 20)
    docs["review_finding_3"] = review_document()
    errors = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in sorted(docs.items()):
            path = os.path.join(tmp, name + ".xml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            try:
                r = subprocess.run([veille, "parse", path, "--json"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=BOUND_SECONDS)
            except subprocess.TimeoutExpired:
                print("FAIL: %s: not parsed within %d s" % (name, BOUND_SECONDS))
                errors += 1
                continue
            if r.returncode == 0:
                feed = json.loads(r.stdout)
                if name == "review_finding_3" and [e["title"] for e in feed["entries"]] != ["t"]:
                    print("FAIL: %s: expected one entry titled t, got %r" % (name, feed["entries"]))
                    errors += 1
            elif r.returncode != 1 or len(r.stderr.decode().strip().splitlines()) != 1:
                print("FAIL: %s: exit %d, stderr %r" % (name, r.returncode, r.stderr[:300]))
                errors += 1
            print("ok: %s (exit %d)" % (name, r.returncode))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
