"""What pages and feeds both make of an entry: its permalink, and its body as HTML with links
made absolute against that permalink (pages.py and feeds.py both use them; neither owns them)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime, tzinfo
from html import escape

from digest.config import Config
from digest.markdown_html import render_markdown
from digest.model import Entry
from digest.urls import absolute, article_url

_LINKED = (' href="', ' src="')


def entry_url(entry: Entry, config: Config) -> str:
    return _entry_url(entry.published, entry.slug, config.tz)


@functools.lru_cache(maxsize=1 << 17)
def _entry_url(published: datetime, slug: str, tz: tzinfo) -> str:
    # Asked for three times per entry and build (its page, the sitemap, listings): converting
    # the time zone each time showed in profiles.
    return article_url(published.astimezone(tz).date(), slug)


def entry_permalink(entry: Entry, config: Config) -> str:
    """The absolute URL entry_html resolves the body's links against."""
    return absolute(config.base_url, entry_url(entry, config))


def entry_html(entry: Entry, config: Config) -> str:
    """The body as HTML, links made absolute against the article's permalink (pages and feeds alike)."""
    permalink = entry_permalink(entry, config)
    if _made_ahead:
        made = _made_ahead.get(body_key(entry.body, permalink))
        if made is not None:
            return made
    return render_markdown(entry.body, permalink)


# Bodies as HTML made before the render (render_files.BodiesAhead: a build from nothing makes them in
# a process of its own while it plans the site), by body_key. Only this process's: a key holds the
# body's hash, which a forked process shares (the same hash seed) and no other.
_made_ahead: Mapping[tuple[str, int, int], str] = {}


def body_key(body: str, permalink: str) -> tuple[str, int, int]:
    """What a body made ahead is found by: its permalink, and the body's length and hash."""
    return permalink, len(body), hash(body)


def use_made_ahead(made: Mapping[tuple[str, int, int], str]) -> None:
    """entry_html takes a body made ahead from `made` (by body_key) where it is there: this process and
    the workers it forks from now on. {}: none."""
    global _made_ahead
    _made_ahead = made


def linking_relatively(html: str, base_url: str, root: str) -> str:
    """entry_html's HTML for a page at `root` (the relative way back to the site root): its links to
    the site's own pages relative, as the theme's are, so that they work wherever the site is served
    (digest serve on another port, a copy of output/ opened from disk); links elsewhere as they are."""
    own = escape(base_url, quote=True)
    for attribute in _LINKED:
        html = html.replace(attribute + own, attribute + (root or "./"))
    return html
