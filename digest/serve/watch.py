"""Watch content/, seeds/, themes/ and digest.toml; hand over settled batches of changes.

The watchdog callback only records what changed (path and kind); wait() blocks until changes
stop arriving for a quiet spell, so an editor's burst of writes and renames is one batch.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from digest.theme_files import walked_through_links

WATCHED_FOLDERS = {"content": "content", "seeds": "seeds", "themes": "theme", "static": "static"}
# Where the build reads through a link to a folder (a theme shared between sites, themes/mine ->
# ~/themes/mine, or parts shared between themes): a watch does not follow links, so those are watched too.
LINKED_FOLDERS = ("themes",)
CONFIG_FILE = "digest.toml"
QUIET_SECONDS = 0.03  # editors save in bursts (temporary file, rename) within a few milliseconds
MAX_WAIT_SECONDS = 1.0  # a steady stream of changes still gets built
_EDITS = {"created", "modified", "deleted", "moved", "closed"}  # not "opened": builds read files


@dataclass(frozen=True)
class Change:
    path: Path  # absolute
    kind: str  # "content" | "seeds" | "theme" | "static" | "config" | "output" (the output folder gone) | "time"
    # ("time": an entry dated after the last build came due; `path` is the output folder's)
    event: str  # "created" | "modified" | "deleted" | "moved" | "closed"


def classify(site_root: Path, path: Path) -> str | None:
    """The kind of a changed path, or None for a path no build reads (editor temp files too)."""
    try:
        parts = path.relative_to(site_root).parts
    except ValueError:
        return None
    if not parts:
        return None
    if parts == (CONFIG_FILE,):
        return "config"
    if parts[0] not in WATCHED_FOLDERS:
        return None
    name = parts[-1]
    if name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913":
        return None  # editors' backup, swap and lock files (4913 is vim's write test)
    if name.startswith(".") and not (parts[0] == "static" and name not in (".DS_Store", ".gitkeep")):
        return None  # hidden files are no content; in static/ they are published (.nojekyll, .well-known/)
    return WATCHED_FOLDERS[parts[0]]


class Watcher:
    """Records changes under site_root from watchdog's thread; wait() returns them in batches."""

    def __init__(self, site_root: Path, quiet: float = QUIET_SECONDS, max_wait: float = MAX_WAIT_SECONDS) -> None:
        self.site_root = site_root.resolve()
        self.quiet = quiet
        self.max_wait = max_wait
        self._changes: dict[tuple[Path, str], Change] = {}
        self._last = 0.0
        self._ignored: dict[Path, int] = {}  # path -> mtime_ns of a file digest itself wrote
        self._cond = threading.Condition()
        self._observer = Observer()
        self._watched: set[str] = set()
        self._links: dict[Path, Path] = {}  # a linked folder's or file's real path -> the link the site reads
        self._handler = _Recorder(self)

    def start(self) -> None:
        self._observer.schedule(self._handler, str(self.site_root), recursive=False)
        self._watch_folders()
        self._watch_links()
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)
        with self._cond:
            self._cond.notify_all()

    def ignore_written(self, paths: list[Path]) -> None:
        """Changes digest made itself (entries written by ingest): not worth another build."""
        with self._cond:
            for path in paths:
                with contextlib.suppress(OSError):
                    self._ignored[path.resolve()] = path.stat().st_mtime_ns
            for key in [k for k in self._changes if k[0] in self._ignored]:  # recorded before we knew
                del self._changes[key]

    def _watch_folders(self) -> None:
        for folder in WATCHED_FOLDERS:
            path = self.site_root / folder
            if folder not in self._watched and path.is_dir():
                self._observer.schedule(self._handler, str(path), recursive=True)
                self._watched.add(folder)

    def _watch_links(self) -> None:
        """Watch where the folders and files linked into LINKED_FOLDERS lead, unless a watch covers
        that already (each real folder walked once: a link to a folder above is no loop)."""
        for name in LINKED_FOLDERS:
            top = self.site_root / name
            covered = Path(os.path.realpath(top))
            for parent, files in walked_through_links(top):
                if os.path.islink(parent):
                    self._follow(Path(os.path.realpath(parent)), Path(parent), covered)
                for file in files:
                    if os.path.islink(os.path.join(parent, file)):  # a template linked one by one
                        self._follow(Path(os.path.realpath(os.path.join(parent, file))), Path(parent, file), covered)

    def _follow(self, real: Path, link: Path, covered: Path) -> None:
        """Watch a linked folder's real place (a linked file's: its folder), and report its changes as
        the link's."""
        if real.is_relative_to(covered):
            return  # watched already
        if real not in self._links:
            folder = real if real.is_dir() else real.parent
            try:
                self._observer.schedule(self._handler, str(folder), recursive=folder == real)
            except OSError:
                return
        self._links[real] = link  # the link's name now (it may have been renamed)

    def _as_seen(self, path: Path) -> Path:
        """A path under a linked folder's real place (or a linked file's), as the site reaches it:
        through the link."""
        for real, link in list(self._links.items()):
            if path.is_relative_to(real):
                return link / path.relative_to(real)
        return path

    def record(self, path: Path, event: str, is_directory: bool) -> None:
        path = self._as_seen(path)
        if event in ("created", "moved") and (is_directory or path.is_symlink()) and \
                any(path.is_relative_to(self.site_root / name) for name in LINKED_FOLDERS):
            self._watch_links()  # a new link, or a folder that may hold one
        if (is_directory and event in ("created", "moved") and path.parent == self.site_root
                and path.name in WATCHED_FOLDERS and path.is_dir()):
            # content/ (or seeds/, themes/) made after serve started: watch it, and take in the
            # files written into it before the watch began
            self._watch_folders()
            for inner in sorted(path.rglob("*")):
                if inner.is_file():
                    self.record(inner, "created", False)
        kind = classify(self.site_root, path)
        if kind is None or (is_directory and event in ("modified", "closed")):
            return
        with self._cond:
            mtime = self._ignored.get(path)
            if mtime is not None:
                try:
                    if os.stat(path).st_mtime_ns == mtime:
                        return
                except OSError:
                    pass
                del self._ignored[path]
            self._changes[(path, event)] = Change(path, kind, event)
            self._last = time.monotonic()
            self._cond.notify_all()

    def pending(self) -> bool:
        """Whether a change is waiting for the next wait() (it does not wait for it to settle)."""
        with self._cond:
            return bool(self._changes)

    def wait(self, timeout: float | None = None) -> list[Change]:
        """The next batch: blocks for a first change, then until `quiet` seconds pass without one.

        Returns [] when timeout passes with no change at all.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._changes:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return []
                self._cond.wait(0.5 if left is None else min(left, 0.5))
            first = time.monotonic()
            while True:
                now = time.monotonic()
                settle = self._last + self.quiet - now
                if settle <= 0 or now - first >= self.max_wait:
                    break
                self._cond.wait(settle)
            changes = list(self._changes.values())
            self._changes.clear()
        return changes


class _Recorder(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _EDITS:
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        for raw in paths:
            if raw:
                path = Path(os.fsdecode(raw))
                self.watcher.record(path, event.event_type, event.is_directory)
