"""Bodies of the fault server's content routes (RELIABILITY.md 2-B and 2-C): /xml/{case} (XML
attacks and oddities), /enc/{case} (declared and undeclared encodings) and /text/{case} (the
hostile text of scenario_text and the 10,000-item feed of scenario_volume). Pure functions of
the case (and, for /text/, the request count)."""

MIB = 1024 * 1024


def _xml_case(case, canary_url, canary_file):
    """Bodies for /xml/{case}. Items that would match a rule carry the keyword 'zorblax' so a
    mention from a document that must be discarded shows up in the database."""
    head = '<?xml version="1.0" encoding="utf-8"?>\n'

    def doc(items, extra=""):
        return (head + "<rss version=\"2.0\"><channel><title>x</title>%s%s</channel></rss>"
                % (extra, "".join(items))).encode("utf-8")

    def it(i, title, guid=None):
        g = guid if guid is not None else "xml-%s-%d" % (case, i)
        return ("<item><title>%s</title><guid>%s</guid><link>https://example.invalid/%s/%d</link>"
                "</item>" % (title, g, case, i))

    if case == "truncated":
        return doc([it(i, "zorblax truncated %d" % i) for i in range(3)])[:-60]
    if case == "billion-laughs":
        ents = '<!ENTITY lol "lol">' + "".join(
            '<!ENTITY lol%d "%s">' % (n, ("&lol%d;" % (n - 1) if n > 1 else "&lol;") * 10)
            for n in range(1, 10))
        return (head + '<!DOCTYPE rss [%s]><rss version="2.0"><channel><title>x</title>'
                '<item><title>&lol9; zorblax</title><guid>bl</guid></item></channel></rss>'
                % ents).encode()
    if case == "xxe-file":
        return (head + '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://%s">]><rss version="2.0">'
                '<channel><title>x</title><item><title>&xxe; zorblax</title><guid>xf</guid>'
                '</item></channel></rss>' % canary_file).encode()
    if case == "xxe-canary":
        return (head + '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "%s">]><rss version="2.0">'
                '<channel><title>x</title><item><title>&xxe; zorblax</title><guid>xc</guid>'
                '</item></channel></rss>' % canary_url).encode()
    if case == "deep":
        return (head + "<rss><channel>" + "<a>" * 200000).encode()
    if case == "10k":
        return doc([it(i, "ten thousand item %d" % i) for i in range(10000)])
    if case == "dup-guid":
        return doc([it(i, "duplicate guid %d" % i, guid="same-guid") for i in range(20)])
    if case == "no-guid":
        return doc(["<item><title>no guid %d</title></item>" % i for i in range(5)])
    if case == "absurd-dates":
        dates = ["Mon, 32 Foo 99999 25:61:61 +9999", "0000-00-00T00:00:00Z", "-1",
                 "9999999999999999999999", "Thu, 01 Jan 1970 00:00:00 GMT",
                 "2038-01-19T03:14:08Z", "Sat, 31 Dec 2999 23:59:59 GMT", ""]
        return doc(["<item><title>date %d</title><guid>d%d</guid><pubDate>%s</pubDate></item>"
                    % (i, i, d) for i, d in enumerate(dates)])
    if case == "nul-control":
        return head.encode() + (b"<rss version=\"2.0\"><channel><title>x</title><item><title>"
                                b"nul\x00here \x1b[31mred\x07 zorblax</title><guid>n</guid>"
                                b"</item></channel></rss>")
    if case == "crlf-bcc":
        return doc([it(0, "subject&#13;&#10;Bcc: victim@example.invalid&#13;&#10; zorblax")])
    if case == "script":
        return doc([it(0, "&lt;script&gt;alert(1)&lt;/script&gt; harmless")])
    if case == "huge-title":
        return doc([it(0, "x" * MIB)])
    if case == "html":
        return (b"<!DOCTYPE html><html><head><title>Login</title></head><body><form>"
                b"zorblax</form></body></html>")
    if case == "empty":
        return b""
    if case == "not-xml":
        return b"\xff\xfe\x00garbage{json: true}"
    raise KeyError(case)


XML_CASES = ["truncated", "billion-laughs", "xxe-file", "xxe-canary", "deep", "10k", "dup-guid",
             "no-guid", "absurd-dates", "nul-control", "crlf-bcc", "script", "huge-title", "html",
             "empty", "not-xml"]
ENC_CASES = ["utf16le", "utf16be", "utf32", "cp1252", "koi8r", "sjis", "wrong-decl",
             "invalid-utf8", "latin9"]
# The title each declared charset's document must be stored with (RELIABILITY.md B5).
ENC_TITLES = {"utf16le": "caf\u00e9 \u201cquote\u201d le", "utf16be": "caf\u00e9 \u201cquote\u201d be",
              "utf32": "caf\u00e9 \u201cquote\u201d 32", "cp1252": "caf\u00e9 \u201cquote\u201d cp", "koi8r": "\u043f\u0440\u0438\u0432\u0435\u0442 koi",
              "sjis": "\u65e5\u672c\u8a9e sj", "latin9": "\u20ac 12 \u0153uvre caf\u00e9 \u0160 l9"}


def _enc_case(case):
    text = ('<?xml version="1.0" encoding="%s"?><rss version="2.0"><channel><title>enc</title>'
            '<item><title>caf\u00e9 \u201cquote\u201d %s</title><guid>e1</guid></item>'
            '</channel></rss>')
    if case == "utf16le":
        return b"\xff\xfe" + (text % ("utf-16", "le")).encode("utf-16-le"), "application/xml"
    if case == "utf16be":
        return b"\xfe\xff" + (text % ("utf-16", "be")).encode("utf-16-be"), "application/xml"
    if case == "utf32":
        return (text % ("utf-32", "32")).encode("utf-32"), "application/xml"
    if case == "cp1252":
        return (text % ("windows-1252", "cp")).encode("cp1252"), "application/xml"
    if case == "koi8r":
        return (text.replace("caf\u00e9 \u201cquote\u201d", "\u043f\u0440\u0438\u0432\u0435\u0442")
                % ("koi8-r", "koi")).encode("koi8-r"), "application/xml"
    if case == "sjis":
        return (text.replace("caf\u00e9 \u201cquote\u201d", "\u65e5\u672c\u8a9e")
                % ("shift_jis", "sj")).encode("shift_jis"), "application/xml"
    if case == "wrong-decl":
        return (text % ("utf-8", "wd")).encode("cp1252"), "application/xml; charset=utf-8"
    if case == "latin9":  # ISO-8859-15: the euro sign is 0xA4 there (not in Latin-1)
        return ('<?xml version="1.0" encoding="iso-8859-15"?><rss version="2.0"><channel><title>'
                'l9</title><item><title>%s</title><guid>e1</guid></item></channel></rss>'
                % ENC_TITLES["latin9"]).encode("iso-8859-15"), "application/xml"
    if case == "invalid-utf8":
        return (text % ("utf-8", "bad")).encode("utf-8").replace(b"caf", b"caf\xe9\xff\xfe"), \
            "application/xml"
    raise KeyError(case)


# Hostile bytes for /text/dirty (B7, B8): invalid UTF-8 (a lone 0xFF, an overlong "/", a lone
# continuation byte, a cut 3-byte sequence, a UTF-16 surrogate) and control characters (NUL,
# BEL, ESC with an ANSI colour, DEL, the 8-bit CSI U+009B, a right-to-left override).
DIRTY_BYTES = [b"\xff", b"\xc0\xaf", b"\x80", b"\xe2\x82", b"\xed\xa0\x80", b"\x00",
               b"\x07", b"\x1b[31m", b"\x7f", b"\xc2\x9b2J", b"\xe2\x80\xae"]
TEXT_TITLE = "zorblax caf\u00e9 \u201cquote\u201d %s"  # /text/utf32le and /text/utf32be


def text_case(case, n):
    """Bodies for /text/{case}, `n` the request count (the laughs document changes with it so
    that every poll parses it again)."""
    if case == "dirty":
        items = []
        for i, bad in enumerate(DIRTY_BYTES):
            items.append(b"<item><title>zorblax dirty " + str(i).encode() + b" " + bad +
                         b" end</title><guid>dirty-" + str(i).encode() + b"</guid><link>"
                         b"https://example.invalid/dirty/" + str(i).encode() + b"</link>"
                         b"<description>body " + bad + b" tail</description></item>")
        return (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                b"<title>dirty</title>" + b"".join(items) + b"</channel></rss>")
    if case in ("utf32le", "utf32be"):
        doc = ('<?xml version="1.0" encoding="utf-32"?><rss version="2.0"><channel><title>u32'
               '</title><item><title>%s</title><guid>%s</guid><link>https://example.invalid/%s'
               '</link></item></channel></rss>' % (TEXT_TITLE % case, case, case))
        if case == "utf32le":  # its BOM FF FE 00 00 starts with the UTF-16LE one (FF FE)
            return b"\xff\xfe\x00\x00" + doc.encode("utf-32-le")
        return b"\x00\x00\xfe\xff" + doc.encode("utf-32-be")
    head = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>%s</title>'

    def item(i, title, extra=b""):
        return (b"<item><title>" + title + b"</title><guid>" + case.encode() + b"-" +
                str(i).encode() + b"</guid><link>https://example.invalid/" + case.encode() + b"/" +
                str(i).encode() + b"</link>" + extra + b"</item>")

    if case == "truncated":  # B1: cut inside item 2 at the first request, whole afterwards
        doc = (head % b"trunc" + b"".join(item(i, b"zorblax trunc %d end" % i) for i in range(3)) +
               b"</channel></rss>")
        return doc[:doc.index(b"zorblax trunc 2") + 10] if n == 1 else doc
    if case == "crlf":  # B9
        return head % b"crlf" + item(0, b"zorblax subject&#13;&#10;Bcc: victim@example.invalid"
                                        b"&#13;&#10;X-Injected: yes") + b"</channel></rss>"
    if case == "script":  # B10
        return head % b"script" + item(
            0, b"zorblax &lt;script&gt;alert(1)&lt;/script&gt; title",
            b"<description><![CDATA[<p>body</p><script>alert(2)</script><img src=x "
            b"onerror=alert(3)>]]></description>") + b"</channel></rss>"
    if case == "huge":  # B11: a 1 MiB title and a 1 MiB description
        return head % b"huge" + item(0, b"zorblax " + b"x" * MIB, b"<description>" +
                                     b"y " * (MIB // 2) + b"</description>") + b"</channel></rss>"
    if case.startswith("same"):  # C8: /text/same1, same2...: one article (one link), own GUIDs
        return (head % b"same" + item(0, b"zorblax the same article everywhere").replace(
            b"https://example.invalid/%s/0" % case.encode(),
            b"https://example.invalid/same/article") + b"</channel></rss>")
    if case == "tenk":  # C1: 10,000 items (every 10th names zorblax), one more at each poll,
        count = 10000 + (n - 1)  # newest first (veille keeps the first 10,000 of a document)
        return (head % b"ten thousand" + b"".join(
            item(i, b"%s item %d" % (b"zorblax" if i % 10 == 0 else b"plain", i))
            for i in reversed(range(count))) + b"</channel></rss>")
    if case == "noitems":  # C7
        return head % b"no items" + b"<link>https://example.invalid/</link></channel></rss>"
    if case == "bare":  # C7: items with neither title nor link (nor guid)
        return head % b"bare" + b"".join(
            b"<item><description>zorblax bare body %d</description></item>" % i
            for i in range(3)) + b"</channel></rss>"
    if case == "laughs":
        ents = '<!ENTITY lol "lol">' + "".join(
            '<!ENTITY lol%d "%s">' % (k, ("&lol%d;" % (k - 1) if k > 1 else "&lol;") * 10)
            for k in range(1, 10))
        return ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss [%s]><rss version="2.0">'
                '<channel><title>laughs %d</title><item><title>&lol9; zorblax laughs</title>'
                '<guid>laughs</guid><link>https://example.invalid/laughs</link></item></channel>'
                '</rss>' % (ents, n)).encode()
    raise KeyError(case)
