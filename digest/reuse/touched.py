"""Which article pages a change of a few entries can have changed, so that a build plans only those
and keeps every other article's file as the live site has it.

An article page (pages._article_pages) shows its entry, its story (every member, the lead, the
score and the reason), the entries that follow it in its topic (pages.related_reach: its related
articles, story members left out), the day of its edition and of its story's first report, and what every page
shows (the navigation of topics, the config and templates: the fingerprint's salt). So after some
entries were added, deleted or edited (`changed`), an article page can differ from the live one
only if:

- its entry is a changed one;
- it showed a changed one (the stored plan's record of which unit shows which entry: a story
  member, a related entry);
- its story is not what the live site's plan grouped (members, lead, score, reason), or it is
  joined (a curator's shared key) with one that is not;
- a changed entry now follows it closely enough in its topic to be among its related entries;
- the topics changed: then the navigation of every page did, and everything is planned.

Every other article page comes out with the fingerprint the live site recorded, and is not planned,
fingerprinted or stored again (at 100,000 entries, four pages in five are articles).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from digest.config import Config
from digest.model import Site, Story
from digest.pages import related_reach, topic_lists
from digest.permalinks import entry_url
from digest.urls import output_path

Grouping = frozenset[tuple[str, tuple[str, ...], float, str]]
# Above this share of the entries touched, planning them all costs little more
MOST = 0.5


@dataclass(frozen=True)
class LiveArticles:
    """What the live site's stored plan says, for touched_articles."""

    changed: frozenset[PurePosixPath]  # published entries added, removed or edited since it was planned
    showing: frozenset[str]  # the units (output paths, feeds) that showed one of them
    grouping: Grouping  # the stories it was planned from, as group_stories gave them
    topics: Any  # site_shape() of the site it was planned from
    manifest: Mapping[str, str]  # the live tree: output path -> fingerprint


def site_shape(site: Site) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """What every page shows of the site as a whole: its topics (the navigation)."""
    return tuple((t.slug, t.title, tuple(t.aliases)) for t in site.topics)


def grouping(stories: Iterable[Story]) -> Grouping:
    """Stories as the pages see them: key, members (lead first), score and reason."""
    return frozenset((s.key, tuple(str(m.path) for m in s.members), s.score, s.reason) for s in stories)


def touched_articles(site: Site, config: Config, stories: Sequence[Story], live: LiveArticles,
                     ) -> tuple[set[PurePosixPath], dict[str, str]] | None:
    """(entries whose article pages to plan, {output path: fingerprint} of the others, kept as the
    live tree has them); None when every page must be planned (the topics changed, a kept page is
    not in the live tree, or most entries were touched). `stories`: as group_stories gave them,
    before curators' shared keys joined them (organise)."""
    if site_shape(site) != live.topics:
        return None
    touched: set[PurePosixPath] = set()
    present = {e.path for e in site.entries}
    touched.update(live.changed & present)
    # Stories not as the live site's plan had them: every member, before and now
    for _, members, _, _ in grouping(stories) ^ live.grouping:
        touched.update(p for p in map(PurePosixPath, members) if p in present)
    # ... and the stories a curator's shared key joined them with (organise shows them as one)
    touched.update(m.path for path in list(touched) for m in site.story_of[path].members)
    touched.update(_now_related(site, config, live.changed & present))
    paths = {e.path: output_path(entry_url(e, config)) for e in site.entries}
    touched.update(path for path, rel in paths.items() if rel in live.showing)
    if len(touched) > MOST * max(len(present), 1):
        return None
    kept: dict[str, str] = {}
    for path, rel in paths.items():
        if path not in touched:
            value = live.manifest.get(rel)
            if value is None:
                return None
            kept[rel] = value
    return touched, kept


def _now_related(site: Site, config: Config, changed: AbstractSet[PurePosixPath]) -> set[PurePosixPath]:
    """The entries that a changed one follows closely enough in its topic to be among their related
    articles (pages.related_reach)."""
    if not changed:
        return set()
    by_topic, position = topic_lists(site, config)
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
