"""A plan of the recent entries: entries added, removed or edited in the last days of a large
archive change the pages of the last weeks and a few pages about the whole site, so a one-shot
build plans those from the entries of the last weeks only, not from every entry's listing.

The *window* is every published entry of a local day on or after `start`: the first day of the
month of the earliest entry changed (as it was or is now), taken DAYS_BEFORE_MONTH days before it
(`first_month`), moved back by MARGIN_DAYS more. The stories are grouped again near the change
without making those that stay (stories.remembered.stories_after_change); each story with a member
in the window is read whole, with every story its key joins (a curator's shared key). The window
is organised twice: as the live site's plan had it (its stories, the changed entries as they were:
their heads are read before their rows go, entry_rows.EntryRows.refresh) and now. Then:

- its articles, editions (with their e-mails, weeks and months' sitemaps) are those of the whole
  site from `first_month` on: every entry of those days is in the window and every story is whole;
- a topic's or a tag's listing is the same as the whole site's for its items in the window (they
  come first, newest first); its length is the live listing's (the stored topics and tags pages'
  counts) moved by what the window gained or lost, only the pages from the oldest changed item
  on are planned (listing pages are numbered from the oldest: pages.py), and the items they show
  from before the window are read from the live plan's stored pages (the same before and now);
- the pages about the whole site are the window's, with what lies outside it taken from the live
  plan's stored pages: the topics' and tags' counts, the archive's and the sitemap index's months
  before `first_month`, a feed's items from before the window;
- the pages the two organisings tell are gone (an article removed or moved, a day or a week
  emptied, a listing shortened) are removed; every other page of the live site is kept as it is
  (Plan.kept).

Whatever the window cannot show exactly is not guessed: the plan is None, and the build plans as
before (reuse/touched.py). So: a curator's story key on an entry changed (then or now), a topic
new to the site or one that may have lost its last entry, a story or an entry changed before the
window, an edition, a week, an article's related entries or a tag's name that reaches past it, or
a stored page that is not as expected. The tests compare every build with a cold one.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import PurePosixPath
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from digest.config import Config
from digest.feeds import FeedPlan, plan_feeds
from digest.model import Entry, Page, Site, Story, Topic
from digest.newsletter.plan import week_folder
from digest.organise import organise
from digest.pages import (
    ListingPart,
    Selection,
    archive_page,
    listing_numbers,
    month_sitemaps,
    plan_pages,
    related_reach,
    tags_index,
)
from digest.reuse.manifest import Manifest
from digest.reuse.plan_patch import FEED_UNIT, load_unit
from digest.reuse.touched import LivePlan, selected_pages
from digest.stories import ALONE, make_story, path_key
from digest.urls import (
    archive_url,
    edition_url,
    email_urls,
    output_path,
    tag_url,
    topic_url,
)

DAYS_BEFORE_MONTH = 7  # the first month planned from the window: that of this many days before the earliest change
MARGIN_DAYS = 14  # the window reaches this many days before that month: its weeks and editions' neighbours
WINDOW_SHARE = 0.25  # a window of more of the entries than this is not planned apart (see small_window)
FRONT_PAGE_EDITIONS = 8  # the editions the front page shows (pages._plan: the latest and seven older)
Form = str | tuple[str, Sequence[str], float, str]  # a story in the cache's form (remembered_stories)
_DAY = 86_400


class Listings(Protocol):
    """What the plan reads of the entries' rows: each one's listing, as organising reads it."""

    def __call__(self, paths: Iterable[str]) -> dict[str, Entry]: ...


@dataclass(frozen=True)
class Window:
    start: date  # every published entry of this local day or later is read
    first_month: date  # the first day of the first month whose pages are planned from the window


@dataclass(frozen=True)
class RecentPlan:
    """The pages and feeds to plan, the live site's other pages (kept), and the site of the window
    (its topics are the whole site's)."""

    site: Site
    pages: list[Page]
    feeds: list[FeedPlan]
    kept: dict[str, str]
    # Or, when the kept pages are not listed: the live plan's units that go (Plan.gone_from_live)
    gone: frozenset[str] | None = None


def window_of(changed: Iterable[datetime], tz: ZoneInfo) -> Window:
    """The window for entries changed at these times (as they were, and as they are now)."""
    earliest = min(moment.astimezone(tz).date() for moment in changed)
    month = (earliest - timedelta(days=DAYS_BEFORE_MONTH)).replace(day=1)
    return Window(month - timedelta(days=MARGIN_DAYS), month)


@dataclass(frozen=True)
class EntryChange:
    """A published entry added, removed or edited since the live plan: its listing then and now."""

    path: str
    before: Entry | None  # None: added
    now: Entry | None  # None: removed


def small_window(config: Config, stamps: Sequence[float], changed: Iterable[datetime]) -> bool:
    """Whether the window of a change at these times holds at most WINDOW_SHARE of the entries (at
    these POSIX times): a change far from the newest end makes a window of much of the site, which
    costs more to organise twice than the whole site once, and whose front page and feeds it would
    not show. Asked before the stories are grouped for a plan of the window."""
    moments = list(changed)
    if not moments:
        return False
    since = _read_since(window_of(moments, config.tz), config.tz)
    return sum(stamp >= since for stamp in stamps) <= WINDOW_SHARE * len(stamps)


def _read_since(window: Window, tz: ZoneInfo) -> float:
    """The POSIX time from which the window's entries are read: its first day's midnight, less a
    day's margin (an entry's local day is told from its time in the site's time zone)."""
    return datetime.combine(window.start, time(), tzinfo=tz).timestamp() - _DAY


def plan_recent(config: Config, stamps: Mapping[str, float], changes: Sequence[EntryChange], before: Sequence[Form],
                after: Sequence[Form], regrouped: set[str], live: LivePlan, listings: Listings,
                stored: Callable[[list[str]], dict[str, tuple[str, bytes]]],
                unit_names: Callable[[], Iterable[str]],
                feed_units: Callable[[], Iterable[str]] | None = None) -> RecentPlan | None:
    """The plan of these `changes` (none with a curator's story key, then or now) from the window's
    entries, or None (see the module's text). `stamps`: every published entry's time now (path ->
    POSIX time); `before`, `after`: the stories as the live plan and now (stories_after_change)
    with `regrouped`, the paths grouped again; `listings`: the entries now, by path; `stored`: the
    live plan's units by name (cache.load_units); `unit_names`: the names of its units. The caller
    asks small_window first, from the same times. `feed_units`: the names of the live plan's feed
    units; given, the pages kept are not listed (a one-shot build's: RecentPlan.gone instead)."""
    versions = [entry for change in changes for entry in (change.before, change.now) if entry is not None]
    if not versions or any(entry.story for entry in versions):
        return None
    topics = tuple(Topic(slug, title, tuple(aliases)) for slug, title, aliases in live.topics)
    slugs = {t.slug for t in topics}
    if any(change.now is not None and change.now.topic and change.now.topic not in slugs for change in changes):
        return None  # a topic new to the site: the navigation of every page changes
    tz = config.tz
    window = window_of((entry.published for entry in versions), tz)
    since = _read_since(window, tz)
    changed = {change.path for change in changes}
    was = {change.path: change.before for change in changes if change.before is not None}
    # The stories not as the live plan had them: among those of the entries grouped again
    changed_stories = {_hashable(f) for f in _touching(after, regrouped)} ^ {
        _hashable(f) for f in _touching(before, regrouped)}
    touched = {PurePosixPath(p) for p in changed} | {PurePosixPath(m) for form in changed_stories
                                                     for m in _members(form)}
    if any(moment < since + _DAY for path in map(str, touched) for moment in (
            stamps.get(path, math.inf), was[path].published.timestamp() if path in was else math.inf)):
        return None  # a story or an entry changed before the window
    recent = {path for path, stamp in stamps.items() if stamp >= since}
    recent_then = (recent - changed) | {path for path, entry in was.items() if entry.published.timestamp() >= since}
    forms_now = _with_shared_keys(after, _touching(after, recent))
    forms_then = _with_shared_keys(before, _touching(before, recent_then))
    paths_now = recent | {m for form in forms_now for m in _members(form)}
    paths_then = recent_then | {m for form in forms_then for m in _members(form)}
    current = listings(paths_now | (paths_then - changed))
    entries_then = {path: was[path] if path in was else current[path] for path in paths_then}
    now = _organised(config, [current[p] for p in paths_now], [_story(form, current) for form in forms_now], topics)
    then = _organised(config, list(entries_then.values()), [_story(form, entries_then) for form in forms_then],
                      topics)
    if not _front_page_in(now, window):
        return None
    shown_topics = {e.topic or config.default_topic for e in now.entries if now.edition_day[e.path] >= window.start}
    if any(entry.topic in slugs and entry.topic not in shown_topics for entry in was.values()):
        return None  # a topic that may have lost its last entry
    gone_articles = {output_path(url) for path, url in then.article_urls.items() if str(path) in changed}
    selection = _selection(now, config, touched, {PurePosixPath(p) for p in changed}, gone_articles, live, window)
    if selection is None:
        return None
    removed = {path: entry for path, entry in was.items() if path not in stamps}

    def units(names: list[str]) -> dict[str, Any]:
        """The live plan's stored units of these names (those stored), the entries they show read
        at once (one removed since: as it was)."""
        loaded = stored(names)
        shown: set[str] = set()

        def noted(path: str) -> Any:  # only to learn what they show
            shown.add(path)
            return path

        for _, data in loaded.values():
            load_unit(data, noted)
        known = {**listings(shown - removed.keys()), **{path: removed[path] for path in shown & removed.keys()}}
        return {name: load_unit(data, known.__getitem__) for name, (_, data) in loaded.items()}

    names = [output_path("topics/"), output_path("tags/"), output_path(archive_url()), "sitemap.xml"]
    try:
        context = units(names)
    except Exception:  # a stored plan that no longer fits
        return None
    if len(context) != len(names):
        return None
    before_window = functools.partial(_shown_before, units, config.items_per_page)
    parts, gone = _listing_parts(now, then, config, selection, touched, window, context, before_window)
    if parts is None:
        return None
    selection = replace(selection, parts=parts, topics={s for k, s in parts if k == "topics"},
                        tags={s for k, s in parts if k == "tags"})
    pages = _whole_site_patched(plan_pages(now, config, selection), now, then, window, context)
    feeds = _feeds_patched(plan_feeds(now, config), config, now, window, units)
    if pages is None or feeds is None:
        return None
    # Every other page of the live plan (its units: the stored fingerprints may be older than the
    # live tree's, which a patch does not store) is kept as the live tree has it
    planned = {page.output_path for page in pages}
    gone |= _gone(then, now, config, selection, changed) - planned
    if feed_units is not None:
        feeds_now = {FEED_UNIT + feed.prefix for feed in feeds}
        return RecentPlan(now, pages, feeds, {}, frozenset(gone | {name for name in feed_units()
                                                                   if name not in feeds_now}))
    manifest = live.manifest.as_dict() if isinstance(live.manifest, Manifest) else live.manifest
    kept: dict[str, str] = {}
    for name in unit_names():
        if name not in planned and name not in gone and not name.startswith(FEED_UNIT):
            value = manifest.get(name)
            if value is None:
                return None
            kept[name] = value
    return RecentPlan(now, pages, feeds, kept)


def regrouped_between(before: Iterable[Form], after: Iterable[Form]) -> set[str]:
    """The members of every story that is not in both groupings (a dev server's grouper gives every
    story; only those that differ matter)."""
    return {m for form in {_hashable(f) for f in before} ^ {_hashable(f) for f in after} for m in _members(form)}


def _members(form: Form) -> Sequence[str]:
    return (form,) if isinstance(form, str) else form[1]


def _key(form: Form) -> str:
    return path_key(form) if isinstance(form, str) else form[0]


def _hashable(form: Form) -> Form:
    return form if isinstance(form, str) else (form[0], tuple(form[1]), form[2], form[3])


def _touching(forms: Sequence[Form], paths: set[str]) -> list[Form]:
    """The stories with a member among these paths."""
    return [f for f in forms if (f in paths if isinstance(f, str) else not paths.isdisjoint(f[1]))]


def _with_shared_keys(forms: Sequence[Form], chosen: list[Form]) -> list[Form]:
    """`chosen`, with every other story of `forms` that shares a key with one of them (organise
    joins stories of one key: a curator's key given to a later report)."""
    curators = {f[0] for f in forms if not isinstance(f, str) and f[3] == "curator"}
    shared = {key for key in map(_key, chosen) if key in curators}
    if not shared:
        return chosen
    have = {_hashable(f) for f in chosen}
    return chosen + [f for f in forms if _key(f) in shared and _hashable(f) not in have]


def _story(form: Form, entries: Mapping[str, Entry]) -> Story:
    if isinstance(form, str):
        entry = entries[form]
        return Story(key=path_key(form), lead=entry, members=(entry,), score=1.0, reason=ALONE)
    key, members, score, reason = form
    return make_story(key, [entries[m] for m in members], score, reason)


def _organised(config: Config, entries: list[Entry], stories: list[Story], topics: tuple[Topic, ...]) -> Site:
    """The window organised, with the whole site's topics (its navigation)."""
    return replace(organise(entries, stories, config), topics=topics)


def _selection(site: Site, config: Config, touched: set[PurePosixPath], changed: set[PurePosixPath],
               changed_pages: set[str], live: LivePlan, window: Window) -> Selection | None:
    """The pages the change touched (touched.selected_pages), or None when one of them reaches past
    the window. `changed_pages`: the changed entries' article pages as they were (gone, or planned
    again)."""
    selection, no_article = selected_pages(site, config, touched, changed, live.showing)
    if no_article - changed_pages:
        return None
    older = {e.day: site.editions[i + 1].day if i + 1 < len(site.editions) else None
             for i, e in enumerate(site.editions)}
    for day in selection.editions:
        if day < window.first_month:
            return None
        if day in older and ((before := older[day]) is None or before < window.start):  # (not there: gone)
            return None  # its page links the edition before it, with its count of articles
    if config.email_files and selection.weeks:
        first = {}
        for edition in site.editions:
            first[week_folder(edition.day, config.email_week_ends)] = edition.day
        if any(week not in first or first[week] < window.start + timedelta(days=7) for week in selection.weeks):
            return None
    if any(site.edition_day[path] < window.first_month for path in selection.articles):
        return None
    if not _related_in(site, config, selection.articles, window):
        return None
    return selection


def _related_in(site: Site, config: Config, articles: Iterable[PurePosixPath], window: Window) -> bool:
    """Whether every one of these articles' related entries (those that follow it in its topic)
    lies in the window: its topic's entries of the window's days come first in the window's list."""
    by_topic, position = site.topic_lists
    trusted: dict[str, int] = {}
    for path in articles:
        entry = next(m for m in site.story_of[path].members if m.path == path)
        topic = entry.topic or config.default_topic
        listed = by_topic[topic]
        if topic not in trusted:
            trusted[topic] = sum(1 for e in listed if site.edition_day[e.path] >= window.start)
        reach = related_reach(len(site.story_of[path].members))
        if position[path] + 1 + reach > trusted[topic]:
            return False
    return True


def _trusted(items: Sequence[Any], day_of: Callable[[Any], date], window: Window) -> int:
    """How many of a listing's first items (newest first) are of the window's days."""
    count = 0
    for item in items:
        if day_of(item) < window.start:
            break
        count += 1
    return count


def _listing_parts(now: Site, then: Site, config: Config, selection: Selection, touched: set[PurePosixPath],
                   window: Window, context: Mapping[str, Any],
                   before_window: Callable[[str, str, int, int, int], list[Any] | None],
                   ) -> tuple[dict[tuple[str, str], ListingPart] | None, set[str]]:
    """The pages to plan of each listing the selection touched (the items they show before the
    window read from the live plan's pages: `before_window`, see _shown_before), and the listing
    pages gone; None when that cannot be told."""
    per_page = config.items_per_page
    counts_then = context[output_path("topics/")]["counts"]
    tags_then = {slug: count for slug, _, count in context[output_path("tags/")]["tags"]}
    tags_now = {t.slug: t.entries for t in now.tags}
    tags_before = {t.slug: t.entries for t in then.tags}
    parts: dict[tuple[str, str], ListingPart] = {}
    gone: set[str] = set()

    def story_day(site: Site) -> Callable[[Story], date]:
        return lambda story: site.edition_day[story.lead.path]

    def entry_day(site: Site) -> Callable[[Entry], date]:
        return lambda entry: site.edition_day[entry.path]

    def same_story(a: Story, b: Story) -> bool:
        return a.key == b.key and a.score == b.score and a.reason == b.reason and \
            [m.path for m in a.members] == [m.path for m in b.members] and not any(m.path in touched for m in b.members)

    def same_entry(a: Entry, b: Entry) -> bool:
        return a.path == b.path and b.path not in touched

    topics = {t.slug for t in now.topics}  # a story of no listed topic shows on no topic's pages
    listings: list[tuple[str, str, Sequence[Any], Sequence[Any], int, Any, Callable[[Any, Any], bool]]]
    listings = [("topics", slug, then.topic_stories.get(slug, ()), now.topic_stories.get(slug, ()),
                 counts_then.get(slug, 0), story_day, same_story) for slug in selection.topics if slug in topics] + [
                ("tags", slug, tags_before.get(slug, ()), tags_now.get(slug, ()), tags_then.get(slug, 0),
                 entry_day, same_entry) for slug in selection.tags]
    for kind, slug, items_then, items_now, total_then, day_of, same in listings:
        trusted_then = _trusted(items_then, day_of(then), window)
        trusted_now = _trusted(items_now, day_of(now), window)
        older = total_then - trusted_then  # the items before the window: the same before and now
        if older < 0:
            return None, gone
        total = older + trusted_now
        url = topic_url if kind == "topics" else tag_url
        if total == 0 and kind == "tags":  # no entry has the tag any more
            gone.update(output_path(url(slug, n)) for n in listing_numbers(total_then, per_page))
            continue
        oldest_then, oldest_now = items_then[:trusted_then][::-1], items_now[:trusted_now][::-1]
        alike = 0
        while alike < min(trusted_then, trusted_now) and same(oldest_then[alike], oldest_now[alike]):
            alike += 1
        if alike == trusted_then == trusted_now:
            continue  # not changed
        numbers = set(listing_numbers(total, per_page))
        if total > per_page:
            # from the page before the first changed item's: it links the next page, which may be new
            first = archive_page(max(older + alike - 1, 0), per_page)
            numbers = {1} | {n for n in numbers if n >= first}
        # The pages' items, newest first: the window's, then those before it, as the live pages showed them
        needed = max(min(per_page, total) if n == 1 else total - (n - 2) * per_page for n in numbers)
        newest = list(items_now[:trusted_now])
        if needed > trusted_now:
            shown = before_window(kind, slug, total_then, older - (needed - trusted_now), older)
            if shown is None:
                return None, gone
            newest += shown
        gone.update(output_path(url(slug, n)) for n in set(listing_numbers(total_then, per_page))
                    - set(listing_numbers(total, per_page)))
        parts[kind, slug] = ListingPart(newest, total, frozenset(numbers))
    return parts, gone


def _gone(then: Site, now: Site, config: Config, selection: Selection, changed: set[str]) -> set[str]:
    """The pages of the change's articles, editions, weeks and months that the live site had and
    the site has no more (an entry removed or moved to another day, a day or a week emptied)."""
    articles = {output_path(url) for path, url in then.article_urls.items() if str(path) in changed}
    days_then, days_now = {e.day for e in then.editions}, {e.day for e in now.editions}
    found = articles - {output_path(url) for url in now.article_urls.values()}
    for day in (selection.editions & days_then) - days_now:
        found.add(output_path(edition_url(day)))
        if config.email_files:
            found.update(email_urls(edition_url(day)).values())
    if config.email_files:
        weeks_then = {week_folder(day, config.email_week_ends) for day in days_then}
        weeks_now = {week_folder(day, config.email_week_ends) for day in days_now}
        for folder in (set(selection.weeks) & weeks_then) - weeks_now:
            found.update(email_urls(folder).values())
    months = {day.replace(day=1) for day in selection.editions}
    return found | (month_sitemaps(then, months) - month_sitemaps(now, months))


def _shown_before(units: Callable[[list[str]], dict[str, Any]], per_page: int, kind: str, slug: str, total: int,
                  low: int, high: int) -> list[Any] | None:
    """The items of a listing of `total` items at its places `low` to `high` (counted from the
    oldest), newest first, as the live plan's stored pages of that listing show them (None: not
    stored as expected). Items before the window are at the same places before and after a change
    in it."""
    url = topic_url if kind == "topics" else tag_url
    pages = {1: (0, total)} if total <= per_page else {
        n: ((n - 2) * per_page, min((n - 1) * per_page, total))
        for n in range(archive_page(low, per_page), archive_page(high - 1, per_page) + 1)}
    names = {output_path(url(slug, n)): n for n in pages}
    at: dict[int, Any] = {}
    try:
        loaded = units(list(names))
        if len(loaded) != len(names):
            return None
        for name, context in loaded.items():
            items = context["stories" if kind == "topics" else "entries"]
            start, end = pages[names[name]]
            if len(items) != end - start:
                return None
            at.update((end - 1 - i, item) for i, item in enumerate(items))  # newest first
        return [at[place] for place in range(high - 1, low - 1, -1)]
    except Exception:  # a stored plan that no longer fits
        return None


def _whole_site_patched(pages: list[Page], now: Site, then: Site, window: Window,
                        context: Mapping[str, Any]) -> list[Page] | None:
    """The pages about the whole site, their parts outside the window as the live site has them:
    the topics' and tags' counts, the archive's months and the sitemap index's before the window's
    first month."""
    def window_counts(site: Site) -> tuple[Counter[str], Counter[str]]:
        stories = Counter({slug: sum(1 for s in listed if site.edition_day[s.lead.path] >= window.start)
                           for slug, listed in site.topic_stories.items()})
        tags = Counter({t.slug: sum(1 for e in t.entries if site.edition_day[e.path] >= window.start)
                        for t in site.tags})
        return stories, tags

    stories_now, tags_now = window_counts(now)
    stories_then, tags_then = window_counts(then)
    names_now = {t.slug: t.name for t in now.tags}
    patched: list[Page] = []
    for page in pages:
        name = page.output_path
        if name == output_path("topics/"):
            before = context[name]["counts"]
            counts = {t.slug: before.get(t.slug, 0) - stories_then[t.slug] + stories_now[t.slug] for t in now.topics}
            page = replace(page, context={**page.context, "counts": counts})
        elif name == output_path("tags/"):
            listed = {slug: (tag, count) for slug, tag, count in context[name]["tags"]}
            for slug in tags_now.keys() | tags_then.keys():
                tag, count = listed.get(slug, (names_now.get(slug, ""), 0))
                count += tags_now[slug] - tags_then[slug]
                if count <= 0:
                    listed.pop(slug, None)
                    continue
                if tags_then[slug] and not tags_now[slug]:
                    return None  # its name may come from before the window
                if tags_now[slug]:
                    tag = names_now[slug]
                listed[slug] = (tag, count)
            page = replace(page, context={**page.context, "tags": tags_index(
                (slug, tag, count) for slug, (tag, count) in listed.items())})
        elif name == output_path(archive_url()):
            months = [(m, refs) for m, refs in page.context["months"] if m >= window.first_month] + [
                (m, refs) for m, refs in context[name]["months"] if m < window.first_month]
            page = replace(page, context={**page.context, "months": months})
        elif name == "sitemap.xml":
            own, *parts = page.context["sitemaps"]
            kept = [part for part in context[name]["sitemaps"][1:] if part[1].replace(day=1) < window.first_month]
            page = replace(page, context={**page.context, "sitemaps": [own, *(
                part for part in parts if part[1].replace(day=1) >= window.first_month), *kept]})
        patched.append(page)
    return patched


def _feeds_patched(feeds: Sequence[FeedPlan], config: Config, site: Site, window: Window,
                   units: Callable[[list[str]], dict[str, Any]]) -> list[FeedPlan] | None:
    """The feeds: each one's items of the window's days (newest first, the whole site's newest),
    then, where they are fewer than a feed holds, its items from before the window as the live
    plan's stored feed has them (the same before and after the change); None when that cannot be
    told."""
    tz = config.tz
    short = [feed for feed in feeds if sum(
        site.edition_day[item.entry.path] >= window.start for item in feed.items) < config.feed_items]
    try:
        stored = units([FEED_UNIT + feed.prefix for feed in short])
    except Exception:  # no longer fits
        return None
    patched: list[FeedPlan] = []
    for feed in feeds:
        recent = [item for item in feed.items if site.edition_day[item.entry.path] >= window.start]
        if len(recent) < config.feed_items:
            before = stored.get(FEED_UNIT + feed.prefix)
            if not isinstance(before, FeedPlan):
                return None
            older = [item for item in before.items if item.entry.published.astimezone(tz).date() < window.start]
            if len(before.items) >= config.feed_items and len(recent) + len(older) < config.feed_items:
                return None  # the stored feed does not reach back far enough
            feed = replace(feed, items=tuple([*recent, *older][:config.feed_items]))
        patched.append(feed)
    return patched


def _front_page_in(site: Site, window: Window) -> bool:
    """Whether the editions the front page shows are all of the window's days."""
    return len(site.editions) >= FRONT_PAGE_EDITIONS and site.editions[FRONT_PAGE_EDITIONS - 1].day >= window.start
