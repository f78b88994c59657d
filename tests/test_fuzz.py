"""Property-based tests: whatever an entry, a config or an ingest input holds, digest either
publishes well-formed, safe output or stops with a DigestError (never a traceback), and ingest
never crashes nor invents a field.

CI runs the "ci" Hypothesis profile (tests/conftest.py); `make fuzz` runs the "long" one.
"""

from __future__ import annotations

import html
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urljoin

import html5lib
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.build import BuildOptions, build
from digest.config import load_config
from digest.entry_file import parse_entry
from digest.errors import ConfigError, ContentError, DigestError, IngestError
from digest.ingest import read_articles
from digest.ingest.clean import one_line, sanitize
from digest.ingest.entry import render_entry
from digest.markdown_html import render_markdown
from digest.model import Topic

from .conftest import BASIC_CONFIG, NOW, entry_text
from .safety import assert_inert_html, assert_site_safe

OPTIONS = BuildOptions(now=NOW, jobs=1)
# A full build per example costs ~50 times a parse: fewer of them, in proportion to the profile.
BUILDS = settings(max_examples=max(10, (settings.default.max_examples if settings.default else 100) // 4),
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HOSTILE = [
    "<script>alert(1)</script>", "</script><script>alert(2)</script>", "\"><img src=x onerror=alert(3)>",
    "' onmouseover='alert(4)", "javascript:alert(5)", "JaVaScRiPt:alert(6)", "data:text/html,<script>x</script>",
    "vbscript:msgbox(7)", "&#106;avascript:alert(8)", "java\tscript:alert(9)", "]]>", "<![CDATA[", "<!--", "-->",
    "{{ 7*7 }}", "{% raw %}", "---", ": ", " #", "&", "&amp;", "&#0;", "\x00", "\x01", "\x0b", "\x1b[31m", "\x7f",
    "\x85", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "\u202e", "\u200b", "\u200d",
    "🔥", "👩‍👩‍👧", "🇺🇦", "عربي", "עברית", "Ｐａｒｉｓ", "Раris", "../", "..", "/", "\\", "index", "con", "%2e%2e",
    "\r\n", "\r", "\n", "\t", " ", "*", "_", "`", "[", "](", ")", "![", "<", ">", "|", "#", "> ", "- ", "1. ",
    "[x](javascript:alert(1))", "<javascript:alert(1)>", "[r]: javascript:alert(1)", "<a href=\"javascript:x\">",
    "https://example.com/a?b=1&c=<2>", "mailto:a@example.com", "//evil.example/", "\\\\evil\\x",
]
PIECE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))
HOSTILE_TEXT = st.lists(PIECE, max_size=12).map("".join)
ANY_TEXT = st.one_of(HOSTILE_TEXT, st.text(st.characters(codec=None), max_size=40))  # surrogates too
DATES = st.one_of(
    st.datetimes(min_value=datetime(1890, 1, 1), max_value=datetime(2100, 1, 1),
                 timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=14)),
                                            timezone(timedelta(hours=-12, minutes=-30))])),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from(["2022-02-30", "2022-08-15T25:00:00", "yesterday", "2022-08-15T09:30:00+25:00", "",
                     "99999-01-01", "2022-08-15T09:30:00Z", "2022-08-15 09:30:00", "0000-00-00"]),
    ANY_TEXT,
)
VALUE = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), ANY_TEXT, DATES),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=3),
                     max_leaves=8)
LISTISH = st.one_of(st.lists(ANY_TEXT, max_size=5), ANY_TEXT, VALUE)
FIELDS = st.fixed_dictionaries(
    {"title": st.one_of(HOSTILE_TEXT, VALUE), "date": DATES},
    optional={"topic": st.one_of(st.sampled_from(["world", "World News", "business", "nope"]), ANY_TEXT),
              "tags": LISTISH, "authors": LISTISH, "key_points": LISTISH, "source": ANY_TEXT,
              "source_url": st.one_of(st.sampled_from(HOSTILE), ANY_TEXT), "image": ANY_TEXT,
              "summary": ANY_TEXT, "slug": ANY_TEXT, "draft": VALUE, "lead": VALUE, "story": VALUE,
              "extra": VALUE},
)
BODY = st.lists(st.one_of(PIECE, st.sampled_from(["\n\n", "\n", "    ", "```\n", "| a | b |\n|---|---|\n"])),
                max_size=40).map("".join)


def _dump(fields: dict[str, Any]) -> str:
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)


@st.composite
def entry_files(draw: st.DrawFn) -> bytes:
    """An entry file: front matter dumped by YAML (always valid YAML) or written raw (often not)."""
    fields = draw(FIELDS)
    body = draw(BODY)
    if draw(st.booleans()):
        try:
            front = _dump(fields)
        except (yaml.YAMLError, UnicodeEncodeError):
            front = "title: x\n"
    else:
        front = "".join(f"{key}: {value}\n" for key, value in fields.items() if isinstance(value, str))
    text = draw(st.sampled_from(["---\n{f}---\n{b}", "\ufeff---\n{f}---\n{b}", "---\r\n{f}---\r\n{b}",
                                 "{f}{b}", "---\n{f}{b}"])).format(f=front, b=body)
    return text.encode("utf-8", "surrogatepass")


@contextmanager
def _site(files: Mapping[str, bytes | str], config: str = BASIC_CONFIG) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        (root / "content").mkdir(parents=True)
        (root / "digest.toml").write_text(config, encoding="utf-8")
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data.encode() if isinstance(data, str) else data)
        yield root


@given(entry_files())
def test_any_entry_parses_or_is_a_content_error(data: bytes) -> None:
    with _site({}) as root:
        config = load_config(root)
        try:
            entry = parse_entry(data, PurePosixPath("content/fuzz.md"), config)
        except ContentError as error:
            assert error.path == PurePosixPath("content/fuzz.md") and error.hint
            return
        assert entry.title and entry.published.tzinfo is not None
        for text in (entry.title, entry.body, entry.summary or "", *entry.tags, *entry.authors, *entry.key_points):
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]", text)


@BUILDS
@given(entry_files(), entry_files())
def test_any_two_entries_build_safely_or_fail_with_a_digest_error(first: bytes, second: bytes) -> None:
    good = entry_text("An ordinary story")
    with _site({"content/good.md": good, "content/a/fuzz.md": first, "content/b/fuzz-2.md": second}) as root:
        try:
            build(root, BuildOptions(now=NOW, jobs=1, drafts=True))
        except DigestError as error:
            assert str(error)
            assert not (root / "output").exists()
            return
        assert_site_safe(root / "output")


@given(BODY)
def test_any_markdown_renders_inert_well_formed_html(body: str) -> None:
    rendered = render_markdown(body, "https://news.example.org/2022/08/15/x/")
    assert_inert_html(rendered, body)
    html5lib.HTMLParser(strict=False).parseFragment(rendered)
    assert "<script" not in rendered.lower()


CONFIG_VALUE = st.one_of(st.integers(-5, 200), st.booleans(), st.floats(allow_nan=False), ANY_TEXT,
                         st.sampled_from(["https://news.example.org/", "UTC", "Europe/London", "default", "world",
                                          "output", ".", "..", "content", "/", "https://[::1/", "ftp://x/", "", " ",
                                          "en-GB"]))
CONFIG_KEYS = st.sampled_from(["site.title", "site.description", "site.base_url", "site.language", "site.timezone",
                               "site.theme", "site.items_per_page", "site.default_topic", "feeds.items",
                               "feeds.full_content", "build.drafts", "build.future", "build.output_dir",
                               "site.nope", "sight.title"])


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    escaped = "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08X}" for c in value)
    return f'"{escaped}"'


@BUILDS
@given(st.dictionaries(CONFIG_KEYS, CONFIG_VALUE, max_size=6),
       st.lists(st.tuples(ANY_TEXT, st.lists(ANY_TEXT, max_size=3)), max_size=3))
def test_any_config_builds_safely_or_is_a_config_error(values: dict[str, Any],
                                                       topics: list[tuple[str, list[str]]]) -> None:
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, name = key.split(".")
        sections.setdefault(section, []).append(f"{name} = {_toml_value(value)}")
    text = "".join(f"[{s}]\n" + "\n".join(lines) + "\n\n" for s, lines in sections.items())
    for slug, aliases in topics:
        text += f"[[topics]]\nslug = {_toml_value(slug)}\naliases = [{', '.join(map(_toml_value, aliases))}]\n\n"
    with _site({"content/a.md": entry_text("One", tags="[x]"), "content/b.md": entry_text("Two")},
               config=text) as root:
        before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
        try:
            build(root, OPTIONS)
        except (ConfigError, DigestError) as error:
            assert str(error)
            assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before
            return
        output = load_config(root).output_path
        assert_site_safe(output)
        assert (root / "content/a.md").is_file() and (root / "digest.toml").is_file()


# --- ingest ---------------------------------------------------------------------------------------

TOPICS = (Topic("world", "World", ("World News",)),)
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
ARTICLE = st.fixed_dictionaries({
    "title": HOSTILE_TEXT, "author": HOSTILE_TEXT, "url": st.one_of(st.sampled_from(HOSTILE), ANY_TEXT),
    "image": st.one_of(st.sampled_from(HOSTILE), ANY_TEXT), "section": st.sampled_from(["World News", "", "<x>"]),
    "date": st.one_of(st.none(), st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(3000, 1, 1),
                                               timezones=st.just(UTC)).map(datetime.isoformat)),
    "paragraphs": st.lists(HOSTILE_TEXT, min_size=1, max_size=6),
})


def _page(a: dict[str, Any]) -> str:
    e = html.escape
    date_meta = f'<meta property="article:published_time" content="{e(a["date"])}">' if a["date"] else ""
    return (f'<!doctype html><html><head><title>{e(a["title"])}</title>'
            f'<meta property="og:title" content="{e(a["title"])}"><meta property="og:url" content="{e(a["url"])}">'
            f'<meta property="og:image" content="{e(a["image"])}"><meta name="author" content="{e(a["author"])}">'
            f'<meta property="article:section" content="{e(a["section"])}">{date_meta}</head><body><article>'
            f'<h1>{e(a["title"])}</h1>' + "".join(f"<p>{e(p)}</p>" for p in a["paragraphs"])
            + "</article></body></html>")


def _feed(a: dict[str, Any]) -> str:
    e = html.escape
    when = f"<pubDate>{e(a['date'])}</pubDate>" if a["date"] else ""
    body = "".join(f"<p>{e(p)}</p>" for p in a["paragraphs"])
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{e(a["section"])}</title>'
            f'<link>https://example.com/</link><description>x</description><item><title>{e(a["title"])}</title>'
            f'<link>{e(a["url"])}</link><author>{e(a["author"])}</author><category>{e(a["section"])}</category>'
            f'<enclosure url="{e(a["image"])}" type="image/jpeg" length="1"/>{when}'
            f'<description>{e(body)}</description></item></channel></rss>')


def _text(a: dict[str, Any]) -> str:
    lines = [a["title"], f"By {a['author']}", a["date"] or "", a["url"], "", *a["paragraphs"]]
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    """Without the invisible characters ingest may remove (controls, format characters, noncharacters)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Cn", "Co"))


def _norm(text: str) -> str:
    return re.sub(r"\W+", "", _plain(text)).casefold()


def _resolved(link: str, address: str | None, relative: str) -> bool:
    """Whether `link` is the stated relative address resolved against the page's own (a picture)."""
    try:
        # Control characters are dropped from whatever ingest reads (a URL keeps the rest).
        relative = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", relative)
        # A JSON-LD value is read as one line: its line breaks (U+2028 too) become spaces; and what
        # ingest reads is sanitized (a zero-width mark or byte-order mark dropped: '0\ufeff' -> '0').
        return address is not None and any(link in (urljoin(address, r.strip()), urljoin(address, one_line(r)))
                                           for r in (relative, sanitize(relative)))
    except ValueError:
        return False


@given(ARTICLE, st.sampled_from(["page.html", "feed.xml", "copied.txt"]))
@example({"title": "عربي<script>alert(1)</script>javascript:alert(5)", "author": "", "url": "<script>alert(1)</script>",
          "image": "<script>alert(1)</script>", "section": "World News", "date": None, "paragraphs": [""]}, "feed.xml")
@example({"title": '&#106;avascript:alert(8)<![CDATA[mailto:a@example.com<a href="javascript:x">0', "author": "",
          "url": "<script>alert(1)</script>", "image": "<script>alert(1)</script>", "section": "World News",
          "date": None, "paragraphs": [""]}, "feed.xml")
@example({"title": "", "author": "", "url": "https://example.com/a?b=1&c=<2>", "image": "0\ufeff",
          "section": "World News", "date": None, "paragraphs": ["<script>alert(1)</script><script>alert(1)</script>"]},
         "page.html")
def test_ingest_never_crashes_invents_nothing_and_writes_loadable_entries(article: dict[str, Any], name: str) -> None:
    make = {"page.html": _page, "feed.xml": _feed, "copied.txt": _text}[name]
    source = make(article)
    data = source.encode("utf-8", "surrogatepass")
    try:
        found = read_articles(Path(name), data)
    except IngestError as error:
        assert name in str(error)
        return
    decoded = data.decode("utf-8", "replace")
    # feedparser repairs UTF-8 read as cp1252 ('Ã¡' -> 'á'): a repair, not an invention.
    repaired = decoded.encode("cp1252", "ignore").decode("utf-8", "ignore")
    # feedparser also takes an e-mail address out of an RSS <author>, joining what was around it.
    unmailed = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", "", html.unescape(decoded))
    # Ingest's hygiene drops control characters, joining what stood on either side ("0\x1f0").
    cleaned = sanitize(decoded)
    # trafilatura's text decodes entities once more than the page states ("AT&amp;amp;T" -> "AT&T", "&amp;#106;" ->
    # "j"); a feed's description is HTML inside XML: its text can be three decodings from the file. A known limit
    # of the extractor (the value is escaped wherever it is shown), not an invention of words.
    thrice = html.unescape(html.unescape(html.unescape(decoded)))
    # A title's markup (a feed's is HTML inside XML) is dropped with a script's text, joining what stood on either
    # side ("عربي<script>…</script>javascript" -> "عربيjavascript"): the stated text without its elements.
    # Only what is an element's tag may go: a "<![CDATA[" that is text stays, and the tag after it goes
    # ("...example.com<a href=...>0" -> "...example.com0").
    untagged = [re.sub(pattern, "", reading, flags=re.S | re.I)
                for reading in (html.unescape(decoded), html.unescape(html.unescape(decoded)), thrice)
                for pattern in (r"<(script|style)\b.*?</\1\s*>|<[^>]*>",
                                r"<(script|style)\b.*?</\1\s*>|</?[a-z][^<>]*>")]
    readings = [decoded, html.unescape(decoded), html.unescape(html.unescape(decoded)), thrice, repaired,
                html.unescape(repaired), unmailed, cleaned, html.unescape(cleaned),
                html.unescape(html.unescape(cleaned)), *untagged]
    stated_text = "\n".join(readings)
    stated = "\n".join(_norm(reading) for reading in readings)
    with _site({}) as root:
        config = load_config(root, required=False)
        for item in found:
            words = set(re.findall(r"\w+", unicodedata.normalize("NFKC", stated_text).casefold()))
            for value in (item.title, item.source, *item.authors, *item.tags):  # stated in the source
                assert value is None or _norm(value) in stated or \
                    set(re.findall(r"\w+", unicodedata.normalize("NFKC", value).casefold())) <= words, (value, source)
            for link in (item.source_url, item.image):
                assert link is None or _norm(link) in stated or _resolved(link, item.source_url, article["image"]), \
                    (link, source)
            if item.date is not None:
                assert re.search(r"\d", source), item.date
            text = render_entry(item, TOPICS)
            try:
                entry = parse_entry(text.encode("utf-8", "surrogatepass"), PurePosixPath("content/in.md"), config)
            except ContentError as error:  # only what the source itself makes unusable
                assert "date" in str(error) or "title" in str(error), (str(error), text)
                continue
            for link in (entry.source_url, entry.image):
                scheme = SCHEME.match(link or "")
                assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), link
