"""The single configured Markdown renderer: CommonMark + tables + strikethrough, raw HTML off.

Links and images are kept only with http, https, mailto or relative URLs, and every link is
made absolute against the article's permalink so the same HTML serves pages and feeds.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from digest.urls import is_safe_link, slugify

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

# The ids the default theme gives parts of its pages (tests/test_markdown_html.py checks the templates):
# a body heading with the same name ("## Related", "## Main") would duplicate one, and the skip
# link or the page's sections would lead to the heading instead.
THEME_IDS = frozenset({"main", "headline", "key-points", "coverage", "related", "recent", "earlier",
                       "developments", "search-q", "search-form", "search-status", "search-results",
                       "site-search-q"})


def _heading_slug(text: str) -> str:
    slug = slugify(text) or "section"
    return f"{slug}-section" if slug in THEME_IDS else slug


def _heading_levels(state: StateCore) -> None:
    """The body's headings nest under the page's <h1> (the title): the highest level the body uses
    becomes <h2>, and no heading skips a level below the one before it. A scraped article keeps its
    site's levels (an <h4> right under the title) and a curator may start with '#': both broke the
    page's outline (the Nu HTML Checker and screen readers go by it)."""
    headings = [token for token in state.tokens if token.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = min(int(token.tag[1]) for token in headings) - 2
    previous = 1
    for token in headings:
        if token.type == "heading_open":
            previous = min(int(token.tag[1]) - shift, previous + 1, 6)
        token.tag = f"h{previous}"


# A link markdown-it's normalizeLink gives back as it is, known without its parse, its host's
# punycode and its encoding (21 us a link, a tenth of a body's time): http(s), a host of ASCII labels
# of at most 63 letters, digits and '-' (mdurl cuts the host at any other), a port, then a path, query
# and fragment of the characters mdurl.encode keeps, '%' aside (an escape is checked there).
# tests/test_markdown_html.py compares it with normalizeLink on random URLs.
_HOST = r"(?P<host>(?:[A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63})(?::[0-9]+)?"
_PLAIN_LINK = re.compile(rf"https?://{_HOST}(?:[/?#][A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]*)?")
# Such a link with a path only, which urljoin gives back as it is: it has its own host, and urljoin
# splits off no ';' parameters, '?' query or '#' fragment to drop when empty.
_JOINED_AS_IT_IS = re.compile(rf"https?://{_HOST}(?:/[A-Za-z0-9/:@&=+$,\-_.!~*'()]*)?")


def normalized_as_it_is(url: str) -> bool:
    """Whether markdown-it's normalizeLink gives `url` back unchanged, known without calling it."""
    plain = _PLAIN_LINK.fullmatch(url)
    return plain is not None and len(plain["host"]) <= 255  # mdurl drops a longer host


def joined_as_it_is(url: str) -> bool:
    """Whether urljoin(base, url) is `url` for any base, known without calling it."""
    return _JOINED_AS_IT_IS.fullmatch(url) is not None


def _absolute(base: str, url: str) -> str:
    return url if joined_as_it_is(url) else urljoin(base, url)


def _absolute_links(state: StateCore) -> None:
    base = state.env.get("base")
    if not base:
        return
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "link_open":
                href = token.attrGet("href")
                if isinstance(href, str) and not href.startswith("#"):
                    token.attrSet("href", _absolute(base, href))
            elif token.type == "image":
                src = token.attrGet("src")
                if isinstance(src, str):
                    token.attrSet("src", _absolute(base, src))


def _normalize(state: StateCore) -> None:
    """markdown-it's first rule (every line end a \\n, every NUL U+FFFD) with str.replace: its regular
    expression replaced each of a body's \\n with a \\n (30 us a body)."""
    source = state.src
    if "\r" in source:
        source = source.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in source:
        source = source.replace("\0", "\ufffd")
    state.src = source


# The blocks whose text direction the reader's browser finds from their own first letter (dir="auto"):
# an Arabic or Hebrew paragraph in a page of another language reads right to left, and an English
# article that quotes one keeps its own direction everywhere else.
_OWN_DIRECTION = frozenset({"paragraph_open", "heading_open", "list_item_open", "th_open", "td_open"})


def _text_direction(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in _OWN_DIRECTION and not token.hidden:
            token.attrSet("dir", "auto")


@lru_cache(maxsize=1)
def markdown_renderer() -> MarkdownIt:
    # Imported on the first render, not with the module (35-100 ms): a build that renders no
    # Markdown, such as one that finds nothing changed, never needs it.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin

    # markdown-it stops reading a body where its nesting passes maxNesting, and drops the rest without a
    # word: at CommonMark's 20 (a list and its items count two each), a tenth list level or a line of 20
    # '>' (a separator in a copied mail) lost the article after it. 100 reads 49 list levels and 99 quote
    # levels, and stays far below Python's recursion limit (tests/test_markdown_html.py).
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "maxNesting": 100})
    md.enable(["table", "strikethrough"])
    md.disable(["html_block", "html_inline"])  # with "html" off they only ever decline: skip the calls
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    normalize_link = md.normalizeLink
    md.normalizeLink = lambda url: url if normalized_as_it_is(url) else normalize_link(url)  # type: ignore[method-assign]
    md.core.ruler.at("normalize", _normalize)
    md.core.ruler.push("heading_levels", _heading_levels)  # before the anchors: they go by the level
    anchors_plugin(md, min_level=2, max_level=4, slug_func=_heading_slug, permalink=True, permalinkSymbol="#")
    md.core.ruler.push("absolute_links", _absolute_links)
    md.core.ruler.push("text_direction", _text_direction)
    return md


def render_markdown(text: str, base: str | None = None) -> str:
    """Markdown -> safe HTML; relative links resolved against `base` when given."""
    return markdown_renderer().render(text, {"base": base} if base else {})
