"""The site's own `static/` folder, copied as it is to the output's root (CNAME, favicon.ico,
_redirects, .nojekyll, robots.txt, ...), as Hugo and Zola do.

A file there may replace one of the theme's static files (the site wins, as its templates do), but
never a page or feed the build makes: that is an error naming both.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import marshal
import os
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from digest.config import Config
from digest.errors import BuildFailed, DigestError, OutputError, utf8_name

STATIC_FOLDER = "static"
# Files an editor, a file manager or git leaves in a folder, never meant for the site.
_JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep"}
_JUNK_SUFFIXES = ("~", ".swp", ".swx", ".tmp")


def site_static_files(config: Config) -> list[tuple[str, Path]]:
    """(output path, source file) for every file under the site's static/ folder, sorted."""
    folder = config.site_root / STATIC_FOLDER
    if not folder.is_dir():
        return []
    found = []
    for path in folder.rglob("*"):
        if path.name in _JUNK_NAMES or path.name.endswith(_JUNK_SUFFIXES) or not path.is_file():
            continue
        found.append((path.relative_to(folder).as_posix(), path))
    return sorted(found)


def with_site_static(theme_files: Iterable[tuple[str, Path]], config: Config) -> list[tuple[str, Path]]:
    """The theme's static files and the site's static/ folder together; the site's file wins."""
    chosen = dict(theme_files)
    site_files = site_static_files(config)
    chosen.update(site_files)
    # A name that is not UTF-8 (a Latin-1 "Über.css" unzipped) can be no page's address, and broke
    # the build with a UnicodeEncodeError
    errors: list[DigestError] = [
        OutputError("the file's name is not UTF-8 text", _shown(path, config),
                    hint="rename it: a link can name a file only in UTF-8")
        for rel, path in sorted(chosen.items()) if not _is_utf8(rel)]
    errors += [
        OutputError(f"a link to {target}, outside the site: its content would be published", _shown(path, config),
                    hint=f"copy the file into {STATIC_FOLDER}/ if it is meant to be published, or remove the link")
        for _, path in site_files if (target := _linked_outside(path, config)) is not None]
    if errors:
        raise BuildFailed(errors) if len(errors) > 1 else errors[0]
    return sorted(chosen.items())


def _linked_outside(path: Path, config: Config) -> str | None:
    """Where a file of static/ that is a link leads, when that is outside the site and its static/ folder
    (a link to /proc/self/environ or ~/.ssh/id_rsa merged into a site's repository published the build
    machine's secrets, as Jekyll's safe mode and Hugo refuse to); None for any other file."""
    if not path.is_symlink():
        return None
    target = os.path.realpath(path)
    roots = {os.path.realpath(config.site_root), os.path.realpath(config.site_root / STATIC_FOLDER)}
    if any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
        return None
    return utf8_name(target)


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(path: Path, config: Config) -> str:
    """The path, from the site folder when it is in it, its bytes that are not UTF-8 as \\xNN."""
    shown = path.relative_to(config.site_root) if path.is_relative_to(config.site_root) else path
    return utf8_name(shown)


def check_static_clashes(static_paths: Iterable[str], generated: Iterable[str], config: Config,
                         generated_folders: Iterable[str] = ()) -> None:
    """A site static file at the output path of a generated page or feed, or in a folder the build
    fills itself (`generated_folders`, e.g. the search index's "pagefind/"), is an error naming both."""
    site_files = {rel for rel, _ in site_static_files(config)}
    made = set(generated)
    folders = tuple(generated_folders)
    errors: list[DigestError] = [
        OutputError(f"{STATIC_FOLDER}/{rel} would replace the page the build makes at {rel}",
                    Path(STATIC_FOLDER) / rel,
                    hint=f"remove or rename {STATIC_FOLDER}/{rel}: generated pages and feeds are not replaced "
                         "from static/; change a page through its template under themes/ instead")
        for rel in sorted(set(static_paths) & site_files & made)
    ]
    errors += [
        OutputError(f"{STATIC_FOLDER}/{rel} is in {rel.split('/')[0]}/, which the build fills with the search index",
                    Path(STATIC_FOLDER) / rel,
                    hint=f"move {STATIC_FOLDER}/{rel} to another folder (or build with --no-search)")
        for rel in sorted(site_files) if folders and rel.startswith(folders)
    ]
    if errors:
        raise BuildFailed(errors) if len(errors) > 1 else errors[0]


@dataclass(frozen=True)
class Swept:
    """What sweep_tree found in the folders it listed, relative to the tree."""

    removed: list[str]  # files the build did not make, deleted
    missing: list[str]  # files of the manifest that are not there (deleted by hand)


def remove_strays(tree: Path, manifest: Iterable[str] | Callable[[], Iterable[str]], keep: Iterable[str] = (),
                  record: Path | None = None, tree_key: str = "", only: Collection[str] | None = None,
                  stop: Callable[[], bool] | None = None, unknown_whole: bool = False) -> list[str]:
    """sweep_tree's files deleted."""
    return sweep_tree(tree, manifest, keep, record, tree_key, only, stop, unknown_whole).removed


STOP_EVERY = 256  # folders listed between two looks at `stop` (sweep_tree)


def sweep_tree(tree: Path, manifest: Iterable[str] | Callable[[], Iterable[str]], keep: Iterable[str] = (),
               record: Path | None = None, tree_key: str = "", only: Collection[str] | None = None,
               stop: Callable[[], bool] | None = None, unknown_whole: bool = False) -> Swept:
    """Delete the files under `tree` that the build did not make (not in `manifest`, not under a
    top folder in `keep`): a file put into output/ by hand would otherwise be published by every
    other build (the live tree becomes the spare). Returns what was deleted and, without `only`,
    which files of `manifest` the folders listed (or gone) lack: a page deleted by hand, which the
    build must make again (a folder's mtime changes when a file leaves it too).

    Adding a file changes its folder's mtime: with a `record` (a file where each folder's mtime is
    kept, per tree), only the folders changed since the last call are listed again. A walk of
    every folder cost 0.2-0.57 s at 10,000 entries (16,205 files in 12,000 folders); a stat of
    each, 0.05 s. `manifest` may be a function that reads it: it is called only when some folder
    must be listed (the tree's manifest is 27 MB in memory at 100,000 entries).

    `only`: the folders a build just wrote into (and their parents): only they are listed, the
    others taken as recorded, and the record brought up to date for them, so that the next build
    finds the whole tree as recorded (folders_as_recorded) and lists nothing. Without a record
    of the tree, nothing is done (the next build looks at every folder), or, `unknown_whole` (work
    that keeps no build waiting), every folder is listed and recorded. `stop()`: asked every
    STOP_EVERY folders listed (or, with `only`, looked at); when true, the sweep ends there and
    records nothing (the next build looks at those folders itself): a build waiting for the lock
    is not kept waiting."""
    kept = set(keep)
    known = _Folders.of(_read_record(record, tree_key))
    removed: list[str] = []
    seen = _Folders([], array("q"), array("Q"))  # the folders that hold no stray now
    changed = known is None
    root = os.fspath(tree)
    # The files wanted, made when a folder is first listed
    wanted_files: Collection[str] | None = None
    listed: set[str] = set()  # the folders listed by this call
    gone: list[str] = []  # recorded folders that are no more
    present: set[str] = set()  # the wanted files in the folders listed
    by_written = only is not None and known is not None  # only the folders written listed, the rest as recorded

    def sweep(rel_dir: str, walk_known: bool) -> None:
        """List rel_dir (and every folder under it that `known` does not vouch for: found in the
        record by bisection, not a set of every name, 4 MB and 0.03 s at 100,000 entries)."""
        nonlocal wanted_files
        if wanted_files is None:
            files = manifest() if callable(manifest) else manifest
            wanted_files = files if isinstance(files, (AbstractSet, Mapping)) else set(files)
        wanted = wanted_files
        stack = [rel_dir]
        while stack:
            current = stack.pop()
            if not by_written and stop is not None and len(listed) % STOP_EVERY == STOP_EVERY - 1 and stop():
                raise _Stopped
            listed.add(current)
            folder = f"{root}/{current}" if current else root
            with os.scandir(folder) as found:
                for item in found:
                    rel = f"{current}/{item.name}" if current else item.name
                    if item.is_dir(follow_symlinks=False):
                        if rel not in kept and (walk_known or known is None or known.place(rel) is None):
                            stack.append(rel)
                    elif rel not in wanted:
                        os.unlink(item.path)
                        removed.append(rel)
                    else:
                        present.add(rel)
            seen.add(current, os.stat(folder))

    if only is not None and known is None and not unknown_whole:
        return Swept([], [])
    if by_written:
        assert only is not None and known is not None
        for count, rel_dir in enumerate(sorted(only)):  # a folder before those under it
            if stop is not None and count % STOP_EVERY == STOP_EVERY - 1 and stop():
                return Swept(sorted(removed), [])
            if rel_dir in listed or any(rel_dir == top or rel_dir.startswith(f"{top}/") for top in kept):
                continue
            path = f"{root}/{rel_dir}" if rel_dir else root
            if os.path.isdir(path) and not os.path.islink(path):
                sweep(rel_dir, walk_known=False)
        # The folders looked at (those gone among them) are recorded as they are now; the rest as before
        places = (known.place(name) for name in set(only).union(listed))
        seen = known.without(sorted(k for k in places if k is not None)).merged(seen)
        changed = True
    elif known is None:
        try:
            sweep("", walk_known=True)
        except _Stopped:
            return Swept(sorted(removed), [])
        seen = seen.in_order()
    else:
        # A folder as recorded is vouched for as it is: only those changed or gone are noted
        # (126,632 folders at 100,000 entries: the loop is the sweep's time)
        dropped: list[int] = []
        for k, rel_dir, is_gone in _not_as_recorded(root, known):
            dropped.append(k)
            if is_gone:  # its parent changed, and is listed again
                gone.append(rel_dir)
            else:
                try:
                    sweep(rel_dir, walk_known=False)
                except _Stopped:
                    return Swept(sorted(removed), [])
        if dropped:
            changed = True
            seen = known.without(dropped).merged(seen)
    if record is not None and tree_key and changed:
        # Unchanged, it is not written again (0.07 s of a no-change build at 10,000 entries)
        _write_record(record, tree_key, seen.written())
    missing: list[str] = []
    if not by_written and (listed or gone):
        if wanted_files is None:  # only folders gone (their parent as recorded: not seen to happen)
            files = manifest() if callable(manifest) else manifest
            wanted_files = files if isinstance(files, (AbstractSet, Mapping)) else set(files)
        looked = listed.union(gone)
        everywhere = known is None  # every folder was listed: a file in none of them is missing
        missing = sorted(rel for rel in wanted_files if rel not in present and rel.partition("/")[0] not in kept
                         and (everywhere or rel.rpartition("/")[0] in looked))
    return Swept(sorted(removed), missing)


def record_made_folders(tree: Path, files: Iterable[str], keep: Iterable[str], record: Path, tree_key: str) -> None:
    """Record the folders of a tree the build has just made from an empty folder and written these
    `files` into (and nothing else: no stray can be there), as sweep_tree's walk of every folder
    records them: each folder that holds a file, or a folder that does, but those under a top folder
    in `keep`. A stat of each folder, no listing: at 10,000 entries the walk of both trees was 0.55 s
    at the end of a cold build, a single core's work while the other waited."""
    kept = set(keep)
    folders = {""}
    for rel in files:
        parent = rel.rpartition("/")[0]
        if parent.partition("/")[0] in kept:
            continue
        while parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    made = _Folders(sorted(folders), array("q"), array("Q"))
    root = os.fspath(tree)
    try:
        with _held_open(root) as held:
            for name in made.names:
                info = os.stat(name or ".", dir_fd=held) if held is not None else \
                    os.stat(f"{root}/{name}" if name else root)
                made.mtimes.append(info.st_mtime_ns)
                made.inodes.append(info.st_ino)
    except OSError:
        return  # only a saving: the next build lists every folder
    _write_record(record, tree_key, made.written())


class _Stopped(Exception):
    """sweep_tree's stop() said to end the walk."""


def folders_as_recorded(tree: Path, record: Path, tree_key: str) -> bool:
    """Whether every folder the record holds for this tree is as recorded (its mtime and inode):
    then no file came into any of them, and remove_strays would delete nothing. A stat of each
    folder (126,632 at 100,000 entries), nothing read or written: it can run beside other work."""
    known = _Folders.of(_read_record(record, tree_key))
    if known is None:
        return False
    try:
        return next(_not_as_recorded(os.fspath(tree), known), None) is None
    except OSError:
        return False


def _not_as_recorded(root: str, known: _Folders) -> Iterator[tuple[int, str, bool]]:
    """(its place in `known`, its name, whether it is gone) of each recorded folder under `root`
    whose mtime or inode is not as recorded, in the record's order: a stat of each as it goes,
    by its path from the tree's folder held open (the kernel then looks up the path's last parts
    only: at 100,000 entries 0.32 s for 126,632 folders, against 0.38-0.39 s by whole paths)."""
    stat_of = os.stat
    with _held_open(root) as tree:
        for k, (rel_dir, mtime_ns, inode) in enumerate(known):
            try:
                if tree is None:
                    info = stat_of(f"{root}/{rel_dir}" if rel_dir else root)
                else:
                    info = stat_of(rel_dir or ".", dir_fd=tree)
            except FileNotFoundError:
                yield k, rel_dir, True
                continue
            if info.st_mtime_ns != mtime_ns or info.st_ino != inode:
                yield k, rel_dir, False


@contextlib.contextmanager
def _held_open(root: str) -> Iterator[int | None]:
    """The folder `root` held open, to stat the paths under it from there (the kernel then looks up
    their last parts only); None where the platform cannot, or `root` is gone: whole paths then."""
    try:
        tree = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if _STAT_IN_FOLDER else None
    except FileNotFoundError:
        tree = None
    try:
        yield tree
    finally:
        if tree is not None:
            os.close(tree)


_STAT_IN_FOLDER = os.stat in os.supports_dir_fd  # not on Windows: whole paths there


class _Folders:
    """A tree's folders with their mtime_ns and inode, as the record keeps them: the names in one
    str, the numbers as arrays, in the names' order (so that a folder is found by bisection: a build
    that wrote into a few folders records them without a pass over every name, below). At 100,000
    entries a dict of (mtime, inode) tuples per folder was 31 MB a tree in memory (126,632 folders),
    read for both trees by every build, rewritten by every edit: the peak of a one-edit build. As
    names and arrays a tree is 15 MB."""

    def __init__(self, names: list[str], mtimes: array[int], inodes: array[int]) -> None:
        self.names, self.mtimes, self.inodes = names, mtimes, inodes

    @classmethod
    def of(cls, written: object) -> _Folders | None:
        """The folders of written(), or None when it is not that. A record written before the names
        were kept in order (three items, no mark) is put in order here."""
        if not (isinstance(written, tuple) and len(written) in (3, 4) and isinstance(written[0], str)
                and isinstance(written[1], bytes) and isinstance(written[2], bytes)):
            return None
        if len(written) == 4 and written[3] != _IN_ORDER:
            return None
        mtimes, inodes = array("q"), array("Q")
        try:
            mtimes.frombytes(written[1])
            inodes.frombytes(written[2])
        except ValueError:
            return None
        names = written[0].split("\0") if mtimes else []
        if not len(names) == len(mtimes) == len(inodes):
            return None
        folders = cls(names, mtimes, inodes)
        return folders if len(written) == 4 else folders.in_order()

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        return zip(self.names, self.mtimes, self.inodes, strict=True)

    def __len__(self) -> int:
        return len(self.names)

    def in_order(self) -> _Folders:
        """These folders in their names' order (a whole listing's are in the walk's)."""
        order = sorted(range(len(self.names)), key=self.names.__getitem__)
        return _Folders([self.names[k] for k in order], array("q", [self.mtimes[k] for k in order]),
                        array("Q", [self.inodes[k] for k in order]))

    def place(self, name: str) -> int | None:
        """Where this folder is (the names in order), or None when it is not here."""
        k = bisect.bisect_left(self.names, name)
        return k if k < len(self.names) and self.names[k] == name else None

    def without(self, dropped: list[int]) -> _Folders:
        """These folders but those at the places `dropped` (in increasing order)."""
        kept = _Folders([], array("q"), array("Q"))
        start = 0
        for k in [*dropped, len(self.names)]:
            kept.names.extend(self.names[start:k])
            kept.mtimes.extend(self.mtimes[start:k])
            kept.inodes.extend(self.inodes[start:k])
            start = k + 1
        return kept

    def merged(self, other: _Folders) -> _Folders:
        """These folders (in order) and the other's (none of them here), in order: a few put in their
        places, many sorted in with these."""
        if len(other) > _PUT_IN_PLACE:
            return _Folders(self.names + other.names, self.mtimes + other.mtimes,
                            self.inodes + other.inodes).in_order()
        merged = _Folders(list(self.names), array("q", self.mtimes), array("Q", self.inodes))
        for name, mtime_ns, inode in other:
            k = bisect.bisect_left(merged.names, name)
            merged.names.insert(k, name)
            merged.mtimes.insert(k, mtime_ns)
            merged.inodes.insert(k, inode)
        return merged

    def add(self, name: str, info: os.stat_result) -> None:
        self.names.append(name)
        self.mtimes.append(info.st_mtime_ns)
        self.inodes.append(info.st_ino)

    def written(self) -> tuple[str, bytes, bytes, str]:
        """As the record keeps them, in order (a folder's name never holds NUL)."""
        return "\0".join(self.names), self.mtimes.tobytes(), self.inodes.tobytes(), _IN_ORDER


_IN_ORDER = "in order"  # the record's mark of folders kept in their names' order (_Folders.written)
_PUT_IN_PLACE = 256  # folders merged into a record one by one, at most (_Folders.merged); more are sorted in


def recorded_folders(record: Path, tree_key: str) -> list[str] | None:
    """The folders the record holds for this tree (None: no record of it)."""
    known = _Folders.of(_read_record(record, tree_key))
    return None if known is None else known.names


def _tree_file(record: Path, tree_key: str) -> Path:
    """Where the record of one tree's folders is kept: a file a tree beside `record`'s name. A build
    reads and rewrites its own tree's only: at 100,000 entries one file of both trees was 18 MB,
    read and written again by every build that wrote (0.06 s of an edit's 0.08 s recording them)."""
    return record.with_name(f"{record.name}.{hashlib.blake2b(tree_key.encode(), digest_size=8).hexdigest()}")


def _read_record(record: Path | None, tree_key: str) -> object:
    """The tree's folders as _Folders.written() gives them; None when there is no record of it or it
    cannot be read (every folder is then listed). In marshal's format: a JSON record took 0.04 s
    to read at 10,000 entries, this one 0.005 s."""
    if record is None or not tree_key:
        return None
    try:
        data = marshal.loads(_tree_file(record, tree_key).read_bytes())
    except FileNotFoundError:
        try:  # the record of every tree in one file, as an earlier digest kept it
            every = marshal.loads(record.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return None
        return every.get(tree_key) if isinstance(every, dict) else None
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return data[1] if isinstance(data, tuple) and len(data) == 2 and data[0] == tree_key else None


def _write_record(record: Path, tree_key: str, written: tuple[str, bytes, bytes, str]) -> None:
    """Keep the tree's record; of the other trees', only the newest (two trees take turns). The
    record of every tree in one file, which digest wrote before, goes."""
    target = _tree_file(record, tree_key)
    temporary = target.with_name(target.name + ".tmp")
    try:
        temporary.write_bytes(marshal.dumps((tree_key, written)))
        os.replace(temporary, target)
    except OSError:
        return  # only a saving: the next build lists every folder
    try:
        others = [(item.stat().st_mtime_ns, item.path) for item in os.scandir(record.parent)
                  if item.name.startswith(f"{record.name}.") and not item.name.endswith(".tmp")
                  and item.name != target.name]
    except OSError:
        return
    for _, path in sorted(others, reverse=True)[1:]:
        with contextlib.suppress(OSError):
            os.unlink(path)
    with contextlib.suppress(OSError):
        record.unlink()
