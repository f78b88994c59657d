"""The build cache, .digest/cache/build.sqlite: parsed entries, story features, the last story
grouping (and its ledger, with the features of the entries changed or removed since: see
stories.nearby), the feeds' item bodies as HTML, and a manifest (output path -> fingerprint) of
each output tree it wrote.

SQLite because a build changes a few rows, not the whole cache, and every commit is atomic: a
killed build leaves the cache as it was before or after a commit, never half written. A cache is
only ever an optimisation: any doubt (another digest version, another config, a file it cannot
read) and it is dropped, never trusted.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import pickle
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest import __version__
from digest.collector import collector_paused
from digest.entry_walk import CACHE_FILE, PUBLISHED_FROM
from digest.reuse.cached_entry import Blobs, CachedEntry
from digest.reuse.fingerprint import code_version
from digest.reuse.manifest import CHUNKS, EMPTY_NAME, Chunk, Manifest

CACHE_VERSION = f"{__version__}-15"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
-- The whole parse (entry) last: SQLite reads a row's columns in order, so a read of the head and
-- features (what planning and grouping read) stops before the body's pickle and its overflow pages.
CREATE TABLE IF NOT EXISTS entries (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, hash TEXT,
                                    published REAL, draft INTEGER, grouping TEXT, listing BLOB, head BLOB,
                                    features BLOB, entry BLOB);
-- The small columns again, beside the pickles: every build reads them all (BuildCache.entries), and
-- a row with its pickles takes a page of the table to itself, so that read touched the whole file
-- (1.3 GB at 100,000 entries: 5-14 s from disk). SQLite reads this covering index instead.
CREATE INDEX IF NOT EXISTS entry_columns ON entries (path, mtime_ns, size, hash, published, draft, grouping);
-- Each entry's listing (cached_entry.ListedHead: what a plan of the whole site reads of every entry,
-- about 220 bytes), read for every entry by an addition or a deletion: from this index, not the table.
CREATE INDEX IF NOT EXISTS entry_listings ON entries (path, hash, listing);
-- A tree's manifest is the names of its chunks (reuse/manifest.py: marshal, a tuple); the chunks, shared
-- between trees, are rows of `chunks` (marshal: output path -> fingerprint), dropped when no tree names them.
CREATE TABLE IF NOT EXISTS trees (tree TEXT PRIMARY KEY, inputs TEXT, pages INTEGER, feeds INTEGER, manifest BLOB);
CREATE TABLE IF NOT EXISTS chunks (name BLOB PRIMARY KEY, items BLOB);
-- A unit (page or feed) of the stored plan, with the entries it shows (marshal: a tuple of paths).
CREATE TABLE IF NOT EXISTS units (name TEXT PRIMARY KEY, print TEXT, template TEXT, plan BLOB, shows BLOB);
-- Every unit's fingerprint, read by every full plan (unit_prints), from this covering index and not
-- the table, whose rows hold the plans (at 100,000 entries 128,000 units: 2.1 s read from the table
-- with a cold disk cache, 0.12 s warm).
CREATE INDEX IF NOT EXISTS unit_prints ON units (name, print);
-- The other way round, an entry's row naming the units that show it: a patch reads the rows of the
-- entries it changed, and a stored plan rewrites the rows its changed units add to or leave (one blob
-- of them all was 2.5 MB at 10,000 entries, read by every body edit and written by every addition;
-- a row per pair, 175,000 rows at 10,000 entries, took 1.4 s to write).
CREATE TABLE IF NOT EXISTS shows (entry TEXT PRIMARY KEY, units BLOB);
-- The story features of entries as a grouping read them, kept when their rows change or go (by
-- grouping token: stories.grouping_token), until the next grouping's ledger is stored: what a
-- one-shot build's grouping subtracts from the word counts it remembers (stories.nearby).
CREATE TABLE IF NOT EXISTS departed (grouping TEXT PRIMARY KEY, features BLOB);
-- The last grouping's ledger (stories.nearby.Ledger), an entry a row: its grouping token, path, time,
-- title terms, names and text word count (nearby.ledger_line; the word counts are a meta value). Kept by
-- entry, an addition writes one row: the ledger pickled whole was 28 MB at 100,000 entries, unpickled,
-- pickled and written by every addition.
CREATE TABLE IF NOT EXISTS ledger (token TEXT PRIMARY KEY, path TEXT, time REAL, title TEXT);
-- The bodies of the feeds' items as HTML (feeds.item_body_key: the entry's content and permalink):
-- a feed rendered again after an addition renders none of its fifty bodies again.
CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, html TEXT);
CREATE TRIGGER IF NOT EXISTS entry_replaced BEFORE INSERT ON entries BEGIN
  INSERT OR IGNORE INTO departed SELECT grouping, features FROM entries
    WHERE path = new.path AND grouping IS NOT new.grouping;
END;
CREATE TRIGGER IF NOT EXISTS entry_removed BEFORE DELETE ON entries BEGIN
  INSERT OR IGNORE INTO departed VALUES (old.grouping, old.features);
END;
"""


@dataclass(frozen=True)
class TreeState:
    """What an output tree holds, recorded after it was completely written."""

    inputs: str  # the inputs key of the build that wrote it (see build.inputs_key)
    pages: int
    feeds: int
    manifest: Manifest  # output path -> fingerprint of its content


# Pickles of protocol 4 and 5 (the cache's: HIGHEST_PROTOCOL), as stories.nearby.PICKLE_HEADS: the
# cache store imports no stage (pyproject's import contracts)
_PICKLE_HEADS = (b"\x80\x04", b"\x80\x05")
ROWS_ONE_BY_ONE = 200  # rows fetched a query each under this many (BuildCache.fill); ...
PATHS_READ = 5000  # ... by their paths, 500 a query, up to this many; more, the whole table is read
UNITS_TOKEN = "units token"  # meta key: a new random value each time the units change (see unit_prints)
# The ledger's lines indexed by word (SQLite's full-text index over `ledger.title`, kept by write_ledger): the
# rows that may hold a word are found without reading the others (ledger_holding). An addition's words
# whose rarity moved were looked for in every line, 3.5 MB at 10,000 entries, read and searched each time.
# Only where this Python's SQLite has FTS5 (full_text_index): elsewhere every line is searched, as before.
_LEDGER_WORDS = ("CREATE VIRTUAL TABLE IF NOT EXISTS ledger_words "
                 "USING fts5(title, content='ledger', content_rowid='rowid')")
# PUBLISHED_FROM, the meta key of what a one-shot build published from (reuse.entry_rows.remember_files): every
# write of the entries' rows deletes it in the same transaction, so while it is there the rows are those of the
# entry files that build found (a build compares the walk with the rows alone: entry_walk.against_rows).
ENTRY_COLUMNS = "SELECT path, mtime_ns, size, hash, published, draft, grouping FROM entries"  # from entry_columns
UNIT_PRINTS = "SELECT name, print FROM units"  # from unit_prints
LISTINGS = "SELECT path, hash, listing FROM entries"  # from entry_listings
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")  # a character the ledger's full-text index surely counts as part of a word


def cache_path(site_root: Path) -> Path:
    return site_root.joinpath(*CACHE_FILE)


def stored_salt(site_root: Path) -> str | None:
    """The salt the site's cache was last opened with (None: no cache, or not readable), read
    without opening it as BuildCache does (which starts a cache of another salt afresh)."""
    path = cache_path(site_root).absolute()
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return row[0] if row is not None and isinstance(row[0], str) else None


class BuildCache:
    """The on-disk cache, read once and then updated row by row."""

    def __init__(self, site_root: Path, salt: str) -> None:
        self.path = cache_path(site_root).absolute()
        self.salt = salt
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._values: dict[str, tuple[bytes, Any]] = {}  # meta key -> (its bytes, unpickled)
        self._prints: tuple[str, dict[str, str]] | None = None  # (units token, unit_prints) as last read
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:  # not a database, or damaged: start afresh
            self._remove()
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            # A commit waits for the disk only where the output trees depend on it (durably); the
            # others (parses, stories, plans: what a lost commit makes a build compute again) are in
            # the write-ahead log's order, so a commit that reached the disk brought every earlier one
            db.execute("PRAGMA synchronous=NORMAL")
            _make_schema(db)
            row = db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            if row is None or row[0] != self.salt:  # another version or config: start afresh, schema too
                db.executescript("BEGIN; DROP TABLE entries; DROP TABLE trees; DROP TABLE units; DROP TABLE shows; "
                                 "DROP TABLE departed; DROP TABLE bodies; DROP TABLE chunks; DROP TABLE ledger; "
                                 "DROP TABLE IF EXISTS ledger_words; DROP TABLE meta; "
                                 "COMMIT;")
                _make_schema(db)
                db.execute("INSERT INTO meta VALUES ('salt', ?)", (self.salt,))
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def close(self) -> None:
        self._db.close()

    def drop(self) -> None:
        """Close the cache and delete its files (found damaged: see is_damage)."""
        self._db.close()
        self._remove()

    # -- entries ---------------------------------------------------------------------------
    def entries(self) -> dict[str, CachedEntry]:
        """Every row's small columns; parses and features are fetched when used (see fill)."""
        found: dict[str, CachedEntry] = {}
        try:
            for path, mtime_ns, size, content_hash, published, draft, grouping in self._db.execute(ENTRY_COLUMNS):
                found[path] = CachedEntry(mtime_ns, size, content_hash, published, bool(draft), grouping,
                                          stored=(self, path))
        except Exception:  # an unreadable row: forget them all rather than guess
            self._db.execute("DELETE FROM entries")
            self._db.execute("DELETE FROM meta WHERE key = ?", (PUBLISHED_FROM,))
            return {}
        return found

    def entry_rows(self, paths: Iterable[str]) -> dict[str, CachedEntry]:
        """These paths' rows (those the cache has), their small columns only, as entries() reads them."""
        return {path: CachedEntry(mtime_ns, size, content_hash, published, bool(draft), grouping, stored=(self, path))
                for path, mtime_ns, size, content_hash, published, draft, grouping
                in self._where_in(ENTRY_COLUMNS, "path", paths)}

    def entry_blobs(self, path: str, content_hash: str, heads: bool = False) -> Blobs | None:
        """The row's pickles (`heads`: its head and features only, not the whole parse)."""
        row = self._db.execute(f"SELECT {'NULL' if heads else 'entry'}, features, head FROM entries "
                               "WHERE path = ? AND hash = ?", (path, content_hash)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def fill(self, rows: Iterable[tuple[str, CachedEntry]],
             each: Callable[[CachedEntry], object] | None = None, heads: bool = False,
             features: bool = True, one_by_one: int | None = None) -> None:
        """Fetch the parses of these rows that are not in memory (`heads`: only their heads and,
        unless `features` is false, features): one query for them all (a query each when fewer
        than ROWS_ONE_BY_ONE, or than `one_by_one` if that is fewer). `each` is called on every
        row as soon as it is in memory: a caller that unpickles and lets go of what it does not
        need never holds every row's pickles at once (memory)."""
        wanted: dict[str, CachedEntry] = {}
        for rel, row in rows:
            if not ((row.head_loaded if features else row.has_head) if heads else row.loaded):
                wanted[rel] = row
            elif each is not None:
                each(row)
        if len(wanted) < (ROWS_ONE_BY_ONE if one_by_one is None else min(one_by_one, ROWS_ONE_BY_ONE)):
            for rel, row in wanted.items():
                blobs = self.entry_blobs(rel, row.content_hash, heads)
                if blobs is not None:
                    row.fill(blobs)
                    if each is not None:
                        each(row)
            return
        query = f"SELECT path, hash, NULL, {'features' if features else 'NULL'}, head FROM entries" if heads else \
            "SELECT path, hash, entry, features, head FROM entries"
        # A few thousand rows by their paths; more, every row read in table order (a whole parse
        # takes pages of its own: reading the others' too is what costs)
        found = self._where_in(query, "path", wanted) if len(wanted) <= PATHS_READ else self._db.execute(query)
        # What is unpickled here lives on: a collection in between would only walk it (measured at
        # 10,000 heads and their features: 0.44 s with the collector, 0.35 s without)
        with collector_paused():
            for path, content_hash, *blobs in found:
                known = wanted.get(path)
                if known is not None and known.content_hash == content_hash:
                    known.fill((blobs[0], blobs[1], blobs[2]))
                    if each is not None:
                        each(known)

    def fill_listings(self, rows: Sequence[tuple[str, CachedEntry]], by_paths: bool = False) -> None:
        """Fetch the listings of these rows that have neither their listing nor their head in
        memory (CachedEntry.listed): by their paths when a few (or `by_paths`: a part of the rows,
        however many), else every row's, in index order."""
        wanted = {rel: row for rel, row in rows if not row.has_listing}
        if not wanted:
            return
        found = self._where_in(LISTINGS, "path", wanted) if by_paths or len(wanted) <= PATHS_READ else \
            self._db.execute(LISTINGS)
        for path, content_hash, listing in found:
            known = wanted.get(path)
            if known is not None and known.content_hash == content_hash:
                known.fill_listing(listing)

    def features_holding(self, written: Sequence[bytes]) -> set[tuple[str, str]]:
        """(path, content hash) of the rows whose features pickle holds one of these byte strings,
        or is missing or not of protocol 4 or 5 (then its bytes tell nothing): the pickles are
        searched as SQLite reads them, one at a time, never all held at once (80 MB at 100,000
        entries). Every other row's pickle holds none. (One search for them all: SQLite's instr, a
        pass a string, took 0.08 s at 10,000 entries and 8 strings; a regular expression 0.036 s.)"""
        if not written:
            return set()
        pattern = re.compile(b"|".join(re.escape(part) for part in written))

        def holds(blob: bytes | None) -> bool:
            return blob is None or not blob.startswith(_PICKLE_HEADS) or pattern.search(blob) is not None

        self._db.create_function("digest_holds", 1, holds, deterministic=True)
        return set(self._db.execute("SELECT path, hash FROM entries WHERE digest_holds(features)"))

    def update_entries(self, changed: Iterable[tuple[str, CachedEntry]], removed: Iterable[str]) -> None:
        gone = [(path,) for path in removed]
        with self.atomically():
            _insert_entries(self._db, changed)
            self._db.executemany("DELETE FROM entries WHERE path = ?", gone)

    def grouped_features(self, wanted: Iterable[tuple[str, str]]) -> dict[str, bytes]:
        """Pickled story features by grouping token, for these (grouping token, path): from the
        entry's row while it still has that token, else as kept when the row changed or went."""
        by_token = dict(wanted)
        found: dict[str, bytes] = {}
        for path in set(by_token.values()):
            for token, features in self._db.execute("SELECT grouping, features FROM entries WHERE path = ?", (path,)):
                if token in by_token:
                    found[token] = features
        for token in by_token.keys() - found.keys():
            row = self._db.execute("SELECT features FROM departed WHERE grouping = ?", (token,)).fetchone()
            if row is not None:
                found[token] = row[0]
        return found

    def ledger_places(self) -> list[tuple[str, str, float, bool]]:
        """Every row of the stories' ledger without its line: (grouping token, path, time, whether
        it has a line). The lines are read when asked for (ledger_lines, ledger_holding): at 100,000
        entries they are 35 MB."""
        return self._db.execute("SELECT token, path, time, title IS NOT NULL FROM ledger").fetchall()

    def ledger_lines(self, tokens: Iterable[str]) -> dict[str, str]:
        """The ledger's lines of these grouping tokens (of those that have one)."""
        return {token: line for token, line in self._where_in("SELECT token, title FROM ledger", "token", tokens)
                if line is not None}

    def ledger_holding(self, words: Iterable[str]) -> dict[str, str] | None:
        """The ledger's lines (by grouping token) that may hold one of these words: every line holding
        one as a term (its own part of the line) and maybe others, found by the full-text index. None
        when a word has no ASCII letter or digit: the index may hold no word of it (which characters
        it counts as separators is its own, of Unicode 6.1), so it cannot tell."""
        words = sorted(words)
        if not words:
            return {}
        if not full_text_index() or not all(_ASCII_WORD.search(word) for word in words):
            return None
        # A term's letters and digits are indexed as the words of a phrase, in order, wherever it stands in
        # a line (between the line's separators), as they are in the query: a line holding it matches
        query = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        return dict(self._db.execute("SELECT ledger.token, ledger.title FROM ledger_words "
                                     "JOIN ledger ON ledger.rowid = ledger_words.rowid WHERE ledger_words MATCH ?",
                                     (query,)))

    def write_ledger(self, rows: Iterable[tuple[str, str, float, str | None]], removed: Iterable[str],
                     whole: bool = False) -> None:
        """Ledger rows set and removed (by grouping token); `whole`: the other rows go too. The
        full-text index of the lines follows (its rows are told what each line was when it goes)."""
        rows = list(rows)
        db = self._db
        words = full_text_index()
        with self.atomically():
            if whole:
                if words:
                    db.execute("INSERT INTO ledger_words(ledger_words) VALUES ('delete-all')")
                db.execute("DELETE FROM ledger")
            else:
                gone = [*removed, *(row[0] for row in rows)]
                old = list(self._where_in("SELECT rowid, title FROM ledger", "token", gone))
                if words:
                    db.executemany("INSERT INTO ledger_words(ledger_words, rowid, title) VALUES ('delete', ?, ?)",
                                   [(rowid, line) for rowid, line in old if line is not None])
                db.executemany("DELETE FROM ledger WHERE rowid = ?", [(rowid,) for rowid, _ in old])
            db.executemany("INSERT INTO ledger VALUES (?, ?, ?, ?)", rows)
            if not words:
                return
            if whole:
                db.execute("INSERT INTO ledger_words(rowid, title) "
                           "SELECT rowid, title FROM ledger WHERE title IS NOT NULL")
            else:
                db.executemany("INSERT INTO ledger_words(rowid, title) SELECT rowid, title FROM ledger "
                               "WHERE token = ? AND title IS NOT NULL", [(row[0],) for row in rows])

    def forget_departed(self) -> None:
        """The kept features of changed and removed entries are no longer needed (a new ledger)."""
        with self.atomically():
            self._db.execute("DELETE FROM departed")

    # -- feed items' bodies as HTML --------------------------------------------------------
    def bodies_html(self, keys: Iterable[str]) -> dict[str, str]:
        """The stored HTML of these bodies (feeds.item_body_key), of those stored."""
        return {key: html for key, html in self._where_in("SELECT key, html FROM bodies", "key", keys)}

    def store_bodies_html(self, new: dict[str, str], keep: Iterable[str]) -> None:
        """Store these bodies' HTML; of the others, keep only those under `keep` (the items of the
        site's feeds now)."""
        wanted = set(keep) | new.keys()
        with self.atomically():
            self._db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)", new.items())
            stale = [(key,) for (key,) in self._db.execute("SELECT key FROM bodies") if key not in wanted]
            self._db.executemany("DELETE FROM bodies WHERE key = ?", stale)

    # -- small values ----------------------------------------------------------------------
    def get(self, key: str) -> Any:
        """The value put under key; unpickled again only when its bytes changed (a long-lived
        process reads the same large values build after build)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        known = self._values.get(key)
        if known is not None and known[0] == row[0]:
            return known[1]
        try:
            value = pickle.loads(row[0])
        except Exception:
            return None
        self._values[key] = (row[0], value)
        return value

    def value_bytes(self, key: str) -> bytes | None:
        """The value put under key, as stored (pickled)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def forget_values(self) -> None:
        """Let go of the values unpickled so far (read again from the cache if asked for)."""
        self._values.clear()

    def put(self, key: str, value: Any) -> None:
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        with self.atomically():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, data))
        self._values.pop(key, None)  # the value may be changed in place by its owner: never hand it back

    def copy_value(self, key: str, to: str) -> None:
        """The value under `key` put under `to` as well, its bytes copied by SQLite (not unpickled)."""
        with self.atomically():
            self._db.execute("INSERT OR REPLACE INTO meta SELECT ?, value FROM meta WHERE key = ?", (to, key))
        self._values.pop(to, None)

    # -- the last full plan, one unit (page or feed) a row: see plan_patch.py -------------------
    def unit_prints(self) -> dict[str, str]:
        """Every stored unit's fingerprint. Kept in memory between the builds of a long-lived
        process, and read again only when the units' token says another process changed them
        (16,000 rows at 10,000 entries: 0.03 s at every full plan)."""
        token = self._units_token()
        if self._prints is None or token is None or self._prints[0] != token:
            prints = dict(self._db.execute(UNIT_PRINTS).fetchall())
            self._prints = (token, prints) if token is not None else None
            return dict(prints)
        return dict(self._prints[1])

    def unit_prints_of(self, names: Iterable[str]) -> dict[str, str]:
        """unit_prints() of these units only (of those stored)."""
        return dict(self._where_in(UNIT_PRINTS, "name", names))

    def unit_names_from(self, prefix: str) -> list[str]:
        """The names of the stored units that start with `prefix` (read from the names' index)."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return [name for (name,) in self._db.execute("SELECT name FROM units WHERE name >= ? AND name < ?",
                                                     (prefix, end))]

    def _units_token(self) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (UNITS_TOKEN,)).fetchone()
        return row[0] if row is not None and isinstance(row[0], str) else None

    def store_units(self, changed: Iterable[tuple[str, str, str, bytes, Iterable[str]]],
                    removed: Iterable[str]) -> None:
        """Units (name, fingerprint, template, pickled plan, the entries it shows) written anew,
        and units gone, in one transaction; the rows of the entries they add to or leave follow."""
        delta: dict[str, tuple[set[str], set[str]]] = {}  # entry -> (units it leaves, units it joins)

        def moved(name: str, before: Iterable[str], after: set[str]) -> None:
            before = set(before)
            for entry in before - after:
                delta.setdefault(entry, (set(), set()))[0].add(name)
            for entry in after - before:
                delta.setdefault(entry, (set(), set()))[1].add(name)

        gone = list(removed)
        known = self._prints if self._prints is not None and self._prints[0] == self._units_token() else None
        written: dict[str, str] = {}
        token = os.urandom(12).hex()
        with self.atomically():
            for chunk in _chunks(changed, 500):  # a few hundred pickles held at once, not all of them (memory)
                old = self._shown_by([name for name, *_ in chunk])
                rows = []
                for name, value, template, plan, shown in chunk:
                    after = set(shown)
                    moved(name, old.get(name, ()), after)
                    rows.append((name, value, template, plan, marshal.dumps(tuple(sorted(after)))))
                    written[name] = value
                self._db.executemany("INSERT OR REPLACE INTO units VALUES (?, ?, ?, ?, ?)", rows)
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (UNITS_TOKEN, token))
            for name, before in self._shown_by(gone).items():
                moved(name, before, set())
            self._db.executemany("DELETE FROM units WHERE name = ?", [(name,) for name in gone])
            now = {entry: set(units) for entry, units in self._rows_of("SELECT entry, units FROM shows", delta)}
            for entry, (leaves, joins) in delta.items():
                now[entry] = (now.get(entry, set()) - leaves) | joins
            self._db.executemany("INSERT OR REPLACE INTO shows VALUES (?, ?)",
                                 [(entry, marshal.dumps(tuple(sorted(units)))) for entry, units in now.items()
                                  if units])
            self._db.executemany("DELETE FROM shows WHERE entry = ?",
                                 [(entry,) for entry, units in now.items() if not units])
        self._prints = None
        if known is not None:  # what this process knew was current: it stays so, with these changes
            prints = known[1]
            prints.update(written)
            for name in gone:
                prints.pop(name, None)
            self._prints = (token, prints)

    def units_showing(self, entries: Iterable[str]) -> set[str]:
        """The stored units that show any of these entries (paths)."""
        found: set[str] = set()
        for _, units in self._rows_of("SELECT entry, units FROM shows", entries):
            found.update(units)
        return found

    def _shown_by(self, names: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The entries each of these stored units shows."""
        return dict(self._rows_of("SELECT name, shows FROM units", names, key="name"))

    def _rows_of(self, select: str, keys: Iterable[str], key: str = "entry") -> Iterator[tuple[str, Any]]:
        """(key, unmarshalled value) of the rows whose key is one of these."""
        for name, value in self._where_in(select, key, keys):
            try:
                yield name, marshal.loads(value)
            except (TypeError, ValueError, EOFError):
                yield name, ()

    def _where_in(self, select: str, key: str, keys: Iterable[str | bytes]) -> Iterator[Any]:
        """The rows of `select` whose `key` is one of these, 500 keys a query."""
        for chunk in _chunks(keys, 500):
            yield from self._db.execute(f"{select} WHERE {key} IN ({', '.join('?' * len(chunk))})", chunk)

    def load_units(self, names: list[str]) -> dict[str, tuple[str, bytes]]:
        return {name: (template, plan)
                for name, template, plan in self._where_in("SELECT name, template, plan FROM units", "name", names)}

    # -- output trees ----------------------------------------------------------------------
    def tree_inputs(self, tree: str | None) -> tuple[str, int, int] | None:
        """(inputs key, pages, feeds) of a tree, without reading its manifest."""
        if tree is None:
            return None
        row = self._db.execute("SELECT inputs, pages, feeds FROM trees WHERE tree = ?", (tree,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def tree(self, tree: str | None) -> TreeState | None:
        """A tree's recorded state; its manifest's chunks are read when first asked for."""
        if tree is None:
            return None
        row = self._db.execute("SELECT inputs, pages, feeds, manifest FROM trees WHERE tree = ?", (tree,)).fetchone()
        if row is None:
            return None
        try:
            names = marshal.loads(row[3])
        except Exception:
            return None
        if not (isinstance(names, tuple) and len(names) == CHUNKS and all(isinstance(n, bytes) for n in names)):
            return None
        named = set(names) - {EMPTY_NAME}
        if sum(1 for _ in self._where_in("SELECT name FROM chunks", "name", named)) != len(named):
            return None  # a chunk it names is missing: the tree is trusted for nothing
        return TreeState(row[0], row[1], row[2], Manifest.stored(names, self._chunks))

    def _chunks(self, names: list[bytes]) -> dict[bytes, Chunk]:
        """These chunks, of those stored and readable (a chunk not handed back is MissingChunk)."""
        found: dict[bytes, Chunk] = {}
        for name, items in self._where_in("SELECT name, items FROM chunks", "name", names):
            with contextlib.suppress(ValueError, EOFError, TypeError):
                chunk = marshal.loads(items)
                if isinstance(chunk, dict):
                    found[name] = chunk
        return found

    def forget_tree(self, tree: str) -> None:
        """Before a tree is changed: from now on it is trusted for nothing (on disk before the tree changes)."""
        with self.durably():
            self._db.execute("DELETE FROM trees WHERE tree = ?", (tree,))

    def record_tree(self, tree: str, state: TreeState, keep: Iterable[str] = ()) -> None:
        """After a tree is completely written; rows of trees other than `keep` are dropped, and the
        manifest chunks no tree names."""
        known = {tree, *keep}
        manifest = Manifest.of(state.manifest)
        with self.durably():
            for (other,) in self._db.execute("SELECT tree FROM trees").fetchall():
                if other not in known:
                    self._db.execute("DELETE FROM trees WHERE tree = ?", (other,))
            named = set(manifest.names)
            self._db.executemany("INSERT OR IGNORE INTO chunks VALUES (?, ?)",
                                 [(name, marshal.dumps(manifest.made[name])) for name in named
                                  if name != EMPTY_NAME and name in manifest.made])
            self._db.execute("INSERT OR REPLACE INTO trees VALUES (?, ?, ?, ?, ?)",
                             (tree, state.inputs, state.pages, state.feeds, marshal.dumps(manifest.names)))
            for (names,) in self._db.execute("SELECT manifest FROM trees WHERE tree != ?", (tree,)).fetchall():
                with contextlib.suppress(Exception):
                    named.update(marshal.loads(names))
            unnamed = [(name,) for (name,) in self._db.execute("SELECT name FROM chunks") if name not in named]
            self._db.executemany("DELETE FROM chunks WHERE name = ?", unnamed)

    def atomically(self) -> _Transaction:
        """The writes made inside this block are committed together, or none of them: one commit,
        which does not wait for the disk (synchronous=NORMAL: a power cut may lose it, and the
        commits after it, never one before it)."""
        return _Transaction(self._db)

    def durably(self) -> _Transaction:
        """atomically(), the commit on disk before the block returns, with every commit before it
        (synchronous=FULL for it: 5-10 ms here; every commit waited so before, 9 in an addition).
        What the cache says of the output trees: a tree is changed only after its record is gone."""
        return _Transaction(self._db, durable=True)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def store_entries(cache: Path, rows: Iterable[tuple[str, CachedEntry]]) -> None:
    """Write these rows into the cache at this path (BuildCache.path) through a connection of the
    calling process's own: a parsing worker stores what it parsed, and the main process receives
    and stores none of it (measured at 10,000 entries: 0.8 s less of its CPU in a cold build)."""
    db = sqlite3.connect(cache, isolation_level=None, timeout=60)  # the other workers write too: wait
    try:
        db.execute("PRAGMA synchronous=NORMAL")  # parses: as BuildCache's own commits (atomically)
        with _Transaction(db):
            _insert_entries(db, rows)
    finally:
        db.close()


def _insert_entries(db: sqlite3.Connection, rows: Iterable[tuple[str, CachedEntry]]) -> None:
    # Whatever the rows, PUBLISHED_FROM no longer tells them (in the same transaction: see PUBLISHED_FROM)
    db.execute("DELETE FROM meta WHERE key = ?", (PUBLISHED_FROM,))
    # A generator: rows are pickled one at a time, never all held at once (memory).
    def values(path: str, c: CachedEntry) -> tuple[Any, ...]:
        entry, features, head, listing = c.blobs()
        return (path, c.mtime_ns, c.size, c.content_hash, c.published, int(c.draft), c.grouping, listing, head,
                features, entry)

    db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (values(path, c) for path, c in rows))


class _Transaction:
    """A transaction; inside another (BuildCache.atomically), a part of that one. `durable`: its
    commit waits for the disk (BuildCache.durably)."""

    def __init__(self, db: sqlite3.Connection, durable: bool = False) -> None:
        self.db = db
        self.outer = False
        self.durable = durable

    def __enter__(self) -> None:
        self.outer = not self.db.in_transaction
        if self.durable and not self.outer:
            raise RuntimeError("a durable commit is its own transaction, never part of another")
        if self.outer:
            if self.durable:
                self.db.execute("PRAGMA synchronous=FULL")  # set outside a transaction: for its commit
            self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        # (SQLite rolls back by itself on some errors, a full disk among them: no ROLLBACK then,
        # whose "no transaction is active" would stand in for the error)
        try:
            if self.outer and (kind is None or self.db.in_transaction):
                self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        finally:
            if self.durable and self.outer and not self.db.in_transaction:
                self.db.execute("PRAGMA synchronous=NORMAL")


def is_damage(exc: BaseException) -> bool:
    """Whether an error reading the cache says its file is damaged (bytes written over it: SQLite
    keeps no checksums, so a blob's new bytes are read as they are, and a page's may not be a page)."""
    if isinstance(exc, pickle.UnpicklingError):
        return True
    if isinstance(exc, sqlite3.OperationalError) and str(exc).startswith("Could not decode to UTF-8"):
        return True  # a text column's bytes (Python's sqlite3 says so, with no SQLite code)
    code = getattr(exc, "sqlite_errorcode", None) if isinstance(exc, sqlite3.DatabaseError) else None
    return isinstance(code, int) and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _make_schema(db: sqlite3.Connection) -> None:
    """The cache's tables, where missing (the ledger's full-text index where SQLite has FTS5)."""
    db.executescript(_SCHEMA)
    if full_text_index():
        db.execute(_LEDGER_WORDS)


def salt_for(config_text: str, site_root: Path | None = None) -> str:
    """The build cache's key: what it was made with. Another config (what parsing reads of it) or
    another version of digest's code or of the libraries it renders with: a cache of its own; so too
    an SQLite with or without FTS5 (the ledger's index is kept by the one, and would be stale after
    the other wrote the ledger). `site_root`: the site whose cache folder keeps the code's hash
    between builds (code_version)."""
    memo = cache_path(site_root).parent / "code-version.marshal" if site_root is not None else None
    words = " words" if full_text_index() else ""
    return hashlib.blake2b(f"{CACHE_VERSION}{words}\n{code_version(memo)}\n{config_text}".encode(),
                           digest_size=16).hexdigest()


@functools.cache
def full_text_index() -> bool:
    """Whether this Python's SQLite has FTS5, the full-text index the ledger's lines are kept in
    (most builds of SQLite have it; where it is missing, ledger_holding searches every line)."""
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        try:
            db.execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
        except sqlite3.OperationalError:
            return False
    return True
