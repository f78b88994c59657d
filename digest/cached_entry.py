"""An entry as the build cache holds it (CachedEntry): the small columns in memory, the parse and
story features fetched from the cache's row and unpickled only when used; and an entry's body
kept in that row instead of in memory (BodyInCache), read back by the process that uses it.
"""

from __future__ import annotations

import functools
import os
import pickle
import sqlite3
from pathlib import Path
from typing import Any, Protocol

from digest.errors import ContentError
from digest.model import Entry


class RowSource(Protocol):
    """Where a CachedEntry's row is read from (cache.BuildCache)."""

    path: Path  # the cache file, absolute

    def entry_blobs(self, path: str, content_hash: str) -> tuple[bytes, bytes] | None: ...


class StaleEntry(LookupError):
    """A cached entry's parse was asked for after its row was replaced by a newer version."""


class CachedEntry:
    """One entry file's parse and story features. From a cache row only the small columns are
    read; the parse and features are fetched and unpickled when used (a build that finds
    nothing changed, or only an entry's body, needs only the columns and a few entries)."""

    __slots__ = ("mtime_ns", "size", "content_hash", "published", "draft", "grouping", "_entry", "_features",
                 "_entry_blob", "_features_blob", "_stored")

    def __init__(self, mtime_ns: int, size: int, content_hash: str, published: float, draft: bool, grouping: str,
                 entry: Entry | None = None, features: Any = None,
                 blobs: tuple[bytes | None, bytes | None] = (None, None),
                 stored: tuple[RowSource, str] | None = None) -> None:
        self.mtime_ns = mtime_ns
        self.size = size
        self.content_hash = content_hash
        self.published = published  # the entry's time as a POSIX timestamp
        self.draft = draft
        self.grouping = grouping  # stories.grouping_token: what story grouping reads of the entry
        self._entry = entry
        self._features = features
        # The entry and features pickled, as fetched from the cache; each let go once unpickled (memory)
        self._entry_blob, self._features_blob = blobs
        self._stored = stored  # (cache, path) to fetch them from, while its row has this content hash

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
                           self._entry, self._features, (self._entry_blob, self._features_blob), self._stored)

    @property
    def loaded(self) -> bool:
        """Whether the parse is in memory (or fetched, waiting to be unpickled)."""
        return self._entry is not None or self._entry_blob is not None

    def _fetch(self) -> None:
        """The pickles of what is not unpickled, from the cache row."""
        if self._stored is None:
            raise StaleEntry("an entry with neither its parse nor a cache row")
        cache, path = self._stored
        blobs = cache.entry_blobs(path, self.content_hash)
        if blobs is None:
            raise StaleEntry(path)
        self.fill(blobs)

    def fill(self, blobs: tuple[bytes, bytes]) -> None:
        if self._entry is None:
            self._entry_blob = blobs[0]
        if self._features is None:
            self._features_blob = blobs[1]

    @property
    def entry(self) -> Entry:
        if self._entry is None:
            if self._entry_blob is None:
                self._fetch()
            self._entry = pickle.loads(self._entry_blob)  # type: ignore[arg-type]  # _fetch set it
            self._entry_blob = None
        return self._entry

    @property
    def features(self) -> Any:
        if self._features is None and (self._features_blob is not None or self._stored is not None):
            try:
                if self._features_blob is None:
                    self._fetch()
            except StaleEntry:
                return None  # computed afresh by whoever needs them
            self._features = pickle.loads(self._features_blob)  # type: ignore[arg-type]  # _fetch set it
            self._features_blob = None
        return self._features

    def keep_body_in_cache(self, cache: RowSource) -> None:
        """Let the entry's body go from memory: it is read back from this row of the cache where it
        is used (the row is committed, and has this content hash: update_entries ran first)."""
        if self._entry is not None and self._entry.body_in_memory:
            self._entry.keep_body_in(BodyInCache(cache.path, str(self._entry.path), self.content_hash))

    def forget_features(self) -> None:
        """Let the features go (after grouping, in a one-shot build); fetched again if asked for."""
        self._features = self._features_blob = None

    def blobs(self) -> tuple[bytes, bytes]:
        if self._entry is None and self._entry_blob is None:
            self._fetch()
        entry = self._entry_blob if self._entry_blob is not None else pickle.dumps(self.entry, pickle.HIGHEST_PROTOCOL)
        features = self._features_blob if self._features_blob is not None else pickle.dumps(
            self.features, pickle.HIGHEST_PROTOCOL)
        return entry, features


class BodyInCache:
    """An entry's body kept in its row of the build cache (model.KeptBody), read back by path
    and content hash through a connection of the reading process's own (the render workers are
    forked: a connection must never cross a fork)."""

    __slots__ = ("cache", "path", "content_hash")

    def __init__(self, cache: Path, path: str, content_hash: str) -> None:
        self.cache = cache  # absolute (BuildCache.path)
        self.path = path
        self.content_hash = content_hash

    def load(self) -> str:
        return _body_in_cache(self.cache, self.path, self.content_hash)


@functools.lru_cache(maxsize=64)  # a page reads its entry's body twice (HTML, reading time)
def _body_in_cache(cache: Path, path: str, content_hash: str) -> str:
    key = (os.getpid(), cache)
    reader = _READERS.get(key)
    if reader is None:
        reader = _READERS[key] = sqlite3.connect(cache, check_same_thread=False)
    rows = reader.execute("SELECT entry FROM entries WHERE path = ? AND hash = ?", (path, content_hash)).fetchall()
    if not rows:  # (all rows fetched: an unfinished statement would keep this reader on an old snapshot)
        raise ContentError("the build cache lost this entry while the site was being built", path,
                           hint="another digest build may have run at the same time: build again")
    body: str = pickle.loads(rows[0][0]).body
    return body


def close_readers(cache: Path) -> None:
    """This process's reader of that cache (when the cache is closed: it may be replaced)."""
    reader = _READERS.pop((os.getpid(), cache), None)
    if reader is not None:
        reader.close()


_READERS: dict[tuple[int, Path], sqlite3.Connection] = {}
