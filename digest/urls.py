"""Slugs, permalinks and output paths: the one place that knows URL shapes. Pure."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from datetime import date
from urllib.parse import urljoin, urlsplit

# Names Windows cannot create, and names that would shadow the site's own files.
RESERVED = {
    "con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)),
    "index", "page", "feed", "atom", "static", "assets",
}
MAX_SLUG = 80


def slugify(text: str, limit: int = MAX_SLUG) -> str:
    """ASCII, lowercase, dash-separated; '' when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


# A name's closing '+' and '#' are part of it: C, C++ and C# are three subjects (as are Disney and Disney+)
_NAMED_SYMBOLS = re.compile(r"(?<=[^\W_])(\+\+|\+|#)(?![^\W_])")
_SYMBOL_WORDS = {"++": " plus plus", "+": " plus", "#": " sharp"}


def with_symbols_spelled(name: str) -> str:
    """The name with a '+', '++' or '#' that closes a word spelled out ('C++' -> 'C plus plus',
    'C#' -> 'C sharp'), which slugify would drop: what tags are told apart and named by."""
    return _NAMED_SYMBOLS.sub(lambda m: _SYMBOL_WORDS[m.group(1)], name) if ("+" in name or "#" in name) else name


def tag_slug(name: str) -> str:
    """The slug of a tag's name: the tag it belongs to (tag pages, and links to them)."""
    return name_slug(with_symbols_spelled(name), "tag")


def safe_slug(text: str, prefix: str) -> str:
    """A slug that is always a valid, non-reserved, non-empty path segment: an entry's file name's.

    Names that slugify to nothing (emoji, other scripts) or to a reserved name get a short
    stable hash so that two different names never share a page. (Two file names whose slugs
    are alike otherwise, 'COVID-19 в России.md' and 'COVID-19 в Китае.md', are two articles:
    on one day, the build names both as an error; they keep the address they have.)
    """
    slug = slugify(text)
    if slug and slug not in RESERVED:
        return slug
    return _hashed(text, slug, prefix)


@functools.lru_cache(maxsize=4096)  # an entry's topic, a tag: few names, asked again and again
def name_slug(text: str, prefix: str) -> str:
    """safe_slug of a name that is all there is to tell its page from others' (a tag, a topic): one
    whose slug leaves out letters or digits of another script than Latin ('COVID-19 в России',
    'COVID-19 в Китае' and 'COVID-19' are three tags) keeps what is left and gets the hash too.
    A name in ASCII or accented Latin ('Café', 'Straße', 'Łódź') keeps the slug it always had."""
    slug = slugify(text)
    if slug and slug not in RESERVED and not drops_letters(text):
        return slug
    return _hashed(text, slug, prefix)


def drops_letters(text: str) -> bool:
    """Whether slugify leaves out a letter or digit of the text: one of another script than Latin,
    which has no ASCII letter in its decomposition ('в', '北', '٣'). Latin letters without one
    ('ß', 'ł', 'ø') are left out too, but are counted as kept: addresses made of their names stay."""
    if text.isascii():
        return False
    return any(char.isalnum() and not char.isascii() and not _spelled_in_ascii(char) for char in text)


@functools.lru_cache(maxsize=4096)
def _spelled_in_ascii(char: str) -> bool:
    decomposed = unicodedata.normalize("NFKD", char)
    return any(c.isascii() and c.isalnum() for c in decomposed) or unicodedata.name(char, "").startswith("LATIN")


def _hashed(text: str, slug: str, prefix: str) -> str:
    # NFC: a name typed on one machine and the same name from a macOS file name (NFD) are one name
    digest = hashlib.sha1(unicodedata.normalize("NFC", text).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else f"{prefix}-{digest}"


def edition_url(day: date) -> str:
    return f"{day.year}/{day.month:02d}/{day.day:02d}/"  # as %Y/%m/%d, without strftime's cost


def article_url(day: date, slug: str) -> str:
    return f"{day.year}/{day.month:02d}/{day.day:02d}/{slug}/"


_ARTICLE_OUTPUT = re.compile(r"\d{4}/\d{2}/\d{2}/[^/]+/index\.html")


def is_article_output(rel: str) -> bool:
    """Whether an output file is an article's page (article_url's shape)."""
    return _ARTICLE_OUTPUT.fullmatch(rel) is not None


_EDITION_OUTPUT = re.compile(r"(\d{4})/(\d{2})/(\d{2})/(?:index\.html|email\.(?:html|txt|eml))")
_LISTING_OUTPUT = re.compile(r"(tags|topics)/([^/]+)/(?:page/\d+/)?index\.html")
_WEEK_OUTPUT = re.compile(r"(weeks/[^/]+/)email\.(?:html|txt|eml)")


def edition_of_output(rel: str) -> date | None:
    """The day of the edition whose page or e-mail an output file is (edition_url's shape)."""
    found = _EDITION_OUTPUT.fullmatch(rel)
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def listing_of_output(rel: str) -> tuple[str, str] | None:
    """("tags" or "topics", slug) of a tag's or topic's listing page (tag_url's, topic_url's shape)."""
    found = _LISTING_OUTPUT.fullmatch(rel)
    return (found[1], found[2]) if found else None


def week_of_output(rel: str) -> str | None:
    """The folder (week_url) of a weekly e-mail's file."""
    found = _WEEK_OUTPUT.fullmatch(rel)
    return found[1] if found else None


def topic_url(slug: str, page: int = 1) -> str:
    return f"topics/{slug}/" if page == 1 else f"topics/{slug}/page/{page}/"


def tag_url(slug: str, page: int = 1) -> str:
    return f"tags/{slug}/" if page == 1 else f"tags/{slug}/page/{page}/"


def week_url(year: int, week: int) -> str:
    """The weekly roll-up e-mail's folder, by the ISO week its last day falls in."""
    return f"weeks/{year}-w{week:02d}/"  # lower case: the same folder on every file system


def email_urls(folder: str) -> dict[str, str]:
    """An edition's or week's newsletter files, beside its page (folder: '2022/08/15/', 'weeks/2022-w33/')."""
    return {"html": f"{folder}email.html", "txt": f"{folder}email.txt", "eml": f"{folder}email.eml"}


def sitemap_url(month: date | None = None, part: int = 1) -> str:
    """A part of the sitemap (sitemap.xml is their index): a month's editions and articles (its
    `part`-th 50,000 of them), or (None) the site's own pages."""
    if month is None:
        return "sitemaps/pages.xml"
    return f"sitemaps/{month.year}-{month.month:02d}{'' if part == 1 else f'-{part}'}.xml"


def archive_url() -> str:
    return "archive/"


def feed_urls(prefix: str = "") -> dict[str, str]:
    """The feed files of the whole site (prefix '') or of a topic (prefix 'topics/x/')."""
    return {"rss": f"{prefix}feed.xml", "atom": f"{prefix}atom.xml", "json": f"{prefix}feed.json"}


def output_path(url: str) -> str:
    """Site-relative URL -> file path under output/ ('a/b/' -> 'a/b/index.html')."""
    if url == "" or url.endswith("/"):
        return f"{url}index.html"
    return url


def absolute(base_url: str, url: str) -> str:
    if base_url.endswith("/") and not url.startswith(("/", ".", "#", "?")) and ":" not in url:
        return base_url + url  # the site's own relative URLs: what urljoin gives, much faster
    return urljoin(base_url, url)


def relative_root(url: str) -> str:
    """The relative path from the page at `url` back to the site root ('2022/08/15/' -> '../../../')."""
    depth = url.count("/")
    return "../" * depth if depth else "./"


SAFE_SCHEMES = ("http", "https", "mailto")


def is_safe_link(url: str) -> bool:
    """True for http(s), mailto and relative links; false for javascript:, data:, vbscript: and the like."""
    if url.startswith(("https://", "http://")) and url.isascii() and "[" not in url and "]" not in url:
        return True  # the common case, quickly: what _has_safe_scheme says (brackets can make it raise)
    return _has_safe_scheme(url)


def _has_safe_scheme(url: str) -> bool:
    """Browsers ignore ASCII tab/newline inside a scheme and trim control characters and spaces,
    so those are removed before looking at the scheme.
    """
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", url)
    cleaned = unicodedata.normalize("NFKC", cleaned)
    if ":" not in re.split(r"[/?#\\]", cleaned, maxsplit=1)[0]:
        return True  # relative (or protocol-relative): cannot run script
    scheme = urlsplit(cleaned).scheme.lower()
    return scheme in SAFE_SCHEMES


def safe_url(url: str | None) -> str | None:
    """The URL if it is safe to put in an href or src, else None.

    Characters a URL may not hold (space, quotes, angle brackets...) are percent-encoded, as
    Markdown links are, so that the attribute is a valid URL and not only an escaped one.
    """
    if not url:
        return None
    url = url.strip()
    if not is_safe_link(url):
        return None
    return re.sub(r"[\x00-\x20\x7f\"<>\\^`{|}]", lambda m: f"%{ord(m.group()):02X}", url)


_WEB_ADDRESS = re.compile(r"https?://[^\s/?#<>\"'`\\]+(?:[/?#][^\r\n]*)?", re.IGNORECASE)


def web_address(url: object, base: str | None = None) -> str | None:
    """An absolute http(s) address, resolved against `base` (itself absolute) when relative; else
    None. What a scraped page or feed says of itself or its picture is only worth keeping as such an
    address: a relative one would point into the digest's own site."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    if base and not _WEB_ADDRESS.fullmatch(url):
        try:
            url = urljoin(base, url)
        except ValueError:  # an unbalanced '[' in the host, say
            return None
    if not _WEB_ADDRESS.fullmatch(url):
        return None
    try:
        return url if urlsplit(url).hostname else None
    except ValueError:  # "https://[::1": not a host
        return None
