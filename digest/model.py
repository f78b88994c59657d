"""The data that flows between stages: frozen, created complete, never edited in place."""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One article as the curator wrote it in content/ (front matter + Markdown body)."""

    path: PurePosixPath  # relative to the site folder, e.g. content/2022/08/15/x.md
    title: str
    published: datetime  # timezone-aware
    slug: str
    body: str  # the Markdown source
    topic: str | None = None  # topic slug
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    source: str | None = None  # the publisher
    source_url: str | None = None
    summary: str | None = None
    key_points: tuple[str, ...] = ()
    image: str | None = None
    draft: bool = False
    story: str | None = None  # explicit story key chosen by the curator
    lead: bool = False  # the curator's choice of lead for its story
    extra: Mapping[str, Any] = field(default_factory=dict)  # unknown front matter keys
    content_hash: str = ""  # hash of the file's bytes, for the build cache
    head_hash: str = ""  # head_digest(): a hash of every field but the body (made when parsed)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its class, its path as a string and its other fields' values: the build cache
        # unpickles every entry's head at each full plan, and making the path again from its parts
        # (a dataclass's own pickling) was a fifth of that (10,000 heads: 0.084 -> 0.068 s of CPU, 9.3 -> 7.3 MB).
        names = _field_names(self.__class__)
        return _entry_from, (self.__class__, str(self.path), tuple(getattr(self, name) for name in names[1:]))


@dataclass(frozen=True)
class EntryHead(Entry):
    """An entry without its body (`body` is ""): what planning reads (organise, stories, the
    page plan, fingerprints: an entry counts by path and content hash), without the Markdown that
    only rendering reads. A build that plans the whole site for a few changed pages plans with
    heads, and hands the render stage full entries for the pages it renders (build.py)."""

    body_chars: int = 0  # len(body.strip()): a story's lead is chosen by text length on a tie in time

    @classmethod
    def of(cls, entry: Entry) -> EntryHead:
        if isinstance(entry, EntryHead):
            return entry
        return cls(**{**vars(entry), "body": "", "body_chars": len(entry.body.strip())})


# The fields of an entry whose values a page shows, in order; the body (and what is made of it or of the
# file's bytes) is apart: a page that shows no body changes only when one of these does (reuse/fingerprint.py)
HEAD_FIELDS = tuple(f.name for f in fields(Entry) if f.name not in ("body", "content_hash", "head_hash"))


def head_digest(entry: Entry | Mapping[str, Any]) -> str:
    """A hash of every field of the entry but its body (and the hashes): what a page that shows no
    body can show of it. `entry`: an entry, or its fields' values by name (as the parse has them,
    before it makes the entry: it stores the hash in Entry.head_hash; the fingerprints make it for
    an entry made without one)."""
    get = entry.__getitem__ if isinstance(entry, Mapping) else functools.partial(getattr, entry)
    values = tuple((name, get(name)) for name in HEAD_FIELDS)
    return hashlib.blake2b(repr(values).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def text_chars(entry: Entry) -> int:
    """Length of an entry's summary and body, stripped (heads keep the body's)."""
    body = entry.body_chars if isinstance(entry, EntryHead) else len(entry.body.strip())
    return len((entry.summary or "").strip()) + body


# The time of a draft written without a date (ingest could not find one): the epoch. Such a draft is
# not published even with --drafts (it has no edition to go in: it made /1970/01/01/ pages).
UNDATED = 0.0


def is_undated(entry: Entry) -> bool:
    """A draft without a date (see UNDATED)."""
    return entry.draft and entry.published.timestamp() == UNDATED


@dataclass(frozen=True)
class Story:
    """Entries from one or more sources reporting the same news."""

    key: str  # stable: does not change when a new source joins
    lead: Entry
    members: tuple[Entry, ...]  # lead first, then the rest by time
    score: float = 1.0  # how strongly the members were joined (1.0 for a single entry)
    reason: str = ""  # why they were joined: "curator", "similar: 0.71", "alone"

    @property
    def others(self) -> tuple[Entry, ...]:
        return self.members[1:]


# A story on real news can hold hundreds of reports (the story dev set's largest: 387). A page, a feed
# item or an e-mail names at most COVERAGE_SHOWN of its other reports ("and 370 more" for the rest), and a
# timeline (an article's, a feed item's) its first and last reports and TIMELINE_AROUND on each side of its
# own: every report's page listing every other one made a 20,000-headline site 2.1 GB, its build's render
# and stored plan grew with the square of a story's size, and a feed item of such a story was 54 KB.
COVERAGE_SHOWN = 12
TIMELINE_AROUND = 4


def reports_around(ordered: Sequence[Entry], start: int, stop: int) -> list[Entry | int]:
    """A story's reports in time order, cut to its first and last and TIMELINE_AROUND on each side of
    ordered[start:stop] (the report a page or a feed item is about: start to stop is its place, or the
    place it would have, empty, when `ordered` leaves it out); each cut a number, the reports left out
    there. A list short enough to show whole is returned whole."""
    if len(ordered) <= 2 * TIMELINE_AROUND + 3:
        return list(ordered)
    keep = sorted({0, len(ordered) - 1, *range(max(0, start - TIMELINE_AROUND),
                                             min(len(ordered), stop + TIMELINE_AROUND))})
    shown: list[Entry | int] = []
    for before, index in zip([-1, *keep], keep, strict=False):
        if index - before > 1:
            shown.append(index - before - 1)
        shown.append(ordered[index])
    return shown


@dataclass(frozen=True)
class TopicSection:
    """The stories of one topic inside an edition."""

    topic: Topic
    stories: tuple[Story, ...]


@dataclass(frozen=True)
class Edition:
    """Everything first published on one local day."""

    day: date
    sections: tuple[TopicSection, ...]
    followups: tuple[Followup, ...] = ()  # later developments of stories begun on an earlier day

    @property
    def stories(self) -> tuple[Story, ...]:
        return tuple(s for section in self.sections for s in section.stories)


@dataclass(frozen=True)
class Page:
    """One page to render: a template, its context, and where it goes."""

    output_path: str  # relative to output/, posix
    template: str
    context: Mapping[str, Any]


@dataclass(frozen=True)
class RenderedFile:
    output_path: str
    data: bytes


@dataclass(frozen=True)
class Followup:
    """An entry published on a later day than its story began: shown in its own edition."""

    entry: Entry
    story: Story


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    entries: tuple[Entry, ...]  # newest first


@dataclass(frozen=True)
class Site:
    """Everything the pages are made from, organised: the output of `organise`."""

    entries: tuple[Entry, ...]  # published ones, newest first
    stories: tuple[Story, ...]  # newest first (by the lead's time)
    story_of: Mapping[PurePosixPath, Story]
    editions: tuple[Edition, ...]  # newest first
    topics: tuple[Topic, ...]  # configured order; only those with entries
    topic_stories: Mapping[str, tuple[Story, ...]]  # topic slug -> stories, newest first
    tags: tuple[Tag, ...]  # by slug
    edition_day: Mapping[PurePosixPath, date]  # entry path -> its local day
    article_urls: Mapping[PurePosixPath, str]  # entry path -> its page's address (permalinks.entry_url)
    default_topic: str  # the topic of an entry that names none (config.default_topic)

    # Indexes that the reuse layer's choice of pages and the pages' plan both read: made once a site
    # (at 100,000 entries each pass over the entries took 0.1-0.2 s of an addition, made twice)

    @functools.cached_property
    def entries_by_day(self) -> dict[date, list[Entry]]:
        """Each local day's entries, newest first: an edition's articles, as its sitemap lists them."""
        by_day: dict[date, list[Entry]] = {}
        day_of = self.edition_day
        for entry in self.entries:
            day = day_of[entry.path]
            listed = by_day.get(day)
            if listed is None:
                by_day[day] = [entry]
            else:
                listed.append(entry)
        return by_day

    @functools.cached_property
    def topic_lists(self) -> tuple[dict[str, list[Entry]], dict[PurePosixPath, int]]:
        """Each topic's entries, newest first, and each entry's place in its topic's list: an article's
        related articles are those that follow it there (pages.related_reach of them, its story's left out)."""
        by_topic: dict[str, list[Entry]] = {}
        position: dict[PurePosixPath, int] = {}
        default = self.default_topic
        for entry in self.entries:
            topic = entry.topic or default
            listed = by_topic.get(topic)
            if listed is None:
                listed = by_topic[topic] = []
            position[entry.path] = len(listed)
            listed.append(entry)
        return by_topic, position


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type[Entry]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
        assert names[0] == "path"
    return names


def _entry_from(kind: type[Entry], path: str, values: tuple[Any, ...]) -> Entry:
    """An Entry (or EntryHead) from Entry.__reduce__'s values; made as the class makes it."""
    entry = object.__new__(kind)
    entry.__dict__.update(zip(_field_names(kind), (entry_path(path), *values), strict=True))
    return entry


def entry_path(text: str) -> PurePosixPath:
    """PurePosixPath(text), for an entry's path as the cache keeps it (str of a PurePosixPath:
    relative, parts joined by single slashes). A plan of the whole site makes one for every entry
    (100,000 at 100,000 entries): on Python 3.11 it is made from its parts without parsing the
    text again, and with its text already known (str of it is then a lookup): 0.14 s against
    0.31 s for 100,000 paths, in as much memory. A text of any other shape is parsed as
    PurePosixPath parses it."""
    if _FROM_PARTS is None:
        return PurePosixPath(text)
    parts = text.split("/")
    if "" in parts or "." in parts:  # absolute, doubled or trailing slashes, "." parts: parse
        return PurePosixPath(text)
    path = _FROM_PARTS("", "", list(map(sys.intern, parts)))  # interned, as pathlib's parts (memory)
    path._str = text  # type: ignore[attr-defined]  # what str(path) would make
    return path


# PurePosixPath made from parsed parts: pathlib's own constructor on 3.11 (3.12 reworked pathlib)
_FROM_PARTS = getattr(PurePosixPath, "_from_parsed_parts", None) if sys.version_info[:2] == (3, 11) else None
