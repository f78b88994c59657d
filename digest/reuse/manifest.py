"""An output tree's manifest (output path -> fingerprint of its content), kept in chunks: each path
belongs to one of a fixed number of chunks (a hash of the path), each chunk is named by a digest of
its content, and two trees share the chunks they have in common. What differs between two
manifests is found by comparing chunk names, and only the chunks that differ are read.

At 100,000 entries a manifest holds 128,000 files. Read, walked and written whole, it cost an
edit 0.7 s of 2.9 (two trees' manifests unmarshalled, the new one compared file by file with the
spare's and the live one's, and marshalled again); a build now touches the chunks its pages fall
in, about one per page it changed.

The search's files (under `pagefind/`) have chunks of their own, so that the pages alone (what a
plan makes) and the search's files (what the search index makes afresh) are swapped separately.
"""

from __future__ import annotations

import hashlib
import marshal
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

PAGE_CHUNKS = 1024  # chunks of the pages and feeds (about 125 files each at 100,000 entries)
SEARCH_CHUNKS = 256  # chunks of the search's files
CHUNKS = PAGE_CHUNKS + SEARCH_CHUNKS
_ALL, _PAGES, _SEARCH = range(CHUNKS), range(PAGE_CHUNKS), range(PAGE_CHUNKS, CHUNKS)  # chunk indexes
SEARCH_PREFIX = "pagefind/"  # digest.search.BUNDLE's folder (the cache store imports no stage)
SEARCH_SEGMENT_FOLDER = f"{SEARCH_PREFIX}segments/"  # digest.search.SEGMENT_FOLDER

Chunk = dict[str, str]
ChunkSource = Callable[[list[bytes]], dict[bytes, Chunk]]  # chunk names -> their chunks (the cache)


class MissingChunk(LookupError):
    """A chunk a manifest names is no longer in the cache (the tree's record was replaced)."""


def chunk_of(rel: str) -> int:
    if rel.startswith(SEARCH_PREFIX):
        if rel.startswith(SEARCH_SEGMENT_FOLDER):
            # A segment's files together (a thousand at most): a segment added or dropped changes
            # one chunk, not every search chunk (see trees.with_search)
            segment = rel[len(SEARCH_SEGMENT_FOLDER):].split("/", 1)[0]
            return PAGE_CHUNKS + zlib.crc32(segment.encode()) % SEARCH_CHUNKS
        return PAGE_CHUNKS + zlib.crc32(rel.encode()) % SEARCH_CHUNKS
    return zlib.crc32(rel.encode()) % PAGE_CHUNKS


def chunk_name(chunk: Chunk) -> bytes:
    """The name of a chunk: a digest of its content, independent of its order."""
    return hashlib.blake2b(marshal.dumps(sorted(chunk.items())), digest_size=16).digest()


EMPTY_NAME = chunk_name({})


class Manifest(Mapping[str, str]):
    """Output path -> fingerprint, read a chunk at a time from `source` when first asked for.
    Immutable: `updated` and `with_search` make new manifests that share the unchanged chunks."""

    __slots__ = ("names", "_chunks", "_source", "made", "_whole")

    def __init__(self, names: tuple[bytes, ...], chunks: dict[int, Chunk] | None = None,
                 source: ChunkSource | None = None, made: dict[bytes, Chunk] | None = None) -> None:
        assert len(names) == CHUNKS
        self.names = names
        self._chunks: dict[int, Chunk] = chunks if chunks is not None else {}
        self._source = source
        self.made: dict[bytes, Chunk] = made if made is not None else {}  # chunks made here, not stored yet
        self._whole: dict[str, str] | None = None

    @classmethod
    def of(cls, files: Mapping[str, str]) -> Manifest:
        if isinstance(files, Manifest):
            return files
        chunks: list[Chunk] = [{} for _ in range(CHUNKS)]
        for rel, value in files.items():
            chunks[chunk_of(rel)][rel] = value
        names = tuple(chunk_name(chunk) for chunk in chunks)
        made = {name: chunk for name, chunk in zip(names, chunks, strict=True) if chunk}
        return cls(names, dict(enumerate(chunks)), None, made)

    @classmethod
    def stored(cls, names: tuple[bytes, ...], source: ChunkSource) -> Manifest:
        return cls(names, None, source)

    # -- reading -------------------------------------------------------------------------
    def chunk(self, index: int) -> Chunk:
        found = self._chunks.get(index)
        if found is None:
            self._load([index])
            found = self._chunks[index]
        return found

    def _load(self, indexes: Iterable[int]) -> None:
        wanted = [k for k in indexes if k not in self._chunks]
        if not wanted:
            return
        names = {self.names[k] for k in wanted} - {EMPTY_NAME}
        read = self._source(sorted(names)) if names and self._source is not None else {}
        for k in wanted:
            name = self.names[k]
            if name == EMPTY_NAME:
                self._chunks[k] = {}
            elif name in read:
                self._chunks[k] = read[name]
            elif name in self.made:
                self._chunks[k] = self.made[name]
            else:
                raise MissingChunk(name.hex())

    def __getitem__(self, rel: str) -> str:
        return self.chunk(chunk_of(rel))[rel]

    def get(self, rel: str, default: Any = None) -> Any:  # type: ignore[override]
        return self.chunk(chunk_of(rel)).get(rel, default)

    def __contains__(self, rel: object) -> bool:
        return isinstance(rel, str) and rel in self.chunk(chunk_of(rel))

    def __iter__(self) -> Iterator[str]:
        self._load(range(CHUNKS))
        for k in range(CHUNKS):
            yield from self._chunks[k]

    def __len__(self) -> int:
        self._load(range(CHUNKS))
        return sum(len(self._chunks[k]) for k in range(CHUNKS))

    def items(self) -> Iterator[tuple[str, str]]:  # type: ignore[override]
        self._load(range(CHUNKS))
        for k in range(CHUNKS):
            yield from self._chunks[k].items()

    def as_dict(self) -> dict[str, str]:
        """Every item in one dict (made once): for a caller that looks up most paths (an addition's
        touched pages at 100,000: 128,000 lookups through the chunks 0.08 s, this dict made and
        looked up 0.04-0.06 s)."""
        if self._whole is None:
            self._load(range(CHUNKS))
            whole: dict[str, str] = {}
            for k in range(CHUNKS):
                whole.update(self._chunks[k])
            self._whole = whole
        return self._whole

    def _differing(self, others: Iterable[Manifest], indexes: Iterable[int]) -> list[int]:
        """The chunks (among `indexes`) whose name differs from every other manifest's."""
        names = [other.names for other in others]
        found = [k for k in indexes if all(self.names[k] != other[k] for other in names)]
        self._load(found)
        return found

    def _unlike(self, others: Iterable[Manifest], indexes: range) -> Iterator[Chunk]:
        """The chunks (among `indexes`) whose name differs from every other manifest's, read lazily:
        an item of a chunk that another has alike is in it, with the same value."""
        for k in self._differing(others, indexes):
            yield self._chunks[k]

    def items_unlike(self, *others: Manifest) -> Iterator[tuple[str, str]]:
        """Every item of this manifest that could be absent from, or other in, each of `others`."""
        return (item for chunk in self._unlike(others, _ALL) for item in chunk.items())

    def keys_unlike(self, other: Manifest) -> Iterator[str]:
        """The paths that could be absent from `other` (as items_unlike)."""
        return (rel for chunk in self._unlike([other], _ALL) for rel in chunk)

    def search_items_unlike(self, other: Manifest) -> Iterator[tuple[str, str]]:
        """items_unlike, of the search's files only."""
        return (item for chunk in self._unlike([other], _SEARCH) for item in chunk.items())

    def search_keys_unlike(self, other: Manifest) -> Iterator[str]:
        """keys_unlike, of the search's files only."""
        return (rel for chunk in self._unlike([other], _SEARCH) for rel in chunk)

    def page_items_unlike(self, other: Manifest) -> Iterator[tuple[str, str]]:
        """items_unlike, of the pages and feeds only."""
        return (item for chunk in self._unlike([other], _PAGES) for item in chunk.items())

    def page_keys_unlike(self, other: Manifest) -> Iterator[str]:
        """keys_unlike, of the pages and feeds only."""
        return (rel for chunk in self._unlike([other], _PAGES) for rel in chunk)

    # -- the pages and the search's files ------------------------------------------------
    def same_pages(self, other: Manifest) -> bool:
        return self.names[:PAGE_CHUNKS] == other.names[:PAGE_CHUNKS]

    def pages_key(self) -> str:
        """A key of the pages and feeds (paths and fingerprints): the same for two manifests that
        have the same (the names of their chunks, which are digests of their content)."""
        return hashlib.blake2b(b"".join(self.names[:PAGE_CHUNKS]), digest_size=16).hexdigest()

    def has_search(self) -> bool:
        return any(name != EMPTY_NAME for name in self.names[PAGE_CHUNKS:])

    def search_files(self) -> dict[str, str]:
        self._load(range(PAGE_CHUNKS, CHUNKS))
        return {rel: value for k in range(PAGE_CHUNKS, CHUNKS) for rel, value in self._chunks[k].items()}

    # -- new manifests -------------------------------------------------------------------
    def updated(self, changes: Mapping[str, str], removed: Iterable[str] = (), search: bool = True) -> Manifest:
        """This manifest with `changes` set and `removed` gone (and without the search's files
        unless `search`); unchanged chunks are shared."""
        names = list(self.names)
        chunks = {k: chunk for k, chunk in self._chunks.items() if search or k < PAGE_CHUNKS}
        made = dict(self.made)
        if not search:
            names[PAGE_CHUNKS:] = [EMPTY_NAME] * SEARCH_CHUNKS
            for k in range(PAGE_CHUNKS, CHUNKS):
                chunks[k] = {}
        edits: dict[int, list[tuple[str, str | None]]] = {}
        for rel, value in changes.items():
            edits.setdefault(chunk_of(rel), []).append((rel, value))
        for rel in removed:
            edits.setdefault(chunk_of(rel), []).append((rel, None))
        if edits:
            self._load(k for k in edits if k not in chunks)
        for k, chunk_edits in edits.items():
            chunk = dict(chunks[k] if k in chunks else self._chunks[k])
            for rel, edit in chunk_edits:
                if edit is None:
                    chunk.pop(rel, None)
                else:
                    chunk[rel] = edit
            name = chunk_name(chunk)
            names[k] = name
            chunks[k] = chunk
            if name != EMPTY_NAME:
                made[name] = chunk
        return Manifest(tuple(names), chunks, self._source, made)

    def with_search_of(self, other: Manifest) -> Manifest:
        """The pages of this manifest with the search's files of `other` (their chunks shared)."""
        names = self.names[:PAGE_CHUNKS] + other.names[PAGE_CHUNKS:]
        chunks = {k: chunk for k, chunk in self._chunks.items() if k < PAGE_CHUNKS}
        chunks.update((k, chunk) for k, chunk in other._chunks.items() if k >= PAGE_CHUNKS)
        made = dict(self.made)
        made.update((name, other.made[name]) for name in other.names[PAGE_CHUNKS:] if name in other.made)
        source = self._source or other._source
        if other._source is not None and other._source is not self._source and any(
                k not in chunks for k in range(PAGE_CHUNKS, CHUNKS)):
            other._load(range(PAGE_CHUNKS, CHUNKS))  # read where `other` reads from, while it can
            chunks.update((k, other._chunks[k]) for k in range(PAGE_CHUNKS, CHUNKS))
        return Manifest(names, chunks, source, made)

    def with_search(self, files: Mapping[str, str]) -> Manifest:
        """The pages of this manifest with these search files in place of its own."""
        search: list[Chunk] = [{} for _ in range(SEARCH_CHUNKS)]
        for rel, value in files.items():
            if not rel.startswith(SEARCH_PREFIX):
                raise ValueError(f"not a search file: {rel}")
            search[chunk_of(rel) - PAGE_CHUNKS][rel] = value
        names = list(self.names[:PAGE_CHUNKS])
        chunks = {k: chunk for k, chunk in self._chunks.items() if k < PAGE_CHUNKS}
        made = dict(self.made)
        for k, chunk in enumerate(search, PAGE_CHUNKS):
            name = chunk_name(chunk)
            names.append(name)
            chunks[k] = chunk
            if chunk:
                made[name] = chunk
        return Manifest(tuple(names), chunks, self._source, made)


EMPTY = Manifest((EMPTY_NAME,) * CHUNKS)
