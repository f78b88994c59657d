"""content/ -> its entry files (path, mtime, size), and how they differ from the build cache's rows:
what a build looks at first, to tell what changed. A module of its own, with nothing of the build's
around it: a command begins the walk in a process of its own before it imports the rest (a tenth of
a second at 10,000 entries)."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from digest.workers import Apart

EntryFiles = list[tuple[str, int, int]]  # (path relative to the site, mtime_ns, size) of each entry file
# The entry files that differ from the build cache's rows, when the walk found the rows' files and no other:
# (the cache's record of what it published from, as stored: its bytes; [(path, mtime_ns, size, the row's
# mtime_ns, the row's size)] of the files edited in place, in path order). See against_rows.
EditedInPlace = tuple[bytes, list[tuple[str, int, int, int, int]]]
WalkFound = tuple[EntryFiles, EditedInPlace | None]  # walk_entry_files
BegunWalk = Apart[WalkFound]  # walk_entry_files, begun in a process of its own
CACHE_FILE = (".digest", "cache", "build.sqlite")  # the build cache (reuse/cache.py), under the site's folder
PUBLISHED_FROM = "published-from"  # the cache's meta key of what a one-shot build published from (reuse/cache.py)


def entry_files(content_dir: Path, split: bool = False) -> EntryFiles:
    """(path relative to the site, mtime_ns, size) of every entry file, in path order (by the
    path's parts): *.md under content/, skipping hidden and underscore names, not following linked
    folders. Each folder is listed in name order and a folder's files come where its name does, so
    the list is in order as it is made (at 100,000 entries, sorting by the parts and making them
    was a third of the walk). `split`: the later of content/'s folders are walked in a forked
    process meanwhile (only for a process without threads, see workers.Apart: at 100,000 entries
    in two year folders the walk took 0.29 s instead of 0.55 s on two cores).

    A folder is listed and its files statted through its descriptor, by name (the kernel looks up
    one part of the path, not all of it): at 100,000 entries 0.41 s against 0.48 s in one process."""
    prefix = f"{content_dir.name}/"
    top = _opened(str(content_dir))
    if top is None:
        return []
    try:
        items = list(_listed(top))
        cut = _halfway(top, items) if split else 0
        if not cut:
            return _walk(prefix, top, items)
        with Apart(_walk, prefix, top, items[cut:]) as later:
            found = _walk(prefix, top, items[:cut])
            rest = later.result()
        return found + (rest if rest is not None else _walk(prefix, top, items[cut:]))
    finally:
        _close(top)


Folder = int | str  # a folder held open (its descriptor), or, where a folder cannot be listed so, its path


def _opened(path: str, within: Folder | None = None) -> Folder | None:
    """The folder at `path` (a name `within` a folder held open) held open, or its path where
    folders are not listed through descriptors; None when it is gone, not a folder, or a link."""
    if not _BY_DESCRIPTOR:
        return path if within is None else os.path.join(str(within), path)
    try:
        if within is None:
            return os.open(path, _FOLDER_FLAGS)
        return os.open(path, _FOLDER_FLAGS | os.O_NOFOLLOW, dir_fd=int(within))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a link put in its place meanwhile: not followed
            return None
        raise


def _close(folder: Folder) -> None:
    if isinstance(folder, int):
        os.close(folder)


_BY_DESCRIPTOR = os.scandir in os.supports_fd and os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW")
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def _halfway(top: Folder, items: Sequence[os.DirEntry[str]]) -> int:
    """Where to cut content/'s items (in name order; content/ is `top`) so that each part's folders
    hold about as many items (their own, counted by a listing: years hold months, topics their
    entries); 0 when there are not two folders to share."""
    sizes = []
    for item in items:
        size = 0
        if not item.name.startswith((".", "_")) and item.is_dir(follow_symlinks=False):
            folder = _opened(item.name, top)
            if folder is not None:
                try:
                    with os.scandir(folder) as listing:
                        size = sum(1 for _ in listing)
                except OSError:
                    size = 0
                finally:
                    _close(folder)
        sizes.append(size)
    if sum(1 for size in sizes if size) < 2:
        return 0
    total, running, best, cut = sum(sizes), 0, None, 0
    for at in range(1, len(items)):
        running += sizes[at - 1]
        gap = abs(total - 2 * running)
        if best is None or gap < best:
            best, cut = gap, at
    return cut


def _walk(prefix: str, top: Folder, items: Sequence[os.DirEntry[str]]) -> EntryFiles:
    """entry_files' walk of these items of one folder (`top`, whose path is `prefix`), in their order."""
    found: EntryFiles = []
    # The folders being listed, outermost first: each as (its path's prefix, the folder held open
    # (None: `top`, which the caller holds), its items not looked at yet)
    open_folders: list[tuple[str, Folder | None, Iterator[os.DirEntry[str]]]] = [(prefix, None, iter(items))]
    try:
        while open_folders:
            prefix, folder, listing = open_folders[-1]
            item = next(listing, None)
            if item is None:
                open_folders.pop()
                if folder is not None:
                    _close(folder)
                continue
            name = item.name
            if name.startswith((".", "_")):
                continue
            if item.is_dir(follow_symlinks=False):
                inner = _opened(name, top if folder is None else folder)
                if inner is not None:
                    open_folders.append((f"{prefix}{name}/", inner, _listed(inner)))
            elif name.endswith(".md"):
                try:
                    info = item.stat()  # follows a linked file, as reading it will
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    found.append((prefix + name, info.st_mtime_ns, info.st_size))
    finally:
        for _, folder, _ in open_folders:
            if folder is not None:
                _close(folder)
    return found


def _listed(folder: Folder) -> Iterator[os.DirEntry[str]]:
    """A folder's items in name order (none when it cannot be listed: gone, or not a folder)."""
    try:
        with os.scandir(folder) as listing:
            return iter(sorted(listing, key=_name))
    except (FileNotFoundError, NotADirectoryError):
        return iter(())


def _name(item: os.DirEntry[str]) -> str:
    return item.name


def walk_entry_files(content_dir: Path, site_root: Path | None = None) -> WalkFound:
    """entry_files(), and, given the site's folder, how they differ from the build cache's rows
    (against_rows), both made where the walk is made: a process of its own."""
    listed = entry_files(content_dir, split=True)  # in the Apart's process: no threads
    return listed, None if site_root is None else against_rows(listed, site_root.joinpath(*CACHE_FILE))


def against_rows(listed: EntryFiles, cache_file: Path) -> EditedInPlace | None:
    """The walk compared with the build cache's entry rows, read (path, mtime and size only) in one
    read transaction with the cache's record of what a one-shot build published from: the files whose
    mtime or size differs from their row's, when the rows are of these paths and no other, and the
    record is there (every write of the rows deletes it: while it is there, the rows are those it
    tells). Else None: no cache, no record, a file come or gone. None edited: the files are those the
    live site was published from (a build where nothing changed reads no row; before, the list's
    print was compared with the record's: 0.07 s at 100,000 entries to make). At 100,000 entries the
    rows are read in 0.07 s, here beside the build's imports, where a build read them all in 0.25-0.3 s
    to find the one file edited (a body edit then plans and reads only what shows it:
    build.Builder._build_edited)."""
    import sqlite3  # here only: the walk's process alone reads the rows

    try:
        db = sqlite3.connect(f"{cache_file.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        db.execute("BEGIN")  # the record and the rows as one moment's
        record = db.execute("SELECT value FROM meta WHERE key = ?", (PUBLISHED_FROM,)).fetchone()
        if record is None or db.execute("SELECT count(*) FROM entries").fetchone()[0] != len(listed):
            return None  # no record, or a file come or gone (counted: 2 ms at 100,000 rows; read: 70 ms)
        # In the order of their primary key (the rows' bytes: code points), which is the walk's (a folder's
        # files where its name falls) unless a name sorts below "/" after another's prefix (see below)
        rows = db.execute("SELECT path, mtime_ns, size FROM entries ORDER BY path").fetchall()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    edited = []
    for found, row in zip(listed, rows, strict=True):  # as many: counted in the same transaction
        if found != row:
            if found[0] != row[0]:
                return _against_unordered(listed, rows, bytes(record[0]))
            edited.append((*found, row[1], row[2]))
    return bytes(record[0]), edited


def _against_unordered(listed: EntryFiles, rows: list[tuple[str, int, int]], record: bytes) -> EditedInPlace | None:
    """against_rows where the rows' order is not the walk's ("a/b.md" and "a-b.md"), or a path differs."""
    known = {path: (mtime_ns, size) for path, mtime_ns, size in rows}
    edited = []
    for path, mtime_ns, size in listed:
        row = known.get(path)
        if row is None:
            return None
        if row != (mtime_ns, size):
            edited.append((path, mtime_ns, size, *row))
    return record, edited
