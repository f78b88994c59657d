"""Which pages a change of a few entries can have changed, so that a build plans only those and
keeps every other page's file as the live site has it.

The entries the change touched are those added, deleted or edited (`changed`), and every member,
before and now, of a story that is not as the live site's plan grouped it (members, lead, score,
reason), with the stories a curator's shared key joins them to. What every page shows besides its
own data (the navigation of topics, the config and templates: the fingerprint's salt) is the
same, or everything is planned. Then a page can differ from the live one only if it shows a
touched entry now, or showed one (the stored plan's record of which unit shows which entry):

- an article page (pages._article_pages): its entry is a changed one, it showed a changed one
  (a story member, a related entry), its story or one joined to it is touched, or a changed entry
  now follows it closely enough in its topic to be among its related entries;
- an edition's page and e-mail: every entry an edition shows is one of its stories' members or a
  later report (a follow-up, with its story); when none of them is touched, now or before, its
  stories, sections and follow-ups are what they were. Its page also links the editions before
  and after it, with their article counts: the neighbours of a touched edition (or of one gone)
  are planned too. A week's e-mail shows its editions;
- a tag's or a topic's listing pages: the entries (stories) listed and how many, which change
  only with a touched one listed now or before.
- a month's sitemap: the addresses of its editions and their articles, which change only with
  a touched entry in one of its editions (an entry's address or day changed: it is a changed one).

Every other page comes out with the fingerprint the live site recorded, and is not planned,
fingerprinted or stored again. The site's own pages (front page, archive, indexes, the sitemap's
index) and the feeds are always planned.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import PurePosixPath
from typing import Any

from digest.config import Config
from digest.model import Edition, Site, Story
from digest.newsletter.plan import week_folder
from digest.organise import story_topic
from digest.pages import Selection, related_reach, unplanned_paths
from digest.reuse.manifest import Manifest
from digest.stories.remembered import Grouped, remembered_stories
from digest.urls import (
    edition_of_output,
    is_article_output,
    listing_of_output,
    output_path,
    tag_slug,
    week_of_output,
)

# Stories as the cache keeps them (remembered.remembered_stories): an entry that is a story alone as its
# path, any other story as (key, members lead first, score, reason)
Grouping = frozenset[str | tuple[str, tuple[str, ...], float, str]]
# Above this share of the entries touched, planning them all costs little more
MOST = 0.5


@dataclass(frozen=True)
class LivePlan:
    """What the live site's stored plan says, for touched_pages."""

    changed: frozenset[PurePosixPath]  # published entries added, removed or edited since it was planned
    showing: Callable[[Iterable[str]], set[str]]  # the units (output paths, feeds) that showed these entries
    grouping: Grouping  # the stories it was planned from, as group_stories gave them
    topics: Any  # site_shape() of the site it was planned from
    manifest: Mapping[str, str]  # the live tree: output path -> fingerprint


def site_shape(site: Site) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """What every page shows of the site as a whole: its topics (the navigation)."""
    return tuple((t.slug, t.title, tuple(t.aliases)) for t in site.topics)


def grouping(stories: Iterable[Story]) -> Grouping:
    """Stories as the pages see them (key, members lead first, score and reason), in the cache's
    form: the remembered stories are compared as they are read (100,000 tuples made from them cost
    an addition at 100,000 entries 0.2 s)."""
    kept = stories.remembered if isinstance(stories, Grouped) else remembered_stories(stories)
    return frozenset(s if isinstance(s, str) else (s[0], tuple(s[1]), s[2], s[3]) for s in kept)


def touched_pages(site: Site, config: Config, stories: Sequence[Story], live: LivePlan,
                  ) -> tuple[Selection, dict[str, str]] | None:
    """(the pages to plan, {output path: fingerprint} of the others, kept as the live tree has
    them); None when every page must be planned (the topics changed, a kept page is not in the live
    tree, or most entries were touched). `stories`: as group_stories gave them, before curators'
    shared keys joined them (organise)."""
    if site_shape(site) != live.topics:
        return None
    touched: set[PurePosixPath] = set(live.changed)
    # Stories not as the live site's plan had them: every member, before and now
    for story in grouping(stories) ^ live.grouping:
        touched.update(map(PurePosixPath, (story,) if isinstance(story, str) else story[1]))
    selection, _ = selected_pages(site, config, touched, live.changed, live.showing)
    if len(selection.articles) > MOST * max(len(site.entries), 1):
        return None
    kept: dict[str, str] = {}
    unplanned = [output_path(url) for path, url in site.article_urls.items() if path not in selection.articles]
    manifest = live.manifest.as_dict() if isinstance(live.manifest, Manifest) else live.manifest  # most pages
    for rel in chain(unplanned, unplanned_paths(site, config, selection)):
        value = manifest.get(rel)
        if value is None:
            return None
        kept[rel] = value
    return selection, kept


def selected_pages(site: Site, config: Config, touched: AbstractSet[PurePosixPath],
                   changed: AbstractSet[PurePosixPath], showing: Callable[[Iterable[str]], set[str]],
                   ) -> tuple[Selection, set[str]]:
    """The pages to plan (see the module) when these entries were touched, `changed` among them (added,
    removed or edited); `showing`: the live plan's units that showed these entries (LivePlan.showing).
    Also the article pages that showed a changed entry and are no article now (a changed entry's own
    page gone or moved, or the page of an entry gone)."""
    # ... with the stories a curator's shared key joined them with (organise shows them as one): the
    # touched entries still published, by path
    touched_now = {m.path: m for path in touched if path in site.story_of for m in site.story_of[path].members}
    # Article pages show the entries of other stories only as related articles: entries, not stories
    showed = showing(str(path) for path in changed)
    article_of = {output_path(url): path for path, url in site.article_urls.items()}
    articles = set(touched_now) | now_related(site, config, changed)
    articles.update(article_of[rel] for rel in showed if rel in article_of)
    no_article = {rel for rel in showed if is_article_output(rel) and rel not in article_of}
    showed |= showing(str(path) for path in (touched | touched_now.keys()) - changed)
    # An entry shows in the edition of its story's first day and, as a later report with its
    # story, in the edition of each other day of its story's members
    days = {site.edition_day[m.path] for path in touched_now for m in site.story_of[path].members}
    days.update(day for day in map(edition_of_output, showed) if day is not None)
    listed = {found for found in map(listing_of_output, showed) if found is not None}
    return Selection(
        articles=articles,
        editions=days | edition_neighbours(site.editions, days),
        weeks={week_folder(day, config.email_week_ends) for day in days} | {
            week for week in map(week_of_output, showed) if week is not None},
        tags={slug for kind, slug in listed if kind == "tags"} | {
            tag_slug(name) for entry in touched_now.values() for name in entry.tags},
        topics={slug for kind, slug in listed if kind == "topics"} | {
            story_topic(site.story_of[path], config) for path in touched_now},
    ), no_article


def edition_neighbours(editions: Sequence[Edition], days: AbstractSet[date]) -> set[date]:
    """The editions just before and after each of these days (newest first, as the site lists
    them): the ones whose pages link to the edition of that day, or, for a day gone, to it then."""
    ascending = [e.day for e in reversed(editions)]
    found: set[date] = set()
    for day in days:
        at = bisect_left(ascending, day)
        if at > 0:
            found.add(ascending[at - 1])
        after = at + 1 if at < len(ascending) and ascending[at] == day else at
        if after < len(ascending):
            found.add(ascending[after])
    return found


def now_related(site: Site, config: Config, changed: AbstractSet[PurePosixPath]) -> set[PurePosixPath]:
    """The entries that a changed one follows closely enough in its topic to be among their related
    articles (pages.related_reach)."""
    if not changed:
        return set()
    by_topic, position = site.topic_lists
    farthest = related_reach(max((len(s.members) for s in site.stories), default=1))
    found: set[PurePosixPath] = set()
    for entry in site.entries:
        if entry.path not in changed:
            continue
        at = position[entry.path]
        for before in by_topic[entry.topic or config.default_topic][max(0, at - farthest):at]:
            if at - position[before.path] <= related_reach(len(site.story_of[before.path].members)):
                found.add(before.path)
    return found


def changed_entries(before: Mapping[str, str], now: Mapping[str, str]) -> frozenset[PurePosixPath]:
    """Paths of the entries added, removed or edited (`before`, `now`: path -> content hash)."""
    return frozenset(PurePosixPath(rel) for rel in before.keys() ^ now.keys()) | frozenset(
        PurePosixPath(rel) for rel, value in now.items() if rel in before and before[rel] != value)
