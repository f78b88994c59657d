"""What pages and feeds both make of an entry: its permalink, and its body as HTML with links
made absolute against that permalink (pages.py and feeds.py both use them; neither owns them)."""

from __future__ import annotations

import functools
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


def entry_html(entry: Entry, config: Config) -> str:
    """The body as HTML, links made absolute against the article's permalink (pages and feeds alike)."""
    return render_markdown(entry.body, absolute(config.base_url, entry_url(entry, config)))


def linking_relatively(html: str, base_url: str, root: str) -> str:
    """entry_html's HTML for a page at `root` (the relative way back to the site root): its links to
    the site's own pages relative, as the theme's are, so that they work wherever the site is served
    (digest serve on another port, a copy of output/ opened from disk); links elsewhere as they are."""
    own = escape(base_url, quote=True)
    for attribute in _LINKED:
        html = html.replace(attribute + own, attribute + (root or "./"))
    return html
