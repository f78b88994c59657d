"""content/ -> the entries as the build cache knows them: each entry file's row (CachedEntry),
parsed anew (load.parse_files) only when its bytes changed, by parsing workers that store the rows
they parse in the cache themselves; which rows are published; and the key of a set of entries.
This is load.py's reuse: the same entries, without parsing what an earlier build parsed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, overload

from digest.collector import collector_paused
from digest.config import Config
from digest.entry_file import content_hash
from digest.entry_walk import PUBLISHED_FROM, entry_files
from digest.errors import BuildFailed, ContentWarning, DigestError
from digest.load import PARALLEL_PARSE, edited_files, found_after, parse_files, split_warnings
from digest.model import UNDATED, Entry
from digest.reuse.cache import BuildCache, store_entries
from digest.reuse.cached_entry import CachedEntry
from digest.stories import FEATURES_VERSION, entry_features, grouping_token
from digest.workers import forks, in_worker, in_workers

HEADS_KEPT = 64  # at most this many entries changed or removed: their heads as they were are read (refresh)

Rows = list[tuple[str, CachedEntry]]  # (entry file relative to the site, its row), in path order
RowChange = tuple[str, CachedEntry | None, CachedEntry | None]  # (entry file, its row before, its row now)


@dataclass(frozen=True)
class Found:
    """What EntryRows.refresh found: every entry's row, and what parsing said."""

    rows: Rows
    parsed: frozenset[str]  # the entry files parsed anew
    warnings: list[ContentWarning]
    # When the only rows that may differ from the last refresh's are these (entry files edited in
    # place: EntryRows._refresh_edited), each with its row before; else None
    edited: Sequence[tuple[str, CachedEntry, CachedEntry]] | None = None
    # Every row that is not the last refresh's (a file parsed anew or touched, one come or gone), with
    # its row before and now (None: not there); None when not told (a refresh of edited files only)
    changes: Sequence[RowChange] | None = None


class EntryRows:
    """The cache's entry rows, kept in memory from one build to the next (a long-lived Builder's),
    with the entry files found by the last build."""

    def __init__(self) -> None:
        self.rows: dict[str, CachedEntry] = {}  # as the last refresh (or read) left them
        self.found: tuple[Path, list[tuple[str, int, int]]] | None = None  # the last entry_files()
        # The last refresh's Found.rows, and where each entry file is in it (made when first needed)
        self._ordered: Rows | None = None
        self._places: dict[str, int] | None = None

    def read(self, cache: BuildCache) -> None:
        """Every row's small columns, from the cache (its parses are fetched when used)."""
        with collector_paused():  # reading 10,000s of rows makes only objects that live on
            self.rows = cache.entries()
        self._ordered = self._places = None

    def refresh(self, config: Config, cache: BuildCache, changed: list[Path] | None, jobs: int | None,
                listed: list[tuple[str, int, int]] | None = None,
                meanwhile: Callable[[], object] | None = None) -> Found:
        """Every entry, parsed anew only when its bytes changed; the cache updated row by row.
        `changed`: the files changed since the last refresh, when the caller knows them (entry files
        are then looked at only there). `listed`: entry_files() of the content folder, when the
        caller has it. `meanwhile()`: called while forked workers parse, if they do. Every bad entry
        is reported (BuildFailed) before anything is built."""
        known = self.rows
        found = listed
        if found is None and changed is not None and self.found is not None and self.found[0] == config.content_path:
            if self.index_places():
                assert self._places is not None
                edited = edited_files(self._places, config, changed)
                if edited is not None:
                    return self._refresh_edited(config, cache, edited, jobs)
            found = found_after(self.found[1], config, changed)
        if found is None:
            found = entry_files(config.content_path)
        self.found = (config.content_path, found)
        fresh: dict[str, CachedEntry] = {}
        to_parse: list[tuple[str, int, int]] = []
        # Every row that is not the last refresh's, noted as the walk goes (at 100,000 entries a pass over
        # every row to find them again took 0.06-0.08 s of an addition): those touched, then those parsed
        changes: list[RowChange] = []
        still_there = 0  # the rows of before that have their file still
        for rel, mtime_ns, size in found:
            cached = known.get(rel)
            if cached is None:
                to_parse.append((rel, mtime_ns, size))
                continue
            still_there += 1
            if cached.mtime_ns == mtime_ns and cached.size == size:
                fresh[rel] = cached
            elif _same_bytes(config.site_root / rel, cached.content_hash):
                fresh[rel] = moved = cached.moved(mtime_ns, size)  # touched, not changed
                changes.append((rel, cached, moved))
            else:
                to_parse.append((rel, mtime_ns, size))
        parsed, warnings, stored = _parse_anew(config, cache, known, to_parse, jobs, meanwhile)
        fresh.update(parsed)
        changes += ((rel, known.get(rel), row) for rel, row in parsed.items())
        removed = [rel for rel in known if rel not in fresh] if still_there < len(known) else []
        changes += ((rel, known[rel], None) for rel in removed)
        replaced = [(rel, was) for rel, was, row in changes
                    if was is not None and (row is None or row.content_hash != was.content_hash)]
        if 0 < len(replaced) <= HEADS_KEPT:
            # The heads of entries as they were, read before their rows go: a plan of the recent
            # entries organises the site as it was too (reuse/recent.py)
            cache.fill(replaced, heads=True, features=False)
        if changes:
            cache.update_entries(((rel, row) for rel, _, row in changes if row is not None and rel not in stored),
                                 removed)
        self.rows = fresh
        self._ordered, self._places = [(rel, fresh[rel]) for rel, _, _ in found], None
        return Found(self._ordered, frozenset(parsed), warnings, changes=changes)

    def index_places(self) -> bool:
        """Make, once, the index of where each entry file is in the last refresh's rows (a long-lived
        Builder's idle time does: 0.03 s at 100,000 entries); False when no refresh made rows."""
        if self._ordered is None:
            return False
        if self._places is None:
            self._places = places_of(self._ordered)
        return True

    def _refresh_edited(self, config: Config, cache: BuildCache, edited: Mapping[str, tuple[int, int]],
                        jobs: int | None) -> Found:
        """refresh() when the only entry files changed are these, edited in place (a long-lived
        Builder told so by its watcher): the other rows are not looked at again (at 100,000 entries
        three passes over every row took 0.1 s of each edit in the dev server)."""
        assert self.found is not None and self._ordered is not None and self._places is not None
        known, places = self.rows, self._places
        found = list(self.found[1])
        for rel, (mtime_ns, size) in edited.items():
            found[places[rel]] = (rel, mtime_ns, size)
        now, parsed, warnings = edited_rows(config, cache, known, edited, jobs)
        fresh = dict(known)
        fresh.update(now)
        ordered = list(self._ordered)
        for rel, row in now.items():
            ordered[places[rel]] = (rel, row)
        self.rows, self.found, self._ordered = fresh, (self.found[0], found), ordered
        return Found(ordered, parsed, warnings, [(rel, known[rel], row) for rel, row in now.items()])


def edited_rows(config: Config, cache: BuildCache, known: Mapping[str, CachedEntry],
                edited: Mapping[str, tuple[int, int]], jobs: int | None,
                ) -> tuple[dict[str, CachedEntry], frozenset[str], list[ContentWarning]]:
    """The rows of these entry files edited in place (path -> (mtime_ns, size)), whose rows were
    `known`: (path -> row now, of those that are not their known row; the paths parsed anew; what
    parsing said), the cache updated. Every bad entry is reported (BuildFailed)."""
    now: dict[str, CachedEntry] = {}
    to_parse: list[tuple[str, int, int]] = []
    for rel, (mtime_ns, size) in edited.items():
        cached = known[rel]
        if cached.mtime_ns == mtime_ns and cached.size == size:
            continue
        if _same_bytes(config.site_root / rel, cached.content_hash):
            now[rel] = cached.moved(mtime_ns, size)  # touched, not changed
        else:
            to_parse.append((rel, mtime_ns, size))
    parsed, warnings, stored = _parse_anew(config, cache, known, to_parse, jobs)
    now.update(parsed)
    now = {rel: now[rel] for rel in edited if rel in now}  # in the order told
    if now:
        cache.update_entries(((rel, row) for rel, row in now.items() if rel not in stored), [])
    return now, frozenset(parsed), warnings


def _parse_anew(config: Config, cache: BuildCache, known: Mapping[str, CachedEntry],
                items: list[tuple[str, int, int]], jobs: int | None, meanwhile: Callable[[], object] | None = None,
                ) -> tuple[dict[str, CachedEntry], list[ContentWarning], set[str]]:
    """Parse these entry files and store their rows: (path -> row, the warnings, the paths stored by
    the workers already). `meanwhile()`: called while forked workers parse, if they do. Every bad
    entry is reported (BuildFailed) before anything is built."""
    # The versions being replaced are still compared with the new ones (plan_patch.patch):
    # fetch them before their rows change (the parsing workers write them).
    cache.fill([(rel, known[rel]) for rel, _, _ in items if rel in known])
    parsed, problems, stored = _parse_and_store(config, items, jobs, cache, meanwhile)
    errors, warnings = split_warnings(problems)
    if errors:
        raise BuildFailed(errors) if len(errors) > 1 else errors[0]
    return parsed, warnings, stored


@dataclass(frozen=True)
class _ParseWork:
    config: Config
    cache: Path  # the build cache's file: forked workers store the rows they parse there themselves


def _parse_chunk(work: _ParseWork, items: Sequence[tuple[str, int, int]]) -> tuple[Rows, list[DigestError]]:
    with collector_paused():  # what is parsed here lives until it is stored
        found, errors = parse_files(work.config, items)
        rows = [(p.rel, CachedEntry.of(p.mtime_ns, p.size, p.entry, p.features,
                                       grouping_token(p.entry, p.features))) for p in found]
        if in_worker():  # a forked worker: it stores the rows itself and hands back the small columns
            store_entries(work.cache, rows)
            rows = [(rel, row.columns_only()) for rel, row in rows]
    return rows, errors


def _parse_and_store(config: Config, items: list[tuple[str, int, int]], jobs: int | None, cache: BuildCache,
                     meanwhile: Callable[[], object] | None = None,
                     ) -> tuple[dict[str, CachedEntry], list[DigestError], set[str]]:
    """(path -> parsed row, errors and warnings, the paths whose rows are stored in `cache` already):
    forked workers store their rows in `cache` themselves and hand back only the small columns, the
    parse read back from the cache where used (the main process's CPU is the build's bottleneck)."""
    parsed: dict[str, CachedEntry] = {}
    errors: list[DigestError] = []
    stored: set[str] = set()
    if not forks(jobs, len(items), PARALLEL_PARSE):
        meanwhile = None  # parsed here: nothing to do beside it
    for chunk_rows, chunk_errors in in_workers(_parse_chunk, _ParseWork(config, cache.path), items, jobs,
                                               PARALLEL_PARSE, meanwhile):
        for rel, row in chunk_rows:
            if not row.loaded:
                row = row.stored_in(cache, rel)
                stored.add(rel)
            parsed[rel] = row
        errors.extend(chunk_errors)
    return parsed, errors, stored


class RowsFromCache(dict[str, CachedEntry]):
    """Path -> row, a row read from the cache (its small columns) the first time its path is asked
    for: the rows a build of a few files edited in place uses (the entries on the pages it renders),
    and not the others. A path the cache has no row for is a KeyError."""

    def __init__(self, cache: BuildCache, rows: Mapping[str, CachedEntry]) -> None:
        super().__init__(rows)
        self._cache = cache

    def __missing__(self, rel: str) -> CachedEntry:
        row = self._cache.entry_rows([rel]).get(rel)
        if row is None:
            raise KeyError(rel)
        self[rel] = row
        return row


def published(rows: Sequence[tuple[str, CachedEntry]], config: Config, now: datetime) -> Rows:
    """The published rows (is_published; no entry unpickled)."""
    moment = now.timestamp()
    return [(rel, row) for rel, row in rows if is_published(row, config, moment)]


def places_of(rows: Rows) -> dict[str, int]:
    """Where each entry file is in these rows."""
    return {rel: k for k, (rel, _) in enumerate(rows)}


def is_published(row: CachedEntry, config: Config, moment: float) -> bool:
    """organise.is_published, on the cache's columns, at this POSIX time."""
    return (not row.draft or config.drafts and row.published != UNDATED) and (config.future or row.published <= moment)


class PublishedRows:
    """published(), kept from one build to the next by a long-lived Builder: after entry files
    edited in place (Found.edited) only those rows are looked at, when no entry held back for its
    date came due since (at 100,000 entries a pass over every row is 0.03-0.08 s of an edit)."""

    def __init__(self) -> None:
        self._last: tuple[Rows, tuple[bool, bool], float, float | None] | None = None  # rows, settings, time, due
        self._places: dict[str, int] | None = None
        # When the last of() found the rows from the ones before by the edits alone: (path, row before, row
        # now) of the published rows it replaced (their sum moves by these: moved_sum); else None
        self.moved: list[tuple[str, CachedEntry, CachedEntry]] | None = None
        # Whether the last of() found every row published as the one before it did, or held back (the same
        # settings, no entry come due since): the published entries then differ by the rows changed only
        self.steady = False

    def index_places(self) -> None:
        """Make, once, the index of where each published entry is in the last build's list."""
        if self._last is not None and self._places is None:
            self._places = places_of(self._last[0])

    def of(self, found: Found, config: Config, now: datetime) -> tuple[Rows, float | None]:
        """The published rows and when the first entry held back for its date comes due (next_publication)."""
        moment = now.timestamp()
        settings = (config.drafts, config.future)
        last = self._last
        self.steady = last is not None and last[1] == settings and last[2] <= moment \
            and (last[3] is None or moment < last[3])
        if found.edited is not None and last is not None and self.steady:
            self.index_places()
            assert self._places is not None
            rows, due = list(last[0]), last[3]
            moved = []
            for rel, before, now_row in found.edited:
                was, is_ = is_published(before, config, last[2]), is_published(now_row, config, moment)
                if was != is_:
                    break  # one in, one out: the list's places move
                if is_:
                    rows[self._places[rel]] = (rel, now_row)
                    moved.append((rel, before, now_row))
                elif (config.drafts or not now_row.draft) and now_row.published > moment:
                    due = now_row.published if due is None else min(due, now_row.published)  # held back
            else:
                self._last, self.moved = (rows, settings, moment, due), moved
                return rows, due
        self.moved = None
        rows = published(found.rows, config, now)
        due = next_publication(found.rows, config, now)
        self._last, self._places = (rows, settings, moment, due), None
        return rows, due


class RowEntries(Sequence[Entry]):
    """The rows' entries, read all at once (by `read`) when first asked for, and the rows themselves
    (stories.remembered.KeptGrouping reads them): a dev server's grouper, kept up to date, reads only the entries
    of the rows that changed since it last grouped (at 100,000 entries the list of every entry was
    0.16 s of an addition under cProfile)."""

    def __init__(self, rows: Sequence[tuple[str, CachedEntry]], read: Callable[[], list[Entry]]) -> None:
        self.rows = rows
        self._read = read
        self._entries: list[Entry] | None = None

    def _all(self) -> list[Entry]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | Sequence[Entry]:
        return self._all()[index]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._all())


class LazyFeatures(Mapping[PurePosixPath, Any]):
    """Entry path -> story features, unpickled from the cache only when asked for. Features the
    cache lacks are made from the whole entry here (grouping may be handed heads: EntryHead).
    Keyed by the rows' paths as strings (a path object per entry cost 0.05-0.09 s at 10,000)."""

    def __init__(self, rows: Sequence[tuple[str, CachedEntry]], cache: BuildCache | None = None) -> None:
        self._rows = dict(rows)
        self._cache = cache  # where the rows' features pickles are searched (holding) and read (fetch_all)

    def __getitem__(self, path: PurePosixPath) -> Any:
        row = self._rows[str(path)]
        features = row.features
        if getattr(features, "version", None) != FEATURES_VERSION:
            features = entry_features(row.entry)
        return features

    def pickled(self, path: PurePosixPath) -> bytes | None:
        """The entry's features as pickled in the cache, when fetched and not unpickled yet: a
        word of theirs is in these bytes (stories.nearby looks there before unpickling). The
        cache holds features of this FEATURES_VERSION only (it is part of the cache's salt)."""
        return self._rows[str(path)].features_pickle

    def holding(self, written: Sequence[bytes]) -> set[str] | None:
        """The paths of the entries whose features may hold one of these byte strings (as
        nearby.pickled_str writes a word): those whose pickle in the cache does, or that have no
        such pickle there, found by the cache without fetching the pickles; None without a cache."""
        if self._cache is None:
            return None
        # The cache's rows are this build's: EntryRows.refresh stored every entry parsed anew
        return {path for path, _ in self._cache.features_holding(written) if path in self._rows}

    def fetch(self, paths: Iterable[PurePosixPath]) -> None:
        """Fetch these entries' features pickles that are not in memory, in one query (stories.nearby:
        the ~1,100 entries an addition's regrouping reaches at 10,000 took a query each, 0.11 s
        against 0.03 s with a fresh connection)."""
        if self._cache is not None:
            rows = [(rel, self._rows[rel]) for rel in map(str, paths) if rel in self._rows]
            self._cache.fill(rows, heads=True, one_by_one=2)

    def fetch_all(self) -> None:
        """Fetch every entry's features pickle in one query (before a grouping of them all)."""
        if self._cache is not None:
            self._cache.fill(self._rows.items(), heads=True)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, PurePosixPath) and str(path) in self._rows

    def __iter__(self) -> Iterator[PurePosixPath]:
        return map(PurePosixPath, self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def inputs_key(salt: str, entries: Sequence[tuple[str, str]], static_prints: Mapping[str, str]) -> str:
    """Everything a build's output depends on: with the same key, the same site. `entries`: the
    published entries' (path, content hash)."""
    digest_ = hashlib.blake2b(salt.encode(), digest_size=16)
    for rel, hash_ in sorted(entries):
        digest_.update(f"\x1f{rel}\x1e{hash_}".encode("utf-8", "surrogatepass"))
    for rel, value in sorted(static_prints.items()):
        digest_.update(f"\x1d{rel}\x1e{value}".encode("utf-8", "surrogatepass"))
    return digest_.hexdigest()


def entries_key(plan_salt: str, rows: Sequence[tuple[str, CachedEntry]]) -> str:
    """The inputs key of a build of these published entries: with the same key, the same entries
    (paths and content hashes). Made from entries_sum, so that the key of a set that differs from a
    known one by a few entries is made from those few (key_of, moved_sum)."""
    return key_of(plan_salt, entries_sum(rows))


_SUM_MODULUS = 1 << 128


def entry_term(rel: str, row: CachedEntry) -> int:
    """An entry's part of entries_sum: a 128-bit hash of its path and content hash."""
    data = f"{rel}\x1e{row.content_hash}".encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=16).digest(), "big")


def entries_sum(rows: Iterable[tuple[str, CachedEntry]]) -> int:
    """The sum of the entries' terms, modulo 2**128: a hash of the set that does not depend on its
    order, and that a few entries more or fewer move by their terms alone (moved_sum). (The sorted
    list of every entry hashed whole, as before, was made twice a build: for the entries now and for
    those the live site was built from, 0.2-0.3 s at 100,000 entries.)"""
    return sum(entry_term(rel, row) for rel, row in rows) % _SUM_MODULUS


def moved_sum(total: int, gone: Iterable[tuple[str, CachedEntry]], come: Iterable[tuple[str, CachedEntry]]) -> int:
    """entries_sum of a set whose sum is `total`, with these entries taken out and these put in."""
    return (total - sum(entry_term(rel, row) for rel, row in gone)
            + sum(entry_term(rel, row) for rel, row in come)) % _SUM_MODULUS


def key_of(plan_salt: str, total: int) -> str:
    """entries_key of the entries whose entries_sum is `total`."""
    return hashlib.blake2b(f"{plan_salt}\x1d{total:032x}".encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()




def next_publication(rows: Sequence[tuple[str, CachedEntry]], config: Config, now: datetime) -> float | None:
    """When the first entry held back only for being dated after `now` comes due (a POSIX
    timestamp), or None when none is (or the config publishes them anyway)."""
    if config.future:
        return None
    moment = now.timestamp()
    return min((row.published for _, row in rows if (config.drafts or not row.draft) and row.published > moment),
               default=None)


def remember_files(cache: BuildCache, plan_salt: str, inputs: str, entries: int, until: float | None,
                   total: int) -> None:
    """After a one-shot build published the site of these inputs (`entries` published entries,
    `total` their entries_sum, the first held back for its date due at `until`) from the entry files
    it found, whose rows the cache now holds: what the next build starts from, while the rows are
    not written again (entry_walk.against_rows). Kept only when it changed."""
    value = (plan_salt, inputs, entries, until, total)
    if cache.get(PUBLISHED_FROM) != value:
        cache.put(PUBLISHED_FROM, value)


def live_files(plan_salt: str, now: datetime, live: tuple[str, int, int] | None,
               remembered: Any) -> tuple[str, str, int, float | None, int] | None:
    """The cache's record of what the live site was published from (remember_files), when it holds
    for this theme, config and static files (`plan_salt`), at `now` (no entry come due since) and
    for the live tree (`live`: its recorded inputs, pages and feeds); else None."""
    if not (isinstance(remembered, tuple) and len(remembered) == 5) or live is None:
        return None
    salt, inputs, _, until, _ = remembered
    if salt != plan_salt or live[0] != inputs or (until is not None and now.timestamp() >= until):
        return None
    return remembered


def _same_bytes(path: Path, known_hash: str) -> bool:
    try:
        return content_hash(path.read_bytes()) == known_hash
    except OSError:
        return False
