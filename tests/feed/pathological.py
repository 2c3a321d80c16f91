#!/usr/bin/python3
"""Pathological feed shapes for the parse-time bound (docs/reliability.md): each shape is a
document of about SIZE bytes built to make one part of the parser work as hard as it can.
tests/bench/parse_bench.cc times the files it writes (BM_ParsePathological), feed_pathological
(pathological_check.py) bounds them at 1 MiB, and scripts/fuzz.sh writes them, small, as fuzz seeds.

  pathological.py OUT_DIR [SIZE]      (SIZE in bytes, default 16 MiB)
"""

import os
import sys


def _fill(head, unit, tail, size):
    n = max(1, (size - len(head) - len(tail)) // len(unit))
    return head + unit * n + tail


def shapes(size):
    half = size // 2
    out = {}
    # The review's document: a root with very many empty attributes, then very many elements.
    attrs = "".join(' a%d=""' % i for i in range(half // 10))
    out["many_attributes"] = _fill('<rss version="2.0"%s><channel>' % attrs, "<x/>",
                                   "</channel></rss>", size)
    # Many namespace declarations on the root, elements in those namespaces below.
    decls = "".join(' xmlns:p%d="urn:x:%d"' % (i, i) for i in range(half // 30))
    body = "".join("<p%d:x/>" % (i % max(1, half // 30)) for i in range(half // 10))
    out["many_namespaces"] = ('<rss version="2.0"%s><channel>%s</channel></rss>'
                              % (decls, body))
    # Nesting as deep as the bytes allow (the repair keeps 512 levels).
    out["deep_nesting"] = _fill('<rss version="2.0"><channel><item>', "<a>", "</item></channel></rss>",
                                size)
    # Namespace scopes nested deep, each redeclaring, with many elements in the innermost.
    levels = min(500, max(1, size // 200))
    nested = "".join('<s xmlns="urn:s%d" xmlns:q="urn:q%d">' % (i, i) for i in range(levels))
    out["nested_namespace_scopes"] = _fill(
        '<rss version="2.0"><channel>' + nested, "<q:x/><item><title>t</title></item>",
        "</channel></rss>", size)
    # Element and attribute names of a megabyte.
    name = "n" * min(1 << 20, max(1, size // 4))
    out["long_names"] = _fill('<rss version="2.0"><channel>',
                              "<%s %s=\"v\"/>" % (name, name), "</channel></rss>", size)
    # Entity references, named (HTML) and numeric, in one title and one description.
    out["many_entities"] = _fill('<rss version="2.0"><channel><item><title>',
                                 "&eacute;&amp;&#233;&#x1F600;&nbsp;", "</title></item></channel></rss>",
                                 size)
    # Very many tiny entries.
    out["many_tiny_items"] = _fill('<rss version="2.0"><channel>', "<item><title>t</title></item>",
                                   "</channel></rss>", size)
    # Duplicate attribute names on one element (the repair keeps the first of each name).
    out["duplicate_attributes"] = _fill('<rss version="2.0"><channel><item', ' a=""',
                                        "/></channel></rss>", size)
    # xml:base on every level and every entry: link resolution walks the bases.
    bases = "".join('<b xml:base="d%d/">' % i for i in range(levels))
    out["xml_base_everywhere"] = _fill(
        '<feed xmlns="http://www.w3.org/2005/Atom">' + bases,
        '<entry xml:base="e/"><id>x</id><link href="l"/><title>t</title></entry>', "</feed>", size)
    # Elements that might be a feed inside other markup (format detection looks at each).
    out["many_feed_candidates"] = _fill("<html>", '<rdf xmlns:a="urn:a"/>', "</html>", size)
    # Escaped HTML content: the HTML-to-text pass.
    out["html_content"] = _fill('<rss version="2.0"><channel><item><description>',
                                "&lt;b&gt;&lt;i&gt;x&lt;/b&gt;", "</description></item></channel></rss>",
                                size)
    # Unclosed tags everywhere: the repair's rebalancing.
    out["unclosed_tags"] = _fill('<rss version="2.0"><channel><item><description>', "<p><b>x</i>",
                                 "</item></channel></rss>", size)
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 16 * 1024 * 1024
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, text in shapes(size).items():
        with open(os.path.join(sys.argv[1], name + ".xml"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
