"""The last build's plan, kept by a long-lived Builder (the dev server), and patched when an
edit changes only entries' bodies.

Organising the site and planning its pages read every field of an entry except its body (a
lead's text length aside, checked here). So when the edited entries keep their front matter,
their place in the story grouping and their story's lead, the new plan is the old one with the
new entries in the old ones' places: only the pages and feeds that hold them are planned and
fingerprinted again. Anything else (an entry added, removed or moved, a changed title, date,
tag or topic, templates, config) plans the whole site again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

from markupsafe import Markup

from digest.cache import CachedEntry, Fingerprinter
from digest.feeds import FeedPlan
from digest.model import Entry, Page, Story
from digest.stories import make_story


@dataclass
class RememberedPlan:
    """What a full build planned, and which pages and feeds show which entry."""

    salt: str  # the build's inputs other than entries (templates, config, static files, options)
    rows: dict[str, CachedEntry]  # the published entries, by path relative to the site
    pages: list[Page]
    feeds: list[FeedPlan]
    page_prints: list[str]
    feed_prints: list[str]
    entry_pages: dict[PurePosixPath, list[int]]  # entry path -> indices into pages
    entry_feeds: dict[PurePosixPath, list[int]]  # entry path -> indices into feeds
    story_of: dict[PurePosixPath, Story]
    grouping: frozenset[tuple[str, tuple[PurePosixPath, ...], float, str]]  # see _grouping


def remember(salt: str, rows: Sequence[tuple[str, CachedEntry]], pages: list[Page], feeds: list[FeedPlan],
             page_prints: list[str], feed_prints: list[str], page_found: Sequence[Iterable[PurePosixPath]],
             feed_found: Sequence[Iterable[PurePosixPath]], stories: Iterable[Story]) -> RememberedPlan:
    stories = list(stories)
    return RememberedPlan(salt, dict(rows), pages, feeds, page_prints, feed_prints, _index(page_found),
                          _index(feed_found), {m.path: s for s in stories for m in s.members}, _grouping(stories))


def _grouping(stories: Iterable[Story]) -> frozenset[tuple[str, tuple[PurePosixPath, ...], float, str]]:
    """The stories as the pages see them: key, members (lead first), score and reason."""
    return frozenset((s.key, tuple(m.path for m in s.members), s.score, s.reason) for s in stories)


def _index(found: Sequence[Iterable[PurePosixPath]]) -> dict[PurePosixPath, list[int]]:
    index: dict[PurePosixPath, list[int]] = defaultdict(list)
    for i, paths in enumerate(found):
        for path in set(paths):
            index[path].append(i)
    return dict(index)


def patch(plan: RememberedPlan, salt: str, rows: Sequence[tuple[str, CachedEntry]], fingerprint_salt: str,
          regroup: Callable[[], Sequence[Story]]) -> RememberedPlan | None:
    """The plan for these entries, when they differ from the remembered ones only in bodies;
    None when the whole site must be planned again. Fingerprints are computed as a full build
    computes them (the same values).

    When an edit changed what story grouping reads (the opening of a body), `regroup()` groups
    the entries again: the plan is patched only when the stories came out the same."""
    if salt != plan.salt or len(rows) != len(plan.rows):
        return None
    replacements: dict[int, Entry] = {}
    regrouped = False
    for rel, row in rows:
        before = plan.rows.get(rel)
        if before is None:
            return None
        if before is row or before.content_hash == row.content_hash:
            continue
        if not _same_but_body(before.entry, row.entry):
            return None
        replacements[id(before.entry)] = row.entry
        regrouped = regrouped or before.grouping != row.grouping
    if not replacements:
        return None  # nothing of the entries changed: something else did
    if regrouped and _grouping(regroup()) != plan.grouping:
        return None
    changed = [old for old in (plan.rows[rel].entry for rel, _ in rows) if id(old) in replacements]
    substitute = _Substitution(replacements)
    for old in changed:
        story = plan.story_of[old.path]
        new_story = substitute(story)
        lead = make_story(story.key, new_story.members, story.score, story.reason).lead
        if lead.path != story.lead.path:
            return None  # a tie in time, broken by text length, now goes the other way
    if substitute.failed:
        return None
    touched_pages = sorted({i for old in changed for i in plan.entry_pages.get(old.path, ())})
    touched_feeds = sorted({i for old in changed for i in plan.entry_feeds.get(old.path, ())})
    pages, feeds = list(plan.pages), list(plan.feeds)
    for i in touched_pages:
        page = pages[i]
        pages[i] = Page(page.output_path, page.template, substitute(page.context))
    for i in touched_feeds:
        feeds[i] = substitute(feeds[i])
    if substitute.failed:
        return None
    prints = Fingerprinter()
    page_prints, feed_prints = list(plan.page_prints), list(plan.feed_prints)
    for i in touched_pages:
        page_prints[i] = prints.of(fingerprint_salt, pages[i].template, pages[i].context)
    for i in touched_feeds:
        feed_prints[i] = prints.of(fingerprint_salt, "feed", feeds[i])
    story_of = dict(plan.story_of)
    for old in changed:
        for member in plan.story_of[old.path].members:
            story_of[member.path] = substitute(plan.story_of[old.path])
    return RememberedPlan(salt, dict(rows), pages, feeds, page_prints, feed_prints, plan.entry_pages,
                          plan.entry_feeds, story_of, plan.grouping)


def _same_but_body(old: Entry, new: Entry) -> bool:
    """Equal in every field but the body (repr: 1 and 1.0, or one moment in two offsets, differ)."""
    return repr(replace(old, body="", content_hash="")) == repr(replace(new, body="", content_hash=""))


_LEAVES = (str, int, float, bool, date, datetime, Markup, type(None))


class _Substitution:
    """A copy of a value with some entries replaced: dicts, lists, tuples and dataclasses that
    hold them are made anew (each once), everything else is shared. Anything it does not know
    how to look inside sets `failed`."""

    def __init__(self, replacements: Mapping[int, Entry]) -> None:
        self.replacements = replacements
        self.failed = False
        self._memo: dict[int, tuple[Any, Any]] = {}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, _LEAVES):
            return value
        known = self._memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        result = self._substitute(value)
        self._memo[id(value)] = (value, result)
        return result

    def _substitute(self, value: Any) -> Any:
        if type(value) is Entry:
            return self.replacements.get(id(value), value)
        if type(value) is dict:
            items = {k: self(v) for k, v in value.items()}
            return items if any(items[k] is not v for k, v in value.items()) else value
        if type(value) is list or type(value) is tuple:
            new = [self(v) for v in value]
            if all(a is b for a, b in zip(new, value, strict=True)):
                return value
            return new if type(value) is list else tuple(new)
        if is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for f in fields(value):
                if f.init:
                    item = getattr(value, f.name)
                    new_item = self(item)
                    if new_item is not item:
                        changes[f.name] = new_item
            return replace(value, **changes) if changes else value
        self.failed = True
        return value
