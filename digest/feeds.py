"""Site -> RSS 2.0, Atom (feedgen) and JSON Feed 1.1 files, for the whole site and each topic.

One item per story (its content lists every source, so a subscriber sees the story once) and
one per later development of a story. Everything is absolute; nothing XML forbids gets in.
The RSS and Atom files name an XSL stylesheet (the theme's static/feed.xsl), so a browser that
opens one shows a page saying what a feed is and how to follow it, not a tree of XML.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING

from digest.characters import XML_FORBIDDEN
from digest.config import Config
from digest.formats import format_date, zone_name
from digest.model import COVERAGE_SHOWN, Entry, RenderedFile, Site, Story, reports_around
from digest.permalinks import entry_html, entry_url
from digest.urls import absolute, feed_urls, relative_root, topic_url

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator


def xml_safe(text: str) -> str:
    return XML_FORBIDDEN.sub("", text)


@dataclass(frozen=True)
class FeedItem:
    entry: Entry  # the article the item links to
    story: Story
    is_followup: bool


@dataclass(frozen=True)
class FeedPlan:
    prefix: str  # '' for the site, 'topics/<slug>/' for a topic
    title: str
    description: str
    items: tuple[FeedItem, ...]


def plan_feeds(site: Site, config: Config) -> list[FeedPlan]:
    """The site feed and one per topic, each with its newest items."""
    count = config.feed_items
    main: list[FeedItem] = []
    by_topic: dict[str, list[FeedItem]] = {topic.slug: [] for topic in site.topics}
    unfilled = len(by_topic) + 1  # feeds with fewer than `count` items
    for item in _newest_items(site):
        if len(main) < count:
            main.append(item)
            unfilled -= len(main) == count
        bucket = by_topic.get(item.entry.topic or config.default_topic)
        if bucket is not None and len(bucket) < count:
            bucket.append(item)
            unfilled -= len(bucket) == count
        if unfilled <= 0:
            break
    plans = [FeedPlan("", config.title, config.description, tuple(main))]
    for topic in site.topics:
        plans.append(FeedPlan(topic_url(topic.slug), f"{config.title}: {topic.title}",
                              f"{topic.title} in {config.title}", tuple(by_topic[topic.slug])))
    return plans


def _newest_items(site: Site) -> Iterator[FeedItem]:
    """Every story's lead, and each member published on another day than the story's first, newest
    first (then by path): site.entries' order. Read only as far as the feeds need (not every
    story of an archive made into items and sorted, at every build)."""
    first_day: dict[str, date] = {}
    for entry in site.entries:
        story = site.story_of[entry.path]
        if entry.path == story.lead.path:
            yield FeedItem(entry, story, False)
            continue
        day = first_day.get(story.key)
        if day is None:
            day = first_day[story.key] = min(site.edition_day[m.path] for m in story.members)
        if site.edition_day[entry.path] != day:
            yield FeedItem(entry, story, True)


FEED_STYLESHEET = "static/feed.xsl"  # in the theme's static files


def render_feeds(plan: FeedPlan, config: Config, bodies: Mapping[str, str] | None = None) -> list[RenderedFile]:
    """The feed's files; `bodies`: item bodies as HTML already made, by item_body_key."""
    urls = feed_urls(plan.prefix)
    html = {id(item): _item_html(item, config, bodies or {}) for item in plan.items}  # once, not once per format
    stylesheet = relative_root(plan.prefix) + FEED_STYLESHEET  # relative: the same site, any address
    return [
        RenderedFile(urls["rss"], with_stylesheet(_feedgen(plan, config, "rss", html).rss_str(pretty=True),
                                                  stylesheet)),
        RenderedFile(urls["atom"], with_stylesheet(_feedgen(plan, config, "atom", html).atom_str(pretty=True),
                                                   stylesheet)),
        RenderedFile(urls["json"], _json_feed(plan, config, html)),
    ]


def with_stylesheet(xml: bytes, href: str) -> bytes:
    """The feed with an xml-stylesheet instruction after its XML declaration: feed readers skip
    it; a browser shows the feed through the stylesheet."""
    declaration, newline, rest = xml.partition(b"\n")
    if not declaration.startswith(b"<?xml"):
        raise ValueError("feedgen's output no longer starts with an XML declaration")
    instruction = f'<?xml-stylesheet type="text/xsl" href="{escape(href)}"?>'.encode()
    return declaration + newline + instruction + b"\n" + rest


def _updated(plan: FeedPlan) -> datetime | None:
    return max((i.entry.published for i in plan.items), default=None)


def item_body_key(entry: Entry, config: Config) -> str:
    """What an item's body as HTML (permalinks.entry_html) is made from: the entry file's content
    and the permalink its links are made absolute against."""
    return f"{entry.content_hash} {absolute(config.base_url, entry_url(entry, config))}"


def item_bodies(feeds: Iterable[FeedPlan], config: Config) -> dict[str, Entry]:
    """The entries whose bodies these feeds show as HTML, by item_body_key (none unless the feeds
    carry full content)."""
    if not config.feed_full_content:
        return {}
    return {item_body_key(item.entry, config): item.entry for feed in feeds for item in feed.items}


def _item_html(item: FeedItem, config: Config, bodies: Mapping[str, str]) -> str:
    """The article, then the other coverage of its story: each source's headline, publisher and time."""
    parts = []
    if item.entry.key_points:
        parts.append("<ul>" + "".join(f"<li>{escape(p)}</li>" for p in item.entry.key_points) + "</ul>")
    if config.feed_full_content:
        link = absolute(config.base_url, entry_url(item.entry, config))
        # The body's own anchors (a heading's '#' permalink, a curator's [see](#part)) point into
        # the article's page: a reader resolves them against the feed, so they are made whole.
        body = bodies.get(item_body_key(item.entry, config))
        if body is None:
            body = entry_html(item.entry, config)
        parts.append(body.replace(' href="#', f' href="{escape(link)}#'))
    elif item.entry.summary:
        parts.append(f"<p>{escape(item.entry.summary)}</p>")
    if item.entry.source and item.entry.source_url:
        source_url = absolute(absolute(config.base_url, entry_url(item.entry, config)), item.entry.source_url)
        parts.append(f'<p>Source: <a href="{escape(source_url)}">{escape(item.entry.source)}</a></p>')
    # The same day's other reports are its coverage; a story told over several days lists the
    # reports of its other days, dated, as the article's timeline does. Each list is cut as the
    # article's page cuts it (a story of hundreds of reports made a 54 KB item), the cuts counted.
    tz = config.tz
    day = item.entry.published.astimezone(tz).date()
    others = [m for m in item.story.members if m is not item.entry]
    same_day = [m for m in others if m.published.astimezone(tz).date() == day]
    other_days = sorted((m for m in others if m.published.astimezone(tz).date() != day), key=lambda m: m.published)
    place = bisect.bisect_left([m.published for m in other_days], item.entry.published)
    coverage: list[Entry | int] = [*same_day[:COVERAGE_SHOWN]]
    if len(same_day) > COVERAGE_SHOWN:
        coverage.append(len(same_day) - COVERAGE_SHOWN)
    for label, members in (("Also covered by:", coverage),
                           ("Other developments of this story:", reports_around(other_days, place, place))):
        if members:
            parts.append(f"<p>{label}</p><ul>{''.join(_report_item(m, config) for m in members)}</ul>")
    return xml_safe("\n".join(parts))


def _report_item(report: Entry | int, config: Config) -> str:
    """One other report of the item's story (its publisher, headline and time), or how many a list left out."""
    if isinstance(report, int):
        return f"<li>{report} more {'report' if report == 1 else 'reports'}</li>"
    return ("<li>" + (f"{escape(report.source)}: " if report.source else "")
            + f'<a href="{escape(absolute(config.base_url, entry_url(report, config)))}">{escape(report.title)}</a>'
            + f" ({escape(_when(report, config))})</li>")


def _when(entry: Entry, config: Config) -> str:
    """As the pages write it: '16 Aug 2022, 22:10 BST', or the day alone for a date-only entry."""
    moment = entry.published.astimezone(config.tz)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return format_date(moment, "short")
    return f"{format_date(moment, 'datetime')} {zone_name(moment)}"


def _title(item: FeedItem) -> str:
    return f"Update: {item.entry.title}" if item.is_followup else item.entry.title


def _feedgen(plan: FeedPlan, config: Config, kind: str, html: dict[int, str]) -> FeedGenerator:
    urls = feed_urls(plan.prefix)
    home = absolute(config.base_url, plan.prefix)
    # Imported where a feed is written, not with the module: feedgen brings lxml and dateutil
    # (80 ms), which a build that renders no feed never needs.
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.id(home)
    fg.title(xml_safe(plan.title))
    fg.description(xml_safe(plan.description))
    fg.subtitle(xml_safe(plan.description))
    fg.author({"name": xml_safe(config.title)})
    fg.language(config.language)
    fg.generator("digest")
    fg.link(href=absolute(config.base_url, urls[kind]), rel="self")
    fg.link(href=home, rel="alternate")
    updated = _updated(plan)
    if updated is not None:  # never the time of the build: the same input gives the same bytes
        fg.lastBuildDate(updated)
        fg.updated(updated)
    else:
        fg.updated(datetime.fromtimestamp(0).astimezone())
    for item in plan.items:
        entry = item.entry
        link = absolute(config.base_url, entry_url(entry, config))
        fe = fg.add_entry(order="append")
        fe.id(link)
        fe.guid(link, permalink=True)
        fe.title(xml_safe(_title(item)))
        fe.link(href=link)
        fe.published(entry.published)
        fe.updated(entry.published)
        if entry.summary:  # as escaped HTML: many readers render RSS descriptions as HTML
            fe.summary(xml_safe(escape(entry.summary)), type="html")
        fe.content(html[id(item)], type="CDATA" if kind == "rss" else "html")
        if entry.authors and kind == "atom":
            fe.author([{"name": xml_safe(a)} for a in entry.authors])
        elif entry.authors:  # RSS's <author> wants an e-mail address we do not have
            fe.dc.dc_creator([xml_safe(a) for a in entry.authors])
        for tag in entry.tags:
            fe.category(term=xml_safe(tag))
    return fg


def _json_feed(plan: FeedPlan, config: Config, html: dict[int, str]) -> bytes:
    urls = feed_urls(plan.prefix)
    items = []
    for item in plan.items:
        entry = item.entry
        link = absolute(config.base_url, entry_url(entry, config))
        data: dict[str, object] = {
            "id": link, "url": link, "title": _title(item),
            "content_html": html[id(item)],
            "date_published": entry.published.isoformat(),
        }
        if entry.summary:
            data["summary"] = entry.summary
        if entry.authors:
            data["authors"] = [{"name": a} for a in entry.authors]
        if entry.tags:
            data["tags"] = list(entry.tags)
        if entry.source_url:
            data["external_url"] = absolute(link, entry.source_url)  # a relative one is the article's
        if entry.image:
            data["image"] = absolute(link, entry.image)
        items.append(data)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": plan.title,
        "home_page_url": absolute(config.base_url, plan.prefix),
        "feed_url": absolute(config.base_url, urls["json"]),
        "description": plan.description,
        "language": config.language,
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
