#!/usr/bin/python3
"""Regenerates the screenshots of the web inbox's main pages in docs/img/ (inbox, story,
dashboard, rule tester): the archive of the browser tests (tests/system/web_archive.py: feeds
served from 127.0.0.1, polled by `veilled --once`), `veille serve` on a free port, headless
Chromium at 1280x900. Run from the source tree after a build:

    /usr/bin/python3 scripts/web-screenshots.py --veilled build/ci/daemon/veilled \\
        --veille build/ci/daemon/veille
"""
import argparse
import os
import sqlite3
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "system"))
import harness  # noqa: E402
import web_archive  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "docs", "img"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with harness.Workdir() as work:
        root = os.path.join(work.path, "feeds")
        os.makedirs(root)
        web_archive.write_feeds(root)
        with harness.FeedServer(root) as server:
            web_archive.prepare(work, server, a.veilled, a.veille)
        db = sqlite3.connect(os.path.join(work.path, "veille.db"))
        story = db.execute("SELECT e.story_id FROM mentions m JOIN entries e ON e.id = m.entry_id "
                           "GROUP BY e.story_id ORDER BY COUNT(*) DESC, e.story_id LIMIT 1"
                           ).fetchone()[0]
        db.close()
        serve, base = harness.start_serve(a.veille, work.config)
        driver = None
        try:
            with tempfile.TemporaryDirectory() as profile:
                driver = harness.headless_chromium(profile, "--window-size=1280,900")
                pages = [("inbox", "/inbox"), ("story", "/story/%d" % story),
                         ("dashboard", "/dashboard"),
                         ("tester", "/tester?q=Or%C3%A9lia+OR+Natur%C3%A9a&days=30")]
                for name, path in pages:
                    driver.get(base + path)
                    path_out = os.path.join(a.out, "web-%s.png" % name)
                    driver.save_screenshot(path_out)
                    print("wrote", os.path.normpath(path_out))
        finally:
            if driver:
                driver.quit()
            harness.stop(serve)
    return 0


if __name__ == "__main__":
    sys.exit(main())
