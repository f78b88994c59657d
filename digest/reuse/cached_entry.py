"""An entry as the build cache holds it (CachedEntry): the small columns in memory, the parse, its
head (the parse without the body: model.EntryHead), its listing (what organising the whole site
reads of it: ListedHead) and story features fetched from the cache's row and unpickled only when
used. Once unpickled, an entry is a plain value; a ListedHead alone reads the rest of its head
from the cache, the first time a field beyond its listing is asked for.
"""

from __future__ import annotations

import pickle
from dataclasses import fields
from typing import Any, Protocol

from digest.model import Entry, EntryHead, entry_path

Blobs = tuple[bytes | None, bytes | None, bytes | None]  # the entry, its features, its head: pickled

# What organising, grouping and planning the whole site read of every entry (besides its path):
# the rest (title, summary, authors, ...) only of the entries on the pages planned. Measured at
# 10,000 entries: the heads of an addition's plan unpickled in 0.17 s, these in 0.04 s.
LISTING_FIELDS = ("published", "slug", "topic", "tags", "draft", "story", "lead", "content_hash", "head_hash")


class RowSource(Protocol):
    """Where a CachedEntry's row is read from (cache.BuildCache)."""

    def entry_blobs(self, path: str, content_hash: str, heads: bool = False) -> Blobs | None: ...


class StaleEntry(LookupError):
    """A cached entry's parse was asked for after its row was replaced by a newer version."""


class CachedEntry:
    """One entry file's parse and story features. From a cache row only the small columns are
    read; the parse and features are fetched and unpickled when used (a build that finds
    nothing changed, or only an entry's body, needs only the columns and a few entries)."""

    __slots__ = ("mtime_ns", "size", "content_hash", "published", "draft", "grouping", "_entry", "_features",
                 "_head", "_entry_blob", "_features_blob", "_head_blob", "_stored", "_listing_blob", "_listed")

    def __init__(self, mtime_ns: int, size: int, content_hash: str, published: float, draft: bool, grouping: str,
                 entry: Entry | None = None, features: Any = None,
                 blobs: Blobs = (None, None, None), stored: tuple[RowSource, str] | None = None,
                 head: EntryHead | None = None) -> None:
        self.mtime_ns = mtime_ns
        self.size = size
        self.content_hash = content_hash
        self.published = published  # the entry's time as a POSIX timestamp
        self.draft = draft
        self.grouping = grouping  # stories.grouping_token: what story grouping reads of the entry
        self._entry = entry
        self._features = features
        self._head = head
        # The entry, features and head pickled, as fetched from the cache; each let go once unpickled (memory)
        self._entry_blob, self._features_blob, self._head_blob = blobs
        self._stored = stored  # (cache, path) to fetch them from, while its row has this content hash
        self._listing_blob: bytes | None = None  # the listing, as fetched from the cache (see listed)
        self._listed: ListedHead | None = None  # made from it (the same one each time it is asked for)

    @classmethod
    def of(cls, mtime_ns: int, size: int, entry: Entry, features: Any, grouping: str) -> CachedEntry:
        """A row for an entry just parsed; `grouping` is stories.grouping_token(entry, features)."""
        return cls(mtime_ns, size, entry.content_hash, entry.published.timestamp(), entry.draft, grouping, entry,
                   features)

    def columns_only(self) -> CachedEntry:
        """This row without its parse and features (once they are written into the cache)."""
        return CachedEntry(self.mtime_ns, self.size, self.content_hash, self.published, self.draft, self.grouping)

    def stored_in(self, cache: RowSource, path: str) -> CachedEntry:
        """A columns_only() row whose parse is read from this row of the cache when used."""
        return CachedEntry(self.mtime_ns, self.size, self.content_hash, self.published, self.draft, self.grouping,
                           stored=(cache, path))

    def moved(self, mtime_ns: int, size: int) -> CachedEntry:
        """The same content under a new mtime (a file touched but not changed)."""
        return CachedEntry(mtime_ns, size, self.content_hash, self.published, self.draft, self.grouping,
                           self._entry, self._features, (self._entry_blob, self._features_blob, self._head_blob),
                           self._stored, self._head)

    @property
    def loaded(self) -> bool:
        """Whether the parse is in memory (or fetched, waiting to be unpickled)."""
        return self._entry is not None or self._entry_blob is not None

    @property
    def has_head(self) -> bool:
        """Whether the head (or the whole parse) is in memory or fetched."""
        return self.loaded or self._head is not None or self._head_blob is not None

    @property
    def head_loaded(self) -> bool:
        """Whether the head (or the whole parse) and the features are in memory or fetched."""
        return self.has_head and (self._features is not None or self._features_blob is not None)

    def _fetch(self, heads: bool = False) -> None:
        """The pickles of what is not unpickled, from the cache row (`heads`: not the whole parse)."""
        if self._stored is None:
            raise StaleEntry("an entry with neither its parse nor a cache row")
        cache, path = self._stored
        blobs = cache.entry_blobs(path, self.content_hash, heads)
        if blobs is None:
            raise StaleEntry(path)
        self.fill(blobs)

    def fill(self, blobs: Blobs) -> None:
        """Take the pickles fetched from the row (None: not fetched) of what is not unpickled yet."""
        entry, features, head = blobs
        if self._entry is None and entry is not None:
            self._entry_blob = entry
        if self._features is None and features is not None:
            self._features_blob = features
        if self._head is None and head is not None:
            self._head_blob = head

    @property
    def entry(self) -> Entry:
        if self._entry is None:
            if self._entry_blob is None:
                self._fetch()
            self._entry = pickle.loads(self._entry_blob)  # type: ignore[arg-type]  # _fetch set it
            self._entry_blob = None
        return self._entry

    @property
    def head(self) -> EntryHead:
        """The entry without its body (what planning reads), unpickled from its own, smaller pickle."""
        if self._head is None:
            if self._entry is not None or (self._head_blob is None and self._entry_blob is not None):
                self._head = EntryHead.of(self.entry)
            else:
                if self._head_blob is None:
                    self._fetch(heads=True)  # its head and features, not the whole parse
                self._head = pickle.loads(self._head_blob)  # type: ignore[arg-type]  # _fetch set it
            self._head_blob = None
        return self._head

    def fill_listing(self, blob: bytes | None) -> None:
        """Take the listing fetched from the row (BuildCache.fill_listings)."""
        if not self.has_listing:
            self._listing_blob = blob

    @property
    def has_listing(self) -> bool:
        """Whether `listed` needs nothing from the cache: the listing or the head is in memory or fetched."""
        return self._listed is not None or self._listing_blob is not None or self.has_head

    def listed(self, path: str) -> EntryHead:
        """The entry's head as organising the whole site reads it: its path and LISTING_FIELDS
        unpickled, the rest fetched when first asked for (a ListedHead, the same one each time).
        The head itself when it, or the whole parse, is in memory or fetched first. `path`: the
        entry file's, as the row's."""
        if self._listed is None:
            if self._listing_blob is None or self.has_head:
                return self.head
            self._listed = ListedHead.from_listing(path, pickle.loads(self._listing_blob), self)
            self._listing_blob = None
        return self._listed

    @property
    def features(self) -> Any:
        if self._features is None and (self._features_blob is not None or self._stored is not None):
            try:
                if self._features_blob is None:
                    self._fetch(heads=True)  # its features, not the whole parse
            except StaleEntry:
                return None  # computed afresh by whoever needs them
            self._features = pickle.loads(self._features_blob)  # type: ignore[arg-type]  # _fetch set it
            self._features_blob = None
        return self._features

    @property
    def features_pickle(self) -> bytes | None:
        """The features as fetched from the row, when they are not unpickled yet (else None)."""
        return self._features_blob if self._features is None else None

    def forget_listing(self) -> None:
        """Let the listing go (after a one-shot build planned the whole site with it): read again if
        asked for; the pages planned keep the ListedHead of each entry they show."""
        self._listed = self._listing_blob = None

    def forget_features(self) -> None:
        """Let the features go (after grouping, in a one-shot build); fetched again if asked for."""
        self._features = self._features_blob = None

    def blobs(self) -> tuple[bytes, bytes, bytes, bytes]:
        """The entry, its features, its head and its listing, pickled (to be stored)."""
        if self._entry is None and self._entry_blob is None:
            self._fetch()
        entry = self._entry_blob if self._entry_blob is not None else pickle.dumps(self.entry, pickle.HIGHEST_PROTOCOL)
        features = self._features_blob if self._features_blob is not None else pickle.dumps(
            self.features, pickle.HIGHEST_PROTOCOL)
        head = self._head_blob if self._head_blob is not None else pickle.dumps(self.head, pickle.HIGHEST_PROTOCOL)
        return entry, features, head, listing_pickle(self.head)


def listing_pickle(head: Entry) -> bytes:
    """What ListedHead keeps of an entry, pickled (the values of LISTING_FIELDS, in order)."""
    return pickle.dumps(tuple(getattr(head, name) for name in LISTING_FIELDS), pickle.HIGHEST_PROTOCOL)


class _Completing:
    """A field of ListedHead outside its listing: asked for, the head is completed from the
    cache, and the value is read from the instance from then on (a non-data descriptor: the
    instance's own value, once there, is found first)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, head: ListedHead | None, owner: type | None = None) -> Any:
        if head is None:
            return self
        head.complete()
        return head.__dict__[self.name]


class ListedHead(EntryHead):
    """An EntryHead of which only the path and LISTING_FIELDS are in memory: the first time
    another field is asked for, the whole head is read from the cache row it came from (and
    every field is in memory from then on). It counts, compares and pickles as the head: plan
    units refer to it by path (plan_patch), fingerprints read its path and content hash."""

    __slots__ = ("_row",)
    _row: CachedEntry | None  # the row to read the rest of the head from, until it is read

    @classmethod
    def from_listing(cls, path: str, listing: tuple[Any, ...], row: CachedEntry | None) -> ListedHead:
        head = object.__new__(cls)
        head.__dict__.update(zip(LISTING_FIELDS, listing, strict=True))
        head.__dict__["path"] = entry_path(path)
        object.__setattr__(head, "_row", row)
        return head

    def complete(self) -> None:
        """Every field of the head, read from the cache row (once)."""
        row = self._row
        if row is not None:
            whole = row.head
            for name in _OTHER_FIELDS:
                self.__dict__[name] = getattr(whole, name)
            object.__setattr__(self, "_row", None)

    def __reduce__(self) -> tuple[Any, ...]:
        self.complete()  # pickled as the head it stands for
        return EntryHead(**{f.name: getattr(self, f.name) for f in fields(EntryHead)}).__reduce__()


_OTHER_FIELDS = tuple(f.name for f in fields(EntryHead) if f.name != "path" and f.name not in LISTING_FIELDS)
for _name in _OTHER_FIELDS:
    setattr(ListedHead, _name, _Completing(_name))
del _name
