"""Full-text search from static files, in segments whose cost follows what changed.

Pagefind (the `pagefind-bin` package, or `pagefind-bin-extended`) has no incremental mode: indexing 10,000 articles at
once took 24-50 s and 2.5 GB here, on every edit. So the articles are indexed in segments, each
an ordinary Pagefind index of a few of them, which the search page merges at query time with
Pagefind's own `mergeIndex` (one WebAssembly module, results ranked together):

- a build from nothing cuts the articles, oldest first, into segments of LARGE pages (a site of
  fewer, but at least 2 * SMALL, into two halves: two Pagefind processes index them side by side);
- an article whose page changed (edited, or its related links moved) is no longer *live* in its
  segment: its stale copy there is hidden at query time (segments.json lists it), and the
  article goes into the *open* segment, with every article no segment holds (new ones);
- the open segment is indexed again on each change (at most SMALL - 1 pages), and sealed when it
  reaches SMALL; when SMALL-page segments add up to LARGE they are merged into one; a segment
  less than half live is dropped and its live articles indexed again. A deletion only hides.

So an edit or an addition indexes at most SMALL pages, a deletion none, and every thousand
additions or so a build merges LARGE pages (about 2-3 s). Pagefind's memory follows the segment
(about 0.27 MB a page), not the archive. Segments live in `.digest/search/` and are hard-linked
into the output like any other unchanged file. Relevance differs slightly from one index of
everything: each segment weighs words by its own statistics (as Pagefind's multi-site search).

This module has no knowledge of the build: `plan_segments` is pure; `SearchStore` runs Pagefind
and keeps the segments; the build hands it the article pages and their fingerprints.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import importlib
import importlib.util
import json
import marshal
import os
import pickle
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import compress
from operator import eq, ne
from pathlib import Path
from typing import IO, Any

from digest.errors import DigestError

BUNDLE = "pagefind"  # the folder, inside the site, that holds the runtime and the segments
SEGMENTS = f"{BUNDLE}/segments.json"  # what the search page reads: the segments and the hidden copies
SEGMENT_FOLDER = f"{BUNDLE}/segments/"  # each segment's files, in a folder of its name
SMALL = 64  # the open segment is sealed at this many pages
LARGE = 1024  # a build from nothing, and a merge of small segments, makes segments of this many
DATABASE = "state.sqlite"  # in the store: the segments of the last published site, their Ledger, the pages' prints
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS prints (rel TEXT PRIMARY KEY, print TEXT, digest TEXT) WITHOUT ROWID;
"""
_ASKED_AT_ONCE = 500  # pages' prints read in one query (SQLite's limit of parameters is 999 in older builds)
# Written by earlier versions, read when DATABASE is not there: marshal (until session 45), pickled, or JSON
STATE = "state.marshal"
_EARLIER_STATES = ("state.pickle", "state.json")
RECORD = ".marshal"  # a segment's record in the store: <name>.marshal (<name>.json before: read too)
PLACEHOLDER = "__search-runtime__/index.html"  # the one page of the runtime bundle's own index (hidden)
# What a segment keeps of Pagefind's output: the index, not the UI scripts or a copy of the runtime.
_RUNTIME_FILES = ("pagefind.js", "pagefind-worker.js")


# Pagefind's standard build reads a run of Chinese or Japanese characters as one word: a search finds a
# sentence's first characters only. Its extended build (pagefind-bin-extended) splits such text into words.
SEGMENTED_LANGUAGES = frozenset({"zh", "ja"})


def pagefind_executable() -> Path | None:
    """The Pagefind binary shipped by the pagefind-bin-extended package or the pagefind-bin one (the
    extended build indexes all the standard one does, and Chinese and Japanese words too), else one on
    PATH, else None."""
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        shipped = _shipped_binary(package)
        if shipped is not None:
            return shipped
        try:
            return Path(importlib.import_module(package).get_executable())
        except (ImportError, FileNotFoundError):
            continue
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


def _shipped_binary(package: str) -> Path | None:
    """The binary in the package's folder, found as its get_executable finds it, without importing
    the package (it imports `platform`, whose patterns took 13 ms of every build's start); None
    when not there as expected (the package is then asked)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):  # ValueError: in sys.modules without a spec
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    for name in ("pagefind_extended", "pagefind"):
        for suffix in ("", ".exe") if os.name == "nt" else ("",):
            candidate = folder / (name + suffix)
            if candidate.is_file():
                return candidate
    return None


def is_extended(executable: Path) -> bool:
    """Whether a Pagefind binary is the extended build (its packages name it pagefind_extended)."""
    return "extended" in executable.name


def writes_unspaced(language: str) -> bool:
    """Whether the site's language writes no spaces between words (Chinese, Japanese)."""
    return language.split("-")[0].lower() in SEGMENTED_LANGUAGES


def misses_words(language: str, executable: Path) -> bool:
    """Whether this Pagefind cannot find a word inside a sentence of the site's language (Chinese or
    Japanese, with the standard build)."""
    return writes_unspaced(language) and not is_extended(executable)


@dataclass(frozen=True)
class Segment:
    """One Pagefind index of some articles, as it was built."""

    name: str
    pages: Mapping[str, str]  # article page (output path) -> a digest of its bytes when indexed
    sealed: bool = True  # False: the open segment, indexed again at every change
    fragments: Mapping[str, str] = field(default_factory=dict)  # article page -> Pagefind's fragment id
    files: tuple[str, ...] = ()  # the index's files, relative to its folder

    def live(self, pages: Mapping[str, str]) -> list[str]:
        """The articles this segment still holds as they are now. (Compared by map and compress, in C:
        at 100,000 pages a loop in Python was most of plan_segments' 170 ms at each build.)"""
        return list(compress(self.pages, map(eq, map(pages.get, self.pages), self.pages.values())))


@dataclass(frozen=True)
class _State:
    """The store's record of the last published site, as read (SearchStore._read_state)."""

    version: tuple[Any, ...]  # what it was read from: the database's data_version, or an earlier file's stat
    segments: list[tuple[str, bool]]  # (name, sealed)
    pages_key: str | None
    ledger: Ledger | None
    prints: dict[str, tuple[str, str]] | None  # a store of an earlier version: every page's, read whole


@dataclass(frozen=True)
class SegmentPlan:
    """The segments the site's search should have: kept ones (built) and new ones (to build)."""

    kept: tuple[Segment, ...]
    new: tuple[Segment, ...]  # no fragments or files yet


def segment_name(pages: Mapping[str, str], salt: str) -> str:
    digest = hashlib.blake2b(salt.encode(), digest_size=10)
    for rel in sorted(pages):
        digest.update(f"\x1f{rel}\x1e{pages[rel]}".encode("utf-8", "surrogatepass"))
    return "s" + digest.hexdigest()


def plan_segments(pages: Mapping[str, str], previous: Sequence[Segment], salt: str,
                  small: int = SMALL, large: int = LARGE) -> SegmentPlan:
    """Which segments index `pages` (article page -> fingerprint), reusing `previous` where it can.
    Pure: the policy of the module docstring."""
    kept: list[Segment] = []
    covered: set[str] = set()
    for segment in previous:
        if not segment.sealed:
            continue
        live = segment.live(pages)
        if not covered.isdisjoint(live):
            live = [rel for rel in live if rel not in covered]
        if live and len(live) * 2 >= len(segment.pages):
            kept.append(segment)
            covered.update(live)
    smalls = [s for s in kept if len(s.pages) < large]
    waiting = len(pages) - len(covered)  # a covered page is live: one of `pages`
    if len(smalls) > 1 and sum(len(s.live(pages)) for s in smalls) + waiting >= large:
        kept = [s for s in kept if len(s.pages) >= large]  # the small segments merge into a large one
        covered = {rel for s in kept for rel in s.live(pages)}
    return _cut(kept, {rel: pages[rel] for rel in pages.keys() - covered}, previous, salt, small, large)


def _cut(kept: list[Segment], loose: Mapping[str, str], previous: Sequence[Segment], salt: str, small: int,
         large: int) -> SegmentPlan:
    """The plan that keeps `kept` and cuts the `loose` pages (those no kept segment holds as they
    are: page -> digest) into new segments, oldest first (paths start with the date)."""
    order = sorted(loose)
    new: list[dict[str, str]] = []
    start = 0
    if not previous and 2 * small <= len(order) < large:
        # A small site built from nothing: two segments, not one, so that two Pagefind processes
        # index it side by side (1,000 articles: 1.9 s -> about 1 s on two cores)
        half = len(order) // 2
        new.append({rel: loose[rel] for rel in order[:half]})
        start = half
    while len(order) - start >= large:
        new.append({rel: loose[rel] for rel in order[start:start + large]})
        start += large
    while len(order) - start >= small:
        rest = order[start:]
        take = rest if len(rest) < large else rest[:large]
        new.append({rel: loose[rel] for rel in take})
        start += len(take)
    segments = [Segment(segment_name(p, salt), p) for p in new]
    if start < len(order):
        open_pages = {rel: loose[rel] for rel in order[start:]}
        segments.append(Segment(segment_name(open_pages, salt + " open"), open_pages, sealed=False))
    previous_names = {s.name: s for s in previous}
    # A segment identical to one already built (the same open pages as two builds ago) is reused.
    reused = [previous_names[s.name] for s in segments if s.name in previous_names]
    return SegmentPlan(tuple(kept) + tuple(reused), tuple(s for s in segments if s.name not in previous_names))


@dataclass(frozen=True)
class Ledger:
    """What the store keeps of a published site's search beside its segments' records, so that a
    change is planned from the pages it changed (plan_changed), not from every article's digest: at
    100,000 entries reading, comparing and writing those took a quarter of an edit."""

    live: Mapping[str, int]  # each sealed segment's count of the pages it holds as they are
    stale: frozenset[tuple[str, str]]  # (segment, page): the segment's copy is not the page as it is (or it is gone)
    loose: Mapping[str, str]  # page -> digest: the pages no sealed segment holds as they are (the open segment's)
    count: int  # the article pages

    def values(self) -> dict[str, Any]:
        """As values marshal writes (ledger_of reads them back)."""
        return {"live": dict(self.live), "stale": sorted(self.stale), "loose": dict(self.loose), "count": self.count}


def ledger_of(values: Any) -> Ledger | None:
    """The ledger Ledger.values wrote (None: not such values)."""
    with contextlib.suppress(TypeError, KeyError, ValueError):
        return Ledger(dict(values["live"]), frozenset((str(name), str(rel)) for name, rel in values["stale"]),
                      dict(values["loose"]), int(values["count"]))
    return None


def summary_of(segments: Sequence[Segment], pages: Mapping[str, str]) -> Ledger | None:
    """The ledger of these segments indexing `pages` (page -> digest); None when a page is held as
    it is by two sealed segments (plan_segments counts it in the first only: the ledger cannot tell)."""
    live: dict[str, int] = {}
    covered: set[str] = set()
    stale: set[tuple[str, str]] = set()
    for segment in segments:
        held = segment.live(pages)
        if segment.sealed:
            if not covered.isdisjoint(held):
                return None
            covered.update(held)
            live[segment.name] = len(held)
        if len(held) != len(segment.pages):
            held_set = set(held)
            stale.update((segment.name, rel) for rel in segment.pages if rel not in held_set)
    loose = {rel: value for rel, value in pages.items() if rel not in covered}
    return Ledger(live, frozenset(stale), loose, len(pages))


def plan_changed(ledger: Ledger, previous: Sequence[Segment], changed: Mapping[str, tuple[str | None, str | None]],
                 digests: Callable[[list[str]], Mapping[str, str]], salt: str, small: int = SMALL,
                 large: int = LARGE) -> tuple[SegmentPlan, Ledger] | None:
    """plan_segments of the pages now, and the ledger of the segments it plans (summary_of), from the
    `ledger` of the `previous` segments and the pages changed since (page -> (its digest then, its
    digest now); None: not there) alone. `digests(pages)`: those pages' digests now (of those there),
    asked only for the pages of a segment no longer kept. None when the ledger does not describe
    these segments (the caller plans from every page)."""
    if not previous or {s.name for s in previous if s.sealed} != set(ledger.live):
        return None
    live, stale, loose, count = dict(ledger.live), set(ledger.stale), dict(ledger.loose), ledger.count
    for rel, (then, now) in changed.items():
        if then == now:
            continue
        count += (now is not None) - (then is not None)
        held_live = 0
        for segment in previous:
            held = segment.pages.get(rel)
            if held is None:
                continue
            if segment.sealed:
                live[segment.name] += (held == now) - (held == then)
            if held == now:
                stale.discard((segment.name, rel))
                held_live += segment.sealed
            else:
                stale.add((segment.name, rel))
        if held_live > 1:
            return None
        if now is not None and not held_live:
            loose[rel] = now
        else:
            loose.pop(rel, None)
    if len(loose) != count - sum(live.values()):
        return None  # not the ledger of these segments
    kept = [s for s in previous if s.sealed and live[s.name] and live[s.name] * 2 >= len(s.pages)]
    freed = [s for s in previous if s.sealed and live[s.name] and live[s.name] * 2 < len(s.pages)]
    smalls = [s for s in kept if len(s.pages) < large]
    waiting = len(loose) + sum(live[s.name] for s in freed)  # no kept segment holds them
    if len(smalls) > 1 and sum(live[s.name] for s in smalls) + waiting >= large:
        kept = [s for s in kept if len(s.pages) >= large]  # the small segments merge into a large one
        freed += smalls
    if freed:  # their pages held as they are are loose again
        now_digests = digests([rel for s in freed for rel in s.pages])
        for segment in freed:
            loose.update((rel, held) for rel, held in segment.pages.items() if now_digests.get(rel) == held)
    plan = _cut(kept, loose, previous, salt, small, large)
    kept_names = {s.name for s in kept}
    after_live = {s.name: live[s.name] for s in kept}
    after_live.update((s.name, len(s.pages)) for s in plan.kept[len(kept):] + plan.new if s.sealed)
    open_pages = next((dict(s.pages) for s in plan.kept[len(kept):] + plan.new if not s.sealed), {})
    return plan, Ledger(after_live, frozenset(p for p in stale if p[0] in kept_names), open_pages, count)


def hidden_copies(segments: Iterable[Segment], pages: Mapping[str, str],
                  stale_copies: Iterable[tuple[str, str]] | None = None) -> dict[str, list[str]]:
    """Pagefind fragment id -> the URLs of the stale copies under that id, which the search page
    drops from results (a live copy of the same fragment in another segment stays). A pass over
    the segments' pages compares digests only: URLs are made for the stale copies, and only their
    pages are looked for again as live copies (a fragment names its page's URL, so a live copy of
    one is of the same page): at 100,000 entries the set of every live page took a tenth of an edit.
    `stale_copies`: the (segment, page) copies not as the page is, when known (a Ledger's): then
    `pages` need hold only those pages (no pass over every copy)."""
    segments = list(segments)
    stale: set[tuple[str, str]] = set()  # (fragment, output path)
    if stale_copies is not None:
        by_name = {segment.name: segment for segment in segments}
        for name, rel in stale_copies:
            fragment = by_name[name].fragments.get(rel) if name in by_name else None
            if fragment is not None:
                stale.add((fragment, rel))
    else:
        for segment in segments:
            for rel in compress(segment.pages, map(ne, map(pages.get, segment.pages), segment.pages.values())):
                fragment = segment.fragments.get(rel)
                if fragment is not None:
                    stale.add((fragment, rel))
    if not stale:
        return {}
    stale_pages = {rel for _, rel in stale}
    live: set[tuple[str, str]] = set()
    for segment in segments:
        for rel in stale_pages:
            indexed = segment.pages.get(rel)
            held = segment.fragments.get(rel)
            if indexed is not None and held is not None and pages.get(rel) == indexed:
                live.add((held, rel))
    hidden: dict[str, list[str]] = {}
    for fragment, url in sorted((fragment, page_url(rel)) for fragment, rel in stale - live):
        hidden.setdefault(fragment, []).append(url)
    return hidden


def page_url(rel: str) -> str:
    """The URL Pagefind records for an output file (relative to the site's root)."""
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


_BODY_MARK = b"data-pagefind-body"
_TAG_NAME = re.compile(rb"<([A-Za-z][A-Za-z0-9-]*)[\s>/]")
_RAW_TEXT = re.compile(rb"<(?:script|style)\b|<!--", re.IGNORECASE)
_HTML_TAG = re.compile(rb"<html\b[^>]*>", re.IGNORECASE)
_TITLE = re.compile(rb"<title\b[^>]*>.*?</title\s*>", re.IGNORECASE | re.DOTALL)


def indexed_digest(html: bytes) -> str:
    """A digest of what Pagefind reads of a page: the page cut to its search body (search_page), or the
    whole page. A page whose bytes changed elsewhere (a template's masthead, a neighbour's headline in a
    list beside the article) keeps its place in the index: at 10,000 entries an edit to base.html
    indexed every article again (20 s)."""
    return hashlib.blake2b(search_page(html) or html, digest_size=12).hexdigest()


def search_page(html: bytes) -> bytes | None:
    """The page cut to what Pagefind reads of it: its `<html>` tag (the language), its `<title>`
    and the one element marked `data-pagefind-body`, when the page's text shows that nothing else
    is read: no other `data-pagefind-*` attribute outside that element (Pagefind takes metadata,
    filters and sorts from anywhere in the page), no script, style or comment inside it (where a
    tag's name may stand as text). Pagefind then builds the same index from it, with less to parse
    (the bench site's article pages: the same bytes, 14 % less CPU). None: index the whole page."""
    at = html.find(_BODY_MARK)
    if at < 0 or html.find(_BODY_MARK, at + 1) >= 0:
        return None
    start = html.rfind(b"<", 0, at)
    name = _TAG_NAME.match(html, start) if start >= 0 else None
    if name is None or b">" in html[start:at]:
        return None
    tag = re.escape(name.group(1))
    nested = re.compile(rb"<(/?)" + tag + rb"(?=[\s>/])[^>]*>", re.IGNORECASE)
    depth, end = 0, -1
    for found in nested.finditer(html, start):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            end = found.end()
            break
    if end < 0:
        return None
    body = html[start:end]
    head_tag = _HTML_TAG.search(html, 0, start)
    if head_tag is None or _RAW_TEXT.search(body) or html.find(b"data-pagefind-", 0, start) >= 0 \
            or html.find(b"data-pagefind-", end) >= 0:
        return None
    title = _TITLE.search(html, 0, start)
    return b"".join((b"<!DOCTYPE html>\n", head_tag.group(0), b'\n<head>\n<meta charset="utf-8">\n',
                     title.group(0) if title else b"", b"\n</head>\n<body>\n", body, b"\n</body>\n</html>\n"))


class SearchStore:
    """The built segments, in `<site>/.digest/search/`: one folder per segment (its index) and one
    file (`<name>.marshal`: its pages, fragment ids and files, written once when it is built), one
    folder for the runtime, and DATABASE: the segments of the last published site, their Ledger,
    and each article page's print, read by page (a change reads the prints of the pages it
    changed). A long-lived builder keeps its store: what it read or wrote of these is not read
    again (a segment never changes; the state is read again only when another process wrote it)."""

    def __init__(self, site_root: Path, executable: Path) -> None:
        # The extended build's segments apart: a segment is kept while its pages are, whatever indexed it
        self.folder = site_root / ".digest" / ("search-extended" if is_extended(executable) else "search")
        self.executable = executable
        self._version: str | None = None
        self._segments: dict[str, Segment] = {}  # segments read or built, by name
        self._files: dict[str, dict[str, tuple[str, str]]] = {}  # per segment, its output files (search_files)
        self._state: _State | None = None  # the state as last read or written
        self._db: tuple[int, sqlite3.Connection] | None = None  # (the process that opened it, the connection)

    def version(self) -> str:
        if self._version is None:
            result = subprocess.run([str(self.executable), "--version"], capture_output=True, text=True, check=False)
            # both builds say "pagefind 1.5.2", and their indexes of Chinese differ: a segment is of one
            extended = " extended" if is_extended(self.executable) else ""
            self._version = (result.stdout.strip() or "pagefind") + extended
        return self._version

    def previous(self) -> list[Segment]:
        """The segments of the last published site (none when unknown or when a folder is gone)."""
        try:
            state = self._read_state()
            if state is None:
                return []
            segments = [self._segment(name, sealed) for name, sealed in state.segments]
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, sqlite3.Error,
                pickle.UnpicklingError, EOFError):
            return []
        return [s for s in segments if (self.folder / s.name).is_dir()]

    def ledger(self) -> Ledger | None:
        """The Ledger of the segments previous() read (None: not known)."""
        return self._state.ledger if self._state is not None else None

    def prints(self) -> dict[str, tuple[str, str]]:
        """Every article page of the last published site: output path -> (fingerprint, digest of the bytes)."""
        state = self._state
        if state is None:
            return {}
        if state.prints is not None:  # a store of an earlier version, read whole
            return dict(state.prints)
        with contextlib.suppress(sqlite3.Error):
            return {rel: (value, digest) for rel, value, digest in self._connection().execute(
                "SELECT rel, print, digest FROM prints")}
        return {}

    def prints_of(self, pages: Iterable[str]) -> dict[str, tuple[str, str]]:
        """prints() of these pages only (of those it has)."""
        state = self._state
        if state is None:
            return {}
        wanted = list(dict.fromkeys(pages))
        if state.prints is not None:
            return {rel: state.prints[rel] for rel in wanted if rel in state.prints}
        found: dict[str, tuple[str, str]] = {}
        with contextlib.suppress(sqlite3.Error):
            db = self._connection()
            for at in range(0, len(wanted), _ASKED_AT_ONCE):
                part = wanted[at:at + _ASKED_AT_ONCE]
                found.update((rel, (value, digest)) for rel, value, digest in db.execute(
                    f"SELECT rel, print, digest FROM prints WHERE rel IN ({','.join('?' * len(part))})", part))
            return found
        return {}

    def pages_key(self) -> str | None:
        """The key of the pages whose prints the state read last by `previous` holds (PageChanges)."""
        return self._state.pages_key if self._state is not None else None

    def _connection(self) -> sqlite3.Connection:
        """The store's database, opened once per process (a forked child, indexing apart, opens its own)."""
        if self._db is None or self._db[0] != os.getpid():
            self.folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.folder / DATABASE, isolation_level=None, timeout=60, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._db = (os.getpid(), db)
        return self._db[1]

    def _read_state(self) -> _State | None:
        """The state of the last published site: the database's, read again only when another
        connection wrote it since (a long-lived builder's); else a state of an earlier version."""
        if (self.folder / DATABASE).exists():
            db = self._connection()
            version = db.execute("PRAGMA data_version").fetchone()[0]
            if self._state is not None and self._state.version == ("db", version):
                return self._state
            row = db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
            if row is None:
                self._state = None
                return None
            data = marshal.loads(row[0])
            self._state = _State(("db", version), [(name, bool(sealed)) for name, sealed in data["segments"]],
                                 data["pages key"] if isinstance(data["pages key"], str) else None,
                                 ledger_of(data["ledger"]) if data["ledger"] is not None else None, None)
            return self._state
        return self._earlier_state()

    def _earlier_state(self) -> _State | None:
        """The state as versions before the database wrote it (STATE, and before that pickled or JSON)."""
        state = next((self.folder / name for name in (STATE, *_EARLIER_STATES) if (self.folder / name).exists()),
                     None)
        if state is None:
            self._state = None
            return None
        stat = state.stat()
        key = ("file", stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if self._state is not None and self._state.version == key:
            return self._state
        raw = state.read_bytes()
        data = json.loads(raw) if state.suffix == ".json" else pickle.loads(raw) \
            if state.suffix == ".pickle" else marshal.loads(raw)
        for s in data["segments"]:
            if "pages" in s:  # written by an earlier version: the segment inline
                self._segments[s["name"]] = Segment(s["name"], s["pages"], s["sealed"], s["fragments"],
                                                    tuple(s["files"]))
        prints = {rel: (value[0], value[1]) for rel, value in data["prints"].items()}
        pages_key = data.get("pages key")
        self._state = _State(key, [(s["name"], bool(s["sealed"])) for s in data["segments"]],
                             pages_key if isinstance(pages_key, str) else None, None, prints)
        return self._state

    def known(self, name: str) -> Segment | None:
        """The segment of this name as the store recorded it (None: no record of it)."""
        known = self._segments.get(name)
        if known is not None:
            return known
        # Read, not kept: its `sealed` is not known
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError, EOFError):
            return self._read_segment(name, True)
        return None

    def _segment(self, name: str, sealed: bool) -> Segment:
        known = self._segments.get(name)
        if known is None:
            known = self._segments[name] = self._read_segment(name, sealed)
        return known

    def _read_segment(self, name: str, sealed: bool) -> Segment:
        """The segment's record in the store ({name}.marshal, written by build; {name}.json by earlier versions)."""
        record = self.folder / f"{name}{RECORD}"
        try:
            data = marshal.loads(record.read_bytes())
        except FileNotFoundError:  # recorded by an earlier version
            data = json.loads((self.folder / f"{name}.json").read_text(encoding="utf-8"))
        return _segment_of(name, sealed, data)

    def remember(self, segments: Sequence[Segment], work: SearchWork) -> None:
        """Record the published segments (those of `work`'s plan, built), their ledger and the pages'
        prints, and delete every other folder and file of the store."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for segment in segments:
            self._segments[segment.name] = segment
            meta = self.folder / f"{segment.name}{RECORD}"
            if not meta.exists():  # written by build(); not for a segment recorded inline before
                _replace_file(meta, _segment_record(segment))
        listed = [(s.name, s.sealed) for s in segments]
        ledger = work.ledger if work.ledger is not None and \
            sorted(work.ledger.live) == sorted(s.name for s in segments if s.sealed) else None
        data = {"segments": listed, "pages key": work.pages_key,
                "ledger": ledger.values() if ledger is not None else None}
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            if work.whole:
                db.execute("DELETE FROM prints")
                db.executemany("INSERT INTO prints VALUES (?, ?, ?)",
                               ((rel, *print_) for rel, print_ in work.prints.items() if print_ is not None))
            else:
                db.executemany("DELETE FROM prints WHERE rel = ?",
                               ((rel,) for rel, print_ in work.prints.items() if print_ is None))
                db.executemany("INSERT OR REPLACE INTO prints VALUES (?, ?, ?)",
                               ((rel, *print_) for rel, print_ in work.prints.items() if print_ is not None))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (marshal.dumps(data),))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._state = _State(("db", db.execute("PRAGMA data_version").fetchone()[0]), listed, work.pages_key,
                             ledger, None)
        keep = {s.name for s in segments} | {f"{s.name}{RECORD}" for s in segments} | {work.runtime} | \
            {DATABASE + suffix for suffix in ("", "-wal", "-shm", "-journal")}
        for child in self.folder.iterdir():
            if child.name not in keep:
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
        for name in [name for name in self._segments if name not in keep]:
            del self._segments[name]
            self._files.pop(name, None)

    def let_go(self) -> None:
        """Forget what was read or written (kept only for a long-lived builder's next build), and close
        the database: a one-shot build lets its state go once it is recorded."""
        self._segments, self._files, self._state = {}, {}, None
        if self._db is not None and self._db[0] == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._db[1].close()
        self._db = None

    def segment_files(self, segment: Segment) -> dict[str, tuple[str, str]]:
        """The segment's files in the output: output path -> (fingerprint, its path in the store)."""
        files = self._files.get(segment.name)
        if files is None:
            value = f"search {segment.name}"
            prefix = f"{SEGMENT_FOLDER}{segment.name}/"
            files = self._files[segment.name] = {prefix + name: (value, f"{segment.name}/{name}")
                                                 for name in segment.files}
        return files

    def runtime_name(self, language: str) -> str:
        return "runtime-" + hashlib.blake2b(f"{self.version()} {language}".encode(), digest_size=6).hexdigest()

    def made(self, search_files: Mapping[str, str], language: str) -> bool:
        """Whether a site's search (its files: output path -> fingerprint) is of this Pagefind's runtime:
        not of the standard build where the extended one is installed now, or of another version."""
        return search_files.get(f"{BUNDLE}/{_RUNTIME_FILES[0]}") == f"search {self.runtime_name(language)}"

    def runtime(self, language: str) -> tuple[str, tuple[str, ...]]:
        """The bundle the search page imports (Pagefind's script and WebAssembly, and an index of
        one hidden placeholder page, as Pagefind needs a primary index): (folder name, files)."""
        name = self.runtime_name(language)
        target = self.folder / name
        if not target.is_dir():
            page = (f'<!doctype html><html lang="{_attribute(language)}"><head><title>search</title></head>'
                    '<body><main data-pagefind-body><p>digestsearchplaceholder</p></main></body></html>')
            self._index({PLACEHOLDER: page.encode()}.items(), target, keep_runtime=True)
        return name, _files_in(target)

    def build(self, segments: Sequence[Segment], source: Path, jobs: int,
              progress: Callable[[], None] | None = None) -> list[Segment]:
        """Index each segment's pages, read from the tree `source`; the segments with their files.
        `jobs` Pagefind processes run at once; with several segments, one more thread reads the next
        segment's pages and writes a finished one's files meanwhile. (One thread a process: each
        segment's Pagefind started after the last one's files were written, and two segments of
        equal size ended together: in a build from nothing at 10,000 entries the two cores were a
        quarter idle while only Pagefind ran.)"""
        running = threading.BoundedSemaphore(max(jobs, 1))

        def one(segment: Segment) -> Segment:
            target = self.folder / segment.name
            shutil.rmtree(target, ignore_errors=True)
            written = self._index(((rel, source / rel) for rel in segment.pages), target, keep_runtime=False,
                                  running=running)
            fragments = _fragment_ids_of(written)
            built = Segment(segment.name, segment.pages, segment.sealed,
                            {rel: fragments[page_url(rel)] for rel in segment.pages if page_url(rel) in fragments},
                            tuple(sorted(written)))
            _replace_file(self.folder / f"{segment.name}{RECORD}", _segment_record(built))
            if progress is not None:
                progress()
            return built

        if len(segments) <= 1 or jobs <= 1:
            return [one(s) for s in segments]
        with ThreadPoolExecutor(max_workers=jobs + 1) as pool:  # each holds a Pagefind process while `running` lets it
            return list(pool.map(one, segments))

    def _index(self, pages: Iterable[tuple[str, Path | bytes]], target: Path, keep_runtime: bool,
               running: threading.BoundedSemaphore | None = None) -> dict[str, bytes]:
        """Index these pages (each cut to what Pagefind reads of it, search_page, or else whole) into
        `target`: handed to Pagefind's service in memory, not written out as a site for it to read
        (a segment of 1,024 pages: 2.4-2.5 s against 6.0-6.4 s, mostly waiting on the file system to
        make and delete a folder for each page). The files written, by their path in `target`.
        `running`: held while Pagefind runs (not while the pages are read or its files written)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        written: dict[str, bytes] = {}
        with tempfile.TemporaryDirectory(prefix="index-", dir=self.folder) as scratch:
            with open(Path(scratch) / "stderr", "w+b") as errors:
                handed = [(rel, _indexed_html(page)) for rel, page in pages]
                with running if running is not None else contextlib.nullcontext():
                    files = index_pages(self.executable, handed, errors)
                del handed
                if isinstance(files, str):
                    errors.seek(0)
                    detail = [files, *errors.read().decode("utf-8", "replace").strip().splitlines()]
                    raise DigestError(f"the search index could not be built: {detail[-1]}", target,
                                      hint="run `pagefind --site output` to see the whole message, or build "
                                      "with --no-search")
            output = Path(scratch) / "out"
            for rel, data in files.items():
                name = rel.rpartition("/")[2]
                if "/" in rel or name == "pagefind-entry.json" or name.endswith(".pf_meta") or (
                        keep_runtime and (name in _RUNTIME_FILES or name.startswith("wasm."))):
                    path = output / rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
                    written[rel] = data
            os.replace(output, target)
        return written


def _indexed_html(page: Path | bytes) -> bytes:
    """What Pagefind is handed of a page: its bytes, cut to its search body where that can be told."""
    if isinstance(page, bytes):
        return page
    html = page.read_bytes()
    return search_page(html) or html


def index_pages(executable: Path, pages: Sequence[tuple[str, bytes]], errors: IO[bytes]) -> dict[str, bytes] | str:
    """Index these pages (path in the site, HTML) with one `pagefind --service` process: the files
    `pagefind --site` writes for a site of these files (the same URLs and fragments), by their path in
    its output folder, or what went wrong. Its stderr goes to `errors`.

    The service reads requests on stdin and answers each on stdout, a message being base64 of JSON
    ended by a comma. It handles them in order (the answers come in order, and the index's bytes are
    the same from run to run, under load too), so the pages are sent by a thread while this one reads
    the answers (neither pipe fills while the other waits; one page at a time cost Pagefind 15 % more
    CPU). The files are asked for, not written by the service: it may answer before its writes are
    done, and end with them undone when its input closes (an empty `pagefind-entry.json` was seen)."""
    process = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=errors)
    assert process.stdin is not None and process.stdout is not None
    stdin, answers = process.stdin, _Answers(process.stdout)
    started = finished = False
    sending: threading.Thread | None = None

    def request(number: int, payload: dict[str, Any]) -> bytes:
        return base64.b64encode(json.dumps({"message_id": number, "payload": payload}).encode()) + b","

    def answer(expected: str) -> dict[str, Any] | str:
        found = answers.next()
        if found is not None and found.get("type") == expected:
            return found
        if found is not None and found.get("type") == "Error":
            return str(found.get("message") or "Pagefind's service failed")
        return "Pagefind's service ended" if started else \
            "Pagefind's service did not start (Pagefind 1.1 or later is needed)"

    def send_pages(index: int) -> None:
        with contextlib.suppress(OSError, ValueError):  # the service ended (its answers say so), or its input closed
            for number, (rel, html) in enumerate(pages, 2):
                stdin.write(request(number, {"type": "AddFile", "index_id": index, "file_path": rel, "url": None,
                                             "file_contents": html.decode("utf-8", "replace")}))
            stdin.flush()

    try:
        stdin.write(request(1, {"type": "NewIndex", "config": None}))
        stdin.flush()
        made = answer("NewIndex")
        if isinstance(made, str):
            return made
        started = True
        sending = threading.Thread(target=send_pages, args=(made["index_id"],), daemon=True)
        sending.start()
        for rel, _ in pages:
            added = answer("IndexedFile")
            if isinstance(added, str):
                return f"{rel}: {added}"
        sending.join()
        stdin.write(request(len(pages) + 2, {"type": "GetFiles", "index_id": made["index_id"]}))
        stdin.flush()
        got = answer("GetFiles")
        if isinstance(got, str):
            return got
        finished = True
        return {str(file["path"]): base64.b64decode(file["content"]) for file in got["files"]}
    except BrokenPipeError:
        return "Pagefind's service ended"
    finally:
        if not finished:  # the sending thread may wait on a full pipe: the service goes, the thread ends
            process.kill()
        with contextlib.suppress(OSError, ValueError):
            stdin.close()
        process.wait()
        if sending is not None:
            sending.join()


class _Answers:
    """The service's answers, one at a time (None once it closed its stdout)."""

    def __init__(self, stdout: IO[bytes]) -> None:
        self._stdout = stdout
        self._rest = b""  # read past the last answer

    def next(self) -> dict[str, Any] | None:
        parts = [self._rest]
        while b"," not in parts[-1]:  # an answer of all a segment's files is megabytes: read in parts
            chunk = self._stdout.read1(1 << 16)  # type: ignore[attr-defined]
            if not chunk:
                return None
            parts.append(chunk)
        last, _, self._rest = parts.pop().partition(b",")
        parts.append(last)
        try:
            payload = json.loads(base64.b64decode(b"".join(parts)))["payload"]
        except (ValueError, KeyError, TypeError):
            return {"type": "Error", "message": "Pagefind's service answered what digest cannot read"}
        return payload if isinstance(payload, dict) else None


def _segment_record(segment: Segment) -> bytes:
    """What `<name>.marshal` holds of a segment (SearchStore._read_segment reads it back). By marshal: an
    edit at 100,000 entries read the 99 segments' records as JSON in 125 ms, so in 50 ms."""
    return marshal.dumps(_segment_values(segment))


def _segment_values(segment: Segment) -> dict[str, Any]:
    """A segment's pages, fragments and files as values marshal writes (_segment_of reads them)."""
    return {"pages": dict(segment.pages), "fragments": dict(segment.fragments), "files": list(segment.files)}


def _segment_of(name: str, sealed: bool, data: Mapping[str, Any]) -> Segment:
    return Segment(name, data["pages"], sealed, data["fragments"], tuple(data["files"]))


def _replace_file(path: Path, data: bytes) -> None:
    """Written whole or not at all (a temporary file, then renamed)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def segments_file(segments: Sequence[Segment], pages: Mapping[str, str], placeholder_fragment: str | None,
                  stale_copies: Iterable[tuple[str, str]] | None = None) -> bytes:
    """pagefind/segments.json: the segment folders to merge (relative to pagefind/) and the
    stale copies to hide (hidden_copies). Sorted, so the same segments give the same bytes."""
    hidden = hidden_copies(segments, pages, stale_copies)
    if placeholder_fragment is not None:
        hidden.setdefault(placeholder_fragment, []).append(page_url(PLACEHOLDER))
    data = {"version": 1, "segments": sorted(f"segments/{s.name}/" for s in segments),
            "hidden": dict(sorted(hidden.items()))}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def placeholder_fragment(runtime: Path) -> str | None:
    return _fragment_ids(runtime).get(page_url(PLACEHOLDER))


def _fragment_ids(index: Path) -> dict[str, str]:
    """URL -> fragment id, read from the fragments Pagefind wrote (gzip of "pagefind_dcd" + JSON)."""
    folder = index / "fragment"
    names = os.listdir(folder) if folder.is_dir() else []
    return _fragment_ids_of({f"fragment/{name}": (folder / name).read_bytes() for name in names})


def _fragment_ids_of(files: Mapping[str, bytes]) -> dict[str, str]:
    """_fragment_ids of an index's files held in memory (path in the index -> bytes)."""
    ids: dict[str, str] = {}
    for rel in sorted(files):
        folder, _, name = rel.rpartition("/")
        if folder == "fragment":
            ids[_fragment_url(files[rel])] = name.removesuffix(".pf_fragment")
    return ids


_URL_KEY = b'pagefind_dcd{"url":'
_JSON = json.JSONDecoder()


def _fragment_url(data: bytes) -> str:
    """The page URL a fragment names. Pagefind writes it first: only the fragment's start is
    inflated and read (10,000 fragments: 1.0 s of the search stage's CPU when each was inflated and
    parsed whole); a fragment laid out otherwise is read whole."""
    inflate = zlib.decompressobj(wbits=31)  # gzip
    start = inflate.decompress(data, 4096)
    if start.startswith(_URL_KEY):
        with contextlib.suppress(ValueError):
            url, _ = _JSON.raw_decode(start.decode("utf-8", "replace"), len(_URL_KEY))
            if isinstance(url, str) and "\ufffd" not in url:
                return url
    whole = gzip.decompress(data)
    whole = whole[len(b"pagefind_dcd"):] if whole.startswith(b"pagefind_dcd") else whole
    url = json.loads(whole)["url"]
    assert isinstance(url, str)
    return url


def _files_in(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()))


def _attribute(text: str) -> str:
    return "".join(c for c in text if c.isalnum() or c in "-_") or "en"


@dataclass(frozen=True)
class SearchWork:
    """What one build does for search: the segments to keep and to build, and where they are."""

    store: SearchStore
    # Article page -> digest of its bytes, as the build will publish them: every page's (`whole`), or
    # those of the ledger's stale copies only (what the search page's listing needs)
    pages: Mapping[str, str]
    # Article page -> (fingerprint, digest), for the next build: every page's (`whole`), or those that
    # changed (None: gone)
    prints: Mapping[str, tuple[str, str] | None]
    plan: SegmentPlan
    runtime: str  # the runtime bundle's folder in the store
    runtime_files: tuple[str, ...]
    pages_key: str | None = None  # PageChanges.after: recorded with the prints
    ledger: Ledger | None = None  # of the segments planned (None: not known, the next build plans from every page)
    whole: bool = True  # planned from every page (else from the ledger and the pages changed)


@dataclass(frozen=True)
class PageChanges:
    """How a build's pages differ from the live site's, told by the build: `before` and `after` are
    keys of the live site's pages and of the build's (equal keys: the same paths and fingerprints),
    `items` holds every (path, fingerprint) of the build that may be new or other (and may hold
    more), `gone` every path of the live site that may be gone (and may hold more)."""

    before: str
    after: str
    items: Iterable[tuple[str, str]]
    gone: Iterable[str]


def plan_search(store: SearchStore, manifest: Mapping[str, str], language: str,
                is_article: Callable[[str], bool], tree: Path, changes: PageChanges | None = None) -> SearchWork:
    """The search work of a build whose output, in `tree`, holds `manifest` (output path ->
    fingerprint). A page counts as changed when what Pagefind reads of it did (indexed_digest): a
    fingerprint says what a page was made from (a neighbour's headline, say), and most such changes
    leave the indexed text alone, as do most edits to a template (the masthead, the footer).
    `changes`: when the store's prints are of the live site's pages (their keys agree), only the
    pages `changes` names are looked at, not the whole manifest (at 100,000 entries: 230,000 files,
    every chunk of the manifest read), and the segments are planned from the store's Ledger and
    those pages (plan_changed), where it has one: no print of another page is read or written."""
    previous = store.previous()
    salt = f"{store.version()} {language}"
    runtime, runtime_files = store.runtime(language)
    if changes is not None and changes.before == store.pages_key():
        items = [(rel, value) for rel, value in changes.items if is_article(rel)]
        gone = [rel for rel in changes.gone if manifest.get(rel) is None]
        known = store.prints_of([*(rel for rel, _ in items), *gone])
        changed: dict[str, tuple[str, str] | None] = {}
        for rel, value in items:
            before = known.get(rel)
            if before is None or before[0] != value:
                changed[rel] = (value, indexed_digest((tree / rel).read_bytes()))
        changed.update((rel, None) for rel in gone if rel in known)
        ledger = store.ledger()
        if ledger is not None:

            def digests(paths: list[str]) -> dict[str, str]:
                """These pages' digests now (of those there)."""
                now = {rel: print_[1] for rel, print_ in store.prints_of(
                    rel for rel in paths if rel not in changed).items()}
                now.update((rel, print_[1]) for rel in paths if (print_ := changed.get(rel)) is not None)
                return now

            planned = plan_changed(ledger, previous, {
                rel: (known[rel][1] if rel in known else None, print_[1] if print_ is not None else None)
                for rel, print_ in changed.items()}, digests, salt, SMALL, LARGE)
            if planned is not None:
                plan, after = planned
                return SearchWork(store, digests(sorted({rel for _, rel in after.stale})), changed, plan, runtime,
                                  runtime_files, changes.after, after, whole=False)
        prints = store.prints()
        for rel, print_ in changed.items():
            if print_ is None:
                del prints[rel]
            else:
                prints[rel] = print_
    else:
        known = store.prints()
        prints = {}
        for rel, value in manifest.items():
            if not is_article(rel):
                continue
            before = known.get(rel)
            if before is None or before[0] != value:
                before = (value, indexed_digest((tree / rel).read_bytes()))
            prints[rel] = before
    pages = {rel: print_[1] for rel, print_ in prints.items()}
    plan = plan_segments(pages, previous, salt, SMALL, LARGE)
    return SearchWork(store, pages, prints, plan, runtime, runtime_files, changes.after if changes else None,
                      summary_of([*plan.kept, *plan.new], pages))


def work_record(work: SearchWork, built: Sequence[Segment]) -> tuple[Any, ...]:
    """A search's work and the segments it built, as values marshal writes (from the process that
    indexed them: read back by work_from_record)."""
    def segment(s: Segment) -> tuple[Any, ...]:
        return s.name, s.sealed, _segment_values(s)

    return (dict(work.pages), dict(work.prints), [segment(s) for s in work.plan.kept],
            [segment(s) for s in work.plan.new], work.runtime, tuple(work.runtime_files), work.pages_key,
            [segment(s) for s in built], work.ledger.values() if work.ledger is not None else None, work.whole)


def work_from_record(store: SearchStore, record: tuple[Any, ...]) -> tuple[SearchWork, list[Segment]]:
    """The work and the built segments work_record wrote, with this process's store."""
    pages, prints, kept, new, runtime, runtime_files, pages_key, built, ledger, whole = record

    def segments(values: list[tuple[Any, ...]]) -> tuple[Segment, ...]:
        return tuple(_segment_of(name, sealed, data) for name, sealed, data in values)

    prints = {rel: (value[0], value[1]) if value is not None else None for rel, value in prints.items()}
    work = SearchWork(store, pages, prints, SegmentPlan(segments(kept), segments(new)), runtime, tuple(runtime_files),
                      pages_key, ledger_of(ledger) if ledger is not None else None, whole)
    return work, list(segments(built))


def search_files(work: SearchWork, segments: Sequence[Segment]) -> dict[str, tuple[str, str | bytes]]:
    """Every file of the site's search: output path -> (fingerprint, the file's path in the store
    (a string: 20,000 Path objects cost 0.2 s) or its bytes)."""
    files: dict[str, tuple[str, str | bytes]] = {}
    for name in work.runtime_files:
        files[f"{BUNDLE}/{name}"] = (f"search {work.runtime}", f"{work.runtime}/{name}")
    for segment in segments:
        files.update(work.store.segment_files(segment))
    files[SEGMENTS] = listing_file(work, segments)
    return files


def listing_file(work: SearchWork, segments: Sequence[Segment]) -> tuple[str, bytes]:
    """SEGMENTS for these segments: (its fingerprint, its bytes)."""
    listing = segments_file(segments, work.pages, placeholder_fragment(work.store.folder / work.runtime),
                            None if work.whole or work.ledger is None else work.ledger.stale)
    return listing_print(listing), listing


def listing_print(listing: bytes) -> str:
    """The fingerprint of a SEGMENTS file with these bytes."""
    return "search " + hashlib.blake2b(listing, digest_size=16).hexdigest()


def listed_segments(listing: bytes) -> list[str] | None:
    """The names of the segments a SEGMENTS file lists (None: not such a file)."""
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        folders = json.loads(listing)["segments"]
        names = [folder.removeprefix("segments/").removesuffix("/") for folder in folders]
        if all(isinstance(name, str) and name and "/" not in name for name in names):
            return names
    return None


def store_source(work: SearchWork, rel: str) -> str:
    """Where a search file of the output (a segment's or the runtime's, not SEGMENTS) is in the store."""
    if rel.startswith(SEGMENT_FOLDER):
        return rel[len(SEGMENT_FOLDER):]
    return f"{work.runtime}/{rel[len(BUNDLE) + 1:]}"
