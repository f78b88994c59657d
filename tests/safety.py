"""Checks that published output is safe and well-formed, shared by the hostile, fuzz and build tests.

Safe: no script but JSON-LD (which holds no '</'), no event-handler attribute, no link or source
with a scheme other than http(s) or mailto, no right-to-left override left open in a plain text (a
page's title, a feed's titles, an e-mail's text and subject). Well-formed: every page parses with html5lib in strict
mode, every feed parses with feedparser without bozo and holds no character XML 1.0 forbids.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import html5lib

SAFE_SCHEMES = ("http", "https", "mailto")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "srcset", "xlink:href", "data")
FEED_NAMES = ("feed.xml", "atom.xml")
# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _scheme(value: str) -> str | None:
    """The scheme a browser would see: ASCII tab/newline removed, leading controls and spaces trimmed."""
    cleaned = re.sub(r"^[\x00-\x20]+", "", re.sub(r"[\t\n\r]", "", value))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


def assert_inert_html(text: str, where: object) -> None:
    """No script but JSON-LD, no event handler, no link or source with a dangerous scheme."""
    tree = html5lib.parse(text, namespaceHTMLElements=False)
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "script" and element.get("src") is not None:  # the theme's own scripts, from the site
            src = element.get("src") or ""
            assert not element.text and _scheme(src) is None and not src.startswith("//"), (where, src)
        elif tag == "script":
            assert element.get("type") == "application/ld+json", where
            assert "</" not in (element.text or ""), where
            json.loads(element.text or "")
        assert tag not in ("iframe", "object", "embed", "base", "frame", "frameset", "applet"), (where, tag)
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            raise AssertionError((where, "meta refresh"))
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, name)
            assert name.lower() not in ("style",) or "expression" not in value.lower(), (where, name)
            if name.lower() in URL_ATTRIBUTES:
                scheme = _scheme(value)
                assert scheme is None or scheme in SAFE_SCHEMES, (where, name, value)


_EMBEDDINGS, _ISOLATES = "\u202a\u202b\u202d\u202e", "\u2066\u2067\u2068"


def assert_bidi_closed(text: str, where: object) -> None:
    """No line of a plain text (a page's <title>, a feed's titles, tags and authors, an e-mail's text and
    subject) leaves a right-to-left override, embedding or isolate open: it would reorder what follows
    (the site's name after a title). The markup's own text is isolated by dir="auto" and not checked."""
    for line in text.split("\n"):
        opened: list[str] = []
        for char in line:
            if char in _EMBEDDINGS or char in _ISOLATES:
                opened.append(char)
            elif char == "\u202c" and opened and opened[-1] in _EMBEDDINGS:
                opened.pop()
            elif char == "\u2069" and any(o in _ISOLATES for o in opened):
                while opened.pop() not in _ISOLATES:
                    pass
        assert not opened, f"{where}: a direction left open in {line!r}"


def assert_well_formed_html(data: bytes, where: object) -> None:
    """html5lib in strict mode raises on any parse error (bad nesting, control characters, ...)."""
    try:
        html5lib.HTMLParser(strict=True).parse(data)
    except Exception as exc:  # html5lib raises ParseError, a bare Exception subclass
        raise AssertionError(f"{where}: not well-formed HTML: {exc}") from exc


def assert_clean_feed(data: bytes, where: object) -> feedparser.FeedParserDict:
    text = data.decode("utf-8")
    bad = XML_FORBIDDEN.search(text)
    assert bad is None, f"{where}: XML-forbidden character {bad.group()!r}"
    parsed = feedparser.parse(data)
    assert not parsed.bozo, f"{where}: {parsed.get('bozo_exception')}"
    assert_bidi_closed(parsed.feed.get("title", ""), where)
    for item in parsed.entries:
        for text in (item.get("title", ""), *(t.get("term", "") for t in item.get("tags", [])),
                     *(a.get("name", "") for a in item.get("authors", []))):
            assert_bidi_closed(text, where)
        for content in item.get("content", []):
            assert_inert_html(content.value, where)
        assert_inert_html(item.get("summary", ""), where)
        link = item.get("link", "")
        assert _scheme(link) in ("http", "https"), (where, link)
    return parsed


def assert_clean_json_feed(data: bytes, where: object) -> None:
    feed = json.loads(data.decode("utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1", where
    for item in feed["items"]:
        assert_inert_html(item.get("content_html", ""), where)
        authors = (a.get("name", "") for a in item.get("authors", []))
        for text in (item.get("title", ""), *item.get("tags", []), *authors):
            assert_bidi_closed(text, where)
        for key in ("url", "external_url", "image"):
            if key in item:
                assert _scheme(item[key]) in ("http", "https", None), (where, key, item[key])


def assert_site_safe(output: Path) -> dict[str, int]:
    """Check every page and feed under output/; returns how many of each were checked."""
    counts = {"pages": 0, "feeds": 0}
    for path in sorted(output.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".html":
            assert_well_formed_html(data, path)
            assert_inert_html(data.decode("utf-8"), path)
            title = html5lib.parse(data, namespaceHTMLElements=False).find(".//title")
            assert_bidi_closed(title.text or "" if title is not None else "", path)
            counts["pages"] += 1
        elif path.name == "email.txt":
            assert_bidi_closed(data.decode("utf-8"), path)
        elif path.name == "email.eml":
            assert_bidi_closed(str(email.message_from_bytes(data, policy=email.policy.default)["Subject"]), path)
        elif path.name in FEED_NAMES:
            assert_clean_feed(data, path)
            counts["feeds"] += 1
        elif path.name == "feed.json":
            assert_clean_json_feed(data, path)
            counts["feeds"] += 1
        elif path.suffix == ".xml":  # the sitemap
            assert XML_FORBIDDEN.search(data.decode("utf-8")) is None, path
            ElementTree.fromstring(data)  # raises on XML that is not well-formed
    return counts
