"""Reader for RSS / Atom / JSON Feed files -> one Article per item (feedparser)."""

from __future__ import annotations

import calendar
import html as html_text
import json
import re
import time
import xml.sax
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import feedparser
import lxml.html
from lxml import etree

from digest.urls import web_address

from .article import Article
from .clean import one_line, sanitize
from .html import read_html
from .markdown import summary_from


class FeedProblem(ValueError):
    """The file is not a feed feedparser can read; `line`: where the parser stopped, when it says."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def read_feed(text: str) -> list[Article]:
    if text.lstrip().startswith("{"):
        return _read_json_feed(text)
    parsed = feedparser.parse(text)
    if not parsed.entries and (parsed.bozo or not parsed.feed):
        problem = parsed.get("bozo_exception")
        if isinstance(problem, xml.sax.SAXParseException):  # its message without "<unknown>:4:0: "
            raise FeedProblem(str(problem.getMessage()), problem.getLineNumber() or None)
        raise FeedProblem(str(problem or "no items found"))
    source = _title_text(parsed.feed) or None
    # A feed the XML parser refused (a character XML forbids, say) is read by feedparser's loose
    # parser, which leaves entities undecoded in names and categories ("O&apos;Brien").
    loose = isinstance(parsed.get("bozo_exception"), xml.sax.SAXParseException)
    return [_item(entry, source, loose) for entry in parsed.entries]


def _read_json_feed(text: str) -> list[Article]:
    """A JSON Feed (jsonfeed.org, 1.0 and 1.1): feedparser 6.0 reads XML feeds only, so each item is
    put in the shape feedparser gives an item and read as one."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:  # (nesting deeper than Python's stack)
        line = err.lineno if isinstance(err, json.JSONDecodeError) else None
        raise FeedProblem(f"not valid JSON: {err.msg if isinstance(err, json.JSONDecodeError) else err}",
                          line) from err
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not str(data.get("version", "")).startswith("https://jsonfeed.org/"):
        raise FeedProblem("not a JSON Feed (it needs a version of https://jsonfeed.org/ and a list of items)")
    source = one_line(_text(data.get("title"))) or None
    return [_item(_json_item(item), source) for item in items if isinstance(item, dict)]


def _json_item(item: dict[str, Any]) -> dict[str, Any]:
    html = _text(item.get("content_html")) or "".join(
        f"<p>{html_text.escape(part)}</p>" for part in _text(item.get("content_text")).split("\n\n") if part.strip())
    people: list[Any] = item["authors"] if isinstance(item.get("authors"), list) else [item.get("author")]
    tags: list[Any] = item["tags"] if isinstance(item.get("tags"), list) else []
    entry: dict[str, Any] = {
        "title": _text(item.get("title")), "link": _text(item.get("url")) or _text(item.get("external_url")),
        "summary": _text(item.get("summary")), "content": [{"value": html}] if html else [],
        "authors": [{"name": _text(p.get("name"))} for p in people if isinstance(p, dict) and _text(p.get("name"))],
        "tags": [{"term": tag} for tag in tags if isinstance(tag, str)],
        "media_content": [{"url": _text(item.get("image")) or _text(item.get("banner_image"))}],
    }
    for key, field in (("published", "date_published"), ("updated", "date_modified")):
        if _text(item.get(field)):
            entry[key], entry[f"{key}_parsed"] = item[field], _utc_struct(item[field])
    return entry


def _utc_struct(stamp: str) -> time.struct_time | None:
    """An RFC 3339 time (JSON Feed's) as feedparser gives one: a UTC struct_time."""
    try:
        moment = datetime.fromisoformat(stamp.strip())
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).timetuple()


def _text(value: Any) -> str:
    """A JSON Feed's string, cleaned as the file's text was: its \\u escapes come past that cleaning
    ("\\u001b" as a title made an entry whose title was only a control character: none at all)."""
    return sanitize(value) if isinstance(value, str) else ""


_ADDRESS = re.compile(r"://|\bmailto:|^(https?|www)[:.]|@[\w-]+\.", re.IGNORECASE)


def _cleanly_cut(raw: str, email: str | None) -> bool:
    """Whether the name feedparser made by taking an e-mail address out of an <author> is a name:
    the address stood apart in it ("jane@example.com (Jane Doe)"), not glued to other characters
    ("...a@example.com00" would leave a "00" that the feed never wrote as one)."""
    if not email or email not in raw:
        return True
    return re.search(rf"(?<![\w.+-]){re.escape(email)}(?![\w@-])", raw) is not None


def _item(entry: Any, source: str | None, loose: bool = False) -> Article:
    html = ""
    if entry.get("content"):
        html = entry["content"][0].get("value", "")
    description = entry.get("summary", "")
    html = html or description
    body = ""
    if html.strip():
        wrapped = html if "<" in html else f"<p>{html}</p>"
        body = read_html(f"<html><body><article>{wrapped}</article></body></html>").body
        if not body.strip():
            body = sanitize(one_line(_strip_tags(html))) + "\n"
    summary_text = one_line(_strip_tags(description)) if description and description != html else None
    raw_author = str(entry.get("author") or "")
    authors = [one_line(a.get("name", "")) for a in entry.get("authors", [])
               if a.get("name") and _cleanly_cut(raw_author, a.get("email"))]
    if not authors and entry.get("author"):
        authors = [one_line(entry["author"])]
    # An address is no one's name (and feedparser, taking an e-mail address out of "<author>", can
    # cut a link beside it in two: "mailto:ttps://...").
    authors = [a for a in authors if not _ADDRESS.search(a)]
    if loose:
        authors = [one_line(html_text.unescape(a)) for a in authors]
    image = None
    for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
        if media.get("url"):
            image = media["url"]
            break
    if image is None:
        for link in entry.get("links", []):
            if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
                image = link.get("href")
                break
    terms = [one_line(t.get("term") or t.get("label") or "") for t in entry.get("tags", [])]
    if loose:
        terms = [one_line(html_text.unescape(t)) for t in terms]
    terms = [t for t in terms if t]
    return Article(
        title=_title_text(entry) or None,
        body=body,
        date=_date(entry),
        authors=tuple(dict.fromkeys(authors)),
        source=source,
        # Only absolute http(s) addresses: a feed read from a file has no address to resolve a relative
        # link against, and feedparser decodes some entities of a link and not others ('&amp;&#106;').
        source_url=web_address(entry.get("link")),
        sections=tuple(terms),
        tags=tuple(terms),
        summary=summary_text or summary_from(body),
        image=web_address(image),
    )


# A closing tag of inline markup: a plain text title holding one was HTML put in CDATA, not words.
_MARKUP = re.compile(r"</(a|abbr|b|cite|code|em|font|i|mark|q|s|small|span|strong|sub|sup|u|script|style)\s*>",
                     re.IGNORECASE)


def _title_text(element: Any) -> str:
    """A feed's or an item's title as text: tags of an HTML title (Atom's type="html", or tags an RSS
    feed put in CDATA) left out, its entities decoded."""
    title = element.get("title", "")
    if not isinstance(title, str):
        return ""
    kind = str((element.get("title_detail") or {}).get("type", ""))
    if "html" in kind or _MARKUP.search(title):
        title = _strip_tags(title)
    return one_line(title)


def _date(entry: Any) -> str | None:
    for key in ("published", "updated"):
        if key not in entry and f"{key}_parsed" not in entry:
            continue  # (feedparser answers a missing "updated" with "published", and warns)
        raw = entry.get(key)
        parsed = entry.get(f"{key}_parsed")
        stated = _as_stated(raw) if parsed and isinstance(raw, str) else None
        if stated:
            return stated
        if parsed:
            stamp = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            if raw and _has_offset(raw):
                return _with_stated_offset(raw, stamp)
            return stamp.isoformat()
    return None


def _as_stated(raw: str) -> str | None:
    """An ISO 8601 day or time the feed states without a zone, as it states it: feedparser reads it as
    UTC, which moved a day ("2024-03-05") to the evening before west of Greenwich. Without a zone an
    entry's date is in the site's timezone, a day its midnight."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return None
    return moment.date().isoformat() if re.fullmatch(r"\d{4}-\d\d-\d\d", raw.strip()) else moment.isoformat()


def _has_offset(raw: str) -> bool:
    return bool(re.search(r"([+-]\d\d:?\d\d|Z|GMT|UTC)\s*$", raw.strip()))


def _with_stated_offset(raw: str, stamp: datetime) -> str:
    """Keep the feed's own offset (its local day) rather than converting to UTC."""
    m = re.search(r"([+-])(\d\d):?(\d\d)\s*$", raw.strip())
    if not m:
        return stamp.isoformat()
    sign = 1 if m.group(1) == "+" else -1
    offset = timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
    return stamp.astimezone(offset).isoformat()


def _strip_tags(html: str) -> str:
    """The text of an HTML fragment, entities decoded (AT&amp;T -> AT&T), scripts and styles left out,
    block ends kept as spaces; parsed by lxml, never by a regex."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):  # e.g. a NUL byte: lxml refuses such text
        return html_text.unescape(re.sub(r"<[^>]*>", " ", html))
    etree.strip_elements(root, "script", "style", "template", with_tail=False)
    for element in root.iter("br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr"):
        element.tail = " " + (element.tail or "")
    return root.text_content()
