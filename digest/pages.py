"""Site -> [Page]: a pure plan of every page (what to render, where, from what). Rendering one is
render_files.py's."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import groupby
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from digest.config import Config
from digest.model import COVERAGE_SHOWN, Edition, Entry, Page, Site, Story, reports_around
from digest.newsletter.plan import plan_emails, refreshed_email, week_folder
from digest.urls import (
    absolute,
    archive_url,
    edition_url,
    email_urls,
    feed_urls,
    output_path,
    relative_root,
    sitemap_url,
    slugify,
    tag_url,
    topic_url,
    with_symbols_spelled,
)

RELATED_IN_TOPIC = 4
SITEMAP_URLS = 50_000  # the sitemap protocol's most addresses in one file: a bigger month has more parts
RECENT_DAYS = 6  # earlier editions whose stories the front page shows too
ARTICLE_TEMPLATE = "article.html"
PageMaker = Callable[[str, str, dict[str, Any], str], Page]


@dataclass(frozen=True)
class Selection:
    """Which pages of a site to plan (the reuse layer keeps the others as the live site has them):
    the article pages of these entries, the pages and e-mails of these editions (by day) and the
    sitemaps of their months, the weekly e-mails of these weeks (by folder), the listings of these
    tags and topics (by slug). The site's own pages (front page, archive, indexes, the sitemap's
    index...) are always planned. `parts`: of some of those listings, only some pages (a plan of
    the recent entries: reuse/recent.py), by (kind, slug) as listing_of_output gives it."""

    articles: AbstractSet[PurePosixPath]
    editions: AbstractSet[date]
    weeks: AbstractSet[str]
    tags: AbstractSet[str]
    topics: AbstractSet[str]
    parts: Mapping[tuple[str, str], ListingPart] = field(default_factory=dict)


@dataclass(frozen=True)
class ListingPart:
    """Some pages of a listing (a topic's stories, a tag's entries), planned from its newest items
    only: `newest`, the listing's first items (as many as those pages show, at least), `total`, how
    many the whole listing has, and `numbers`, the pages to plan."""

    newest: Sequence[Any]
    total: int
    numbers: AbstractSet[int]


def plan_pages(site: Site, config: Config, selection: Selection | None = None) -> list[Page]:
    """Every page of the site, with the data it shows (`selection`: only those; None: all). Feeds
    are planned in feeds.py."""
    return list(_plan(site, config, selection))


def refreshed_page(config: Config, page: Page) -> Page:
    """A page planned before, its context holding the entries as they are now (reuse.plan_patch,
    after an edit that changed what pages show of an entry but not where it is listed), with what
    planning copied from those entries made again: an article's title, an e-mail's subject,
    headline and preheader. Every other value of a context is the entries themselves, or made from
    what places them (dates, topics, tags, stories)."""
    context = page.context
    if page.template == ARTICLE_TEMPLATE and "entry" in context:
        return replace(page, context={**context, "page_title": context["entry"].title})
    if "email" in context and "editions" in context:
        return replace(page, context=refreshed_email(config, context))
    return page


def unplanned_paths(site: Site, config: Config, selection: Selection) -> list[str]:
    """The output paths of the pages other than articles that `selection` leaves out of plan_pages
    (an article's is output_path(entry_url(entry, config)))."""
    found: list[str] = []
    for edition in site.editions:
        if edition.day not in selection.editions:
            found.append(output_path(edition_url(edition.day)))
            if config.email_files:
                found += email_urls(edition_url(edition.day)).values()
    if config.email_files:
        folders = {week_folder(e.day, config.email_week_ends) for e in site.editions}
        found += (rel for folder in sorted(folders - set(selection.weeks)) for rel in email_urls(folder).values())
    for topic in site.topics:
        if topic.slug not in selection.topics:
            count = len(site.topic_stories.get(topic.slug, ()))
            found += (output_path(topic_url(topic.slug, n)) for n in listing_numbers(count, config.items_per_page))
    for tag in site.tags:
        if tag.slug not in selection.tags:
            found += (output_path(tag_url(tag.slug, n)) for n in listing_numbers(len(tag.entries),
                                                                                   config.items_per_page))
    selected_months = {day.replace(day=1) for day in selection.editions}
    months = _month_sitemaps(site, None if len(site.entries) + len(site.editions) <= SITEMAP_URLS else
                             site.entries_by_day)
    found += (sitemap_url(month, part) for month, days in months.items() if month not in selected_months
              for part in range(1, len(days) + 1))
    return found


def _month_sitemaps(site: Site, by_day: Mapping[date, Sequence[Entry]] | None) -> dict[date, list[date]]:
    """For each month (newest first), the newest day each of its sitemaps lists: one sitemap for every
    SITEMAP_URLS of its editions and their articles, newest first. `by_day` None: the site is too
    small for any month to need a second."""
    months: dict[date, list[date]] = {}
    for month, group in groupby(site.editions, key=lambda e: e.day.replace(day=1)):
        editions = list(group)
        months[month] = [editions[0].day] if by_day is None else _sitemap_parts(editions, by_day)
    return months


def month_sitemaps(site: Site, months: AbstractSet[date]) -> set[str]:
    """The addresses of the sitemaps of these months' editions (the first day of each month)."""
    found: set[str] = set()
    for month, group in groupby(site.editions, key=lambda e: e.day.replace(day=1)):
        if month in months:
            found.update(sitemap_url(month, part) for part in range(1, len(_sitemap_parts(list(group),
                                                                                           site.entries_by_day)) + 1))
    return found


def _sitemap_parts(editions: Sequence[Edition], by_day: Mapping[date, Sequence[Entry]]) -> list[date]:
    """The newest day each sitemap of a month's editions (newest first) lists, from their sizes alone."""
    parts: list[date] = []
    position = 0
    for edition in editions:
        size = 1 + len(by_day.get(edition.day, ()))
        while len(parts) * SITEMAP_URLS < position + size:
            parts.append(edition.day)  # a part begins among this edition's addresses
        position += size
    return parts


def _plan(site: Site, config: Config, selection: Selection | None) -> Iterator[Page]:
    nav = [{"slug": t.slug, "title": t.title, "url": topic_url(t.slug)} for t in site.topics]

    def _page(url: str, template: str, context: dict[str, Any], title: str) -> Page:
        # The 404 page is served at any missing address, so it links from the site's root path.
        root = urlsplit(config.base_url).path if url == "404.html" else relative_root(url)
        return Page(output_path=output_path(url), template=template,
                    context={"page_url": url, "root": root, "page_title": title, "nav": nav, **context})

    latest = site.editions[0] if site.editions else None
    neighbours = {e.day: (site.editions[i + 1] if i + 1 < len(site.editions) else None,
                          site.editions[i - 1] if i > 0 else None) for i, e in enumerate(site.editions)}
    # The front page also carries the stories of the week before the latest edition.
    recent = [e for e in site.editions[1:RECENT_DAYS + 1] if latest and (latest.day - e.day).days <= RECENT_DAYS]
    refs: dict[date, dict[str, Any]] = {}  # each edition's reference, made once (several pages link it)

    def ref(edition: Edition | None) -> dict[str, Any] | None:
        if edition is None:
            return None
        known = refs.get(edition.day)
        if known is None:
            known = refs[edition.day] = _edition_ref(edition, site.edition_day)
        return known

    yield _page("", "index.html", {"edition": latest, "older": [ref(e) for e in site.editions[1:8]],
                                   "recent": recent, "feeds": feed_urls()}, config.title)
    for edition in site.editions:
        if selection is not None and edition.day not in selection.editions:
            continue
        older, newer = neighbours[edition.day]
        yield _page(edition_url(edition.day), "edition.html", {
            "edition": edition, "older": ref(older), "newer": ref(newer), "feeds": feed_urls()},
            f"Edition of {edition.day.isoformat()}")
    yield from _article_pages(site, config, _page, None if selection is None else selection.articles)
    parts = {} if selection is None else selection.parts
    yield from _topic_pages(site, config, _page, None if selection is None else selection.topics, parts)
    yield from _tag_pages(site, config, _page, None if selection is None else selection.tags, parts)
    months = [(month, [ref(e) for e in group]) for month, group in
              groupby(site.editions, key=lambda e: e.day.replace(day=1))]
    yield _page(archive_url(), "archive.html", {"months": months, "feeds": feed_urls()}, "Archive")
    yield _page("search/", "search.html", {"feeds": feed_urls()}, "Search")  # works when Pagefind indexed the site
    yield _page("404.html", "404.html", {"feeds": feed_urls()}, "Page not found")
    yield from _sitemaps(site, config, _page, None if selection is None else selection.editions)
    yield _page("robots.txt", "robots.txt", {}, "robots.txt")
    # email.html/.txt/.eml per edition and week (digest/newsletter)
    yield from plan_emails(site, config, *((selection.editions, selection.weeks) if selection else ()))


def _edition_ref(edition: Edition, day_of: Mapping[PurePosixPath, date]) -> dict[str, Any]:
    # The articles of that day: a story's later reports count in their own day's edition.
    count = sum(day_of[m.path] == edition.day for s in edition.stories for m in s.members)
    return {"day": edition.day, "url": edition_url(edition.day), "count": count + len(edition.followups)}


def related_reach(story_size: int) -> int:
    """How many entries after an article, in its topic, its related articles are chosen from: its
    story's other members are left out, so RELATED_IN_TOPIC are always found when there are."""
    return RELATED_IN_TOPIC + story_size


def _article_pages(site: Site, config: Config, _page: PageMaker,
                   articles: AbstractSet[PurePosixPath] | None) -> Iterator[Page]:
    by_topic, position = site.topic_lists
    topic_by_slug = {t.slug: t for t in site.topics}
    # What each story's pages share, made once a story (a story of n members: n pages)
    story_facts: dict[int, tuple[set[PurePosixPath], date, StoryReports]] = {}
    for entry in site.entries if articles is None else (e for e in site.entries if e.path in articles):
        story = site.story_of[entry.path]
        facts = story_facts.get(id(story))
        if facts is None:
            facts = story_facts[id(story)] = ({m.path for m in story.members},
                                               min(site.edition_day[m.path] for m in story.members),
                                               StoryReports(story, site.edition_day))
        story_paths, story_day, reports = facts
        day = site.edition_day[entry.path]
        topic_slug = entry.topic or config.default_topic
        at = position[entry.path]
        related = [e for e in by_topic[topic_slug][at + 1: at + 1 + related_reach(len(story_paths))]
                   if e.path not in story_paths][:RELATED_IN_TOPIC]
        yield _page(site.article_urls[entry.path], ARTICLE_TEMPLATE, {
            "entry": entry, **story_seen_from(story, entry, reports),
            "topic": topic_by_slug.get(topic_slug), "related": related,
            "edition": {"day": day, "url": edition_url(day)},
            "story_edition": {"day": story_day, "url": edition_url(story_day)} if story_day != day else None,
            "feeds": feed_urls(),
        }, entry.title)


def story_seen_from(story: Story, entry: Entry, reports: StoryReports) -> dict[str, Any]:
    """What an article page shows of its story: `coverage`, the other reports of its own day (at most
    COVERAGE_SHOWN, in the story's order: its lead first) and `coverage_more`, how many more there are;
    `timeline`, when the story's reports span several days, its reports in time order, cut to the
    first, the last and TIMELINE_AROUND on each side of this one, each cut a number (the reports left
    out there), and `timeline_size`, all of them; `story`, the story with those members only (what a
    theme's own template can list). `reports`: StoryReports(story, ...), made once for all the
    story's pages (a story of n reports has n pages)."""
    same_day = reports.by_day[reports.day_of[entry.path]]
    coverage = [m for m in same_day[:COVERAGE_SHOWN + 1] if m.path != entry.path][:COVERAGE_SHOWN]
    timeline: list[Entry | int] = []
    if len(reports.by_day) > 1:
        at = reports.place[entry.path]
        timeline = reports_around(reports.ordered, at, at + 1)
    shown = {m.path for m in coverage} | {m.path for m in timeline if not isinstance(m, int)} | {entry.path}
    if len(shown) < len(story.members):
        story = replace(story, members=tuple(m for m in story.members if m is story.lead or m.path in shown))
    return {"story": story, "coverage": coverage, "coverage_more": len(same_day) - 1 - len(coverage),
            "timeline": timeline, "timeline_size": len(reports.ordered) if timeline else 0}


class StoryReports:
    """A story's reports as its article pages look them up: by local day (in the story's order),
    in time order, and each one's place in that order."""

    def __init__(self, story: Story, day_of: Mapping[PurePosixPath, date]) -> None:
        self.day_of = day_of  # each entry's local day (Site.edition_day)
        self.by_day: dict[date, list[Entry]] = defaultdict(list)
        for member in story.members:
            self.by_day[day_of[member.path]].append(member)
        self.ordered = sorted(story.members, key=lambda m: m.published)
        self.place = {m.path: i for i, m in enumerate(self.ordered)}


def _topic_pages(site: Site, config: Config, _page: PageMaker, slugs: AbstractSet[str] | None,
                 parts: Mapping[tuple[str, str], ListingPart]) -> Iterator[Page]:
    counts = {t.slug: len(site.topic_stories.get(t.slug, ())) for t in site.topics}
    yield _page("topics/", "topics.html", {"counts": counts, "feeds": feed_urls()}, "Topics")
    for topic in site.topics:
        if slugs is not None and topic.slug not in slugs:
            continue
        stories = site.topic_stories.get(topic.slug, ())
        for number, chunk, pagination in _listing(stories, config.items_per_page,
                                                  lambda n, slug=topic.slug: topic_url(slug, n),
                                                  parts.get(("topics", topic.slug))):
            yield _page(topic_url(topic.slug, number), "topic.html", {
                "topic": topic, "stories": list(chunk), "pagination": pagination,
                "feeds": feed_urls(topic_url(topic.slug)),
            }, topic.title if number == 1 else f"{topic.title}, page {number}")


def _reading_order(name: str) -> tuple[int, str, str]:
    """Where a tag stands in the list of tags: by its slug where it has a readable one (as always), else (a
    name in another script, whose slug is a hash) by its letters, accents aside ('Ёлка' among the Е)."""
    slug = slugify(with_symbols_spelled(name))
    if slug:
        return (0, slug, name.casefold())  # 'COVID-19 в Китае' before 'COVID-19 в России'
    folded = unicodedata.normalize("NFKD", name.casefold())
    return (1, "".join(c for c in folded if not unicodedata.combining(c)), folded)


def tags_index(tags: Iterable[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """The tags page's list: (slug, name, count) of each tag, in reading order."""
    return sorted(tags, key=lambda t: (_reading_order(t[1]), t[0]))


def _tag_pages(site: Site, config: Config, _page: PageMaker, slugs: AbstractSet[str] | None,
               parts: Mapping[tuple[str, str], ListingPart]) -> Iterator[Page]:
    yield _page("tags/", "tags.html", {"tags": tags_index((t.slug, t.name, len(t.entries)) for t in site.tags),
                                       "feeds": feed_urls()}, "Tags")
    for tag in site.tags:
        if slugs is not None and tag.slug not in slugs:
            continue
        for number, chunk, pagination in _listing(tag.entries, config.items_per_page,
                                                  lambda n, slug=tag.slug: tag_url(slug, n),
                                                  parts.get(("tags", tag.slug))):
            yield _page(tag_url(tag.slug, number), "tag.html", {
                "tag": {"slug": tag.slug, "name": tag.name}, "entries": list(chunk), "pagination": pagination,
                "feeds": feed_urls(),
            }, f"Tagged {tag.name}" if number == 1 else f"Tagged {tag.name}, page {number}")


def _listing(items: Sequence[Any], per_page: int, url_of: Any,
             part: ListingPart | None = None) -> Iterator[tuple[int, Sequence[Any], dict[str, Any]]]:
    """A listing (newest first) as pages that do not shift: the first page (number 1, the
    listing's own address) shows the newest `per_page` items; the archive pages behind it are
    numbered from the oldest (page 2 holds the oldest items, page 3 the next ones...), so a new item
    changes the first page and the newest archive page only, and a full page keeps its address
    and content for good. Yields (number, items, pagination). `part`: only its pages, from its
    newest items (`items` is not read)."""
    count = len(items) if part is None else part.total
    if part is not None:
        items = part.newest
    if part is None or 1 in part.numbers:
        yield 1, items[:per_page], {
            "number": 1, "newest": True, "previous": None,
            "next": url_of(archive_page(count - 1 - per_page, per_page)) if count > per_page else None}
    if count <= per_page:
        return
    last = archive_page(count - 1, per_page)
    for number in range(2, last + 1):
        if part is not None and number not in part.numbers:
            continue
        start = (number - 2) * per_page  # its oldest item's place, counted from the oldest
        chunk = items[max(0, count - start - per_page):count - start]
        yield number, chunk, {"number": number, "newest": False,
                              "previous": url_of(number + 1 if number < last else 1),
                              "next": url_of(number - 1) if number > 2 else None}


def listing_numbers(count: int, per_page: int) -> range:
    """The page numbers _listing gives a listing of `count` items."""
    return range(1, 2) if count <= per_page else range(1, archive_page(count - 1, per_page) + 1)


def archive_page(position: int, per_page: int) -> int:
    """The archive page holding the item at `position` in oldest-first order."""
    return position // per_page + 2


def _sitemaps(site: Site, config: Config, _page: PageMaker, days: AbstractSet[date] | None) -> Iterator[Page]:
    """The sitemap: an index (sitemap.xml) of one sitemap for the site's own pages and one a month
    for its editions and their articles (a new entry changes its month's only; a sitemap holds
    SITEMAP_URLS addresses at most, so a bigger month has more). `days`: plan only the months of
    these editions' days."""
    def absolute_urls(urls: list[tuple[str, date | None]]) -> list[tuple[str, date | None]]:
        return [(absolute(config.base_url, url), day) for url, day in urls]

    latest = site.editions[0].day if site.editions else None
    own: list[tuple[str, date | None]] = [("", latest), *((topic_url(t.slug), None) for t in site.topics),
                                          (archive_url(), None)]
    yield _page(sitemap_url(), "sitemap.xml", {"urls": absolute_urls(own)}, "Sitemap")
    index: list[tuple[str, date | None]] = [(sitemap_url(), latest)]
    by_day = site.entries_by_day
    for month, group in groupby(site.editions, key=lambda e: e.day.replace(day=1)):
        editions = list(group)
        if days is not None and not any(e.day in days for e in editions):
            index += ((sitemap_url(month, part), day) for part, day in enumerate(_sitemap_parts(editions, by_day), 1))
            continue
        urls: list[tuple[str, date | None]] = []
        for edition in editions:
            urls.append((edition_url(edition.day), edition.day))
            urls += ((site.article_urls[e.path], edition.day) for e in by_day.get(edition.day, ()))
        for start in range(0, len(urls), SITEMAP_URLS):
            part = start // SITEMAP_URLS + 1
            index.append((sitemap_url(month, part), urls[start][1]))
            listed = absolute_urls(urls[start:start + SITEMAP_URLS])
            yield _page(sitemap_url(month, part), "sitemap.xml", {"urls": listed},
                        f"Sitemap of {month:%Y-%m}" + ("" if part == 1 else f", part {part}"))
    yield _page("sitemap.xml", "sitemap-index.xml", {"sitemaps": absolute_urls(index)}, "Sitemap index")
