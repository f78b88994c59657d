"""The rebuild loop: a batch of changes -> ingest new seeds -> build -> tell the browsers.

A failed build leaves output/ as it was (the build publishes atomically), so the last good
site stays served while the overlay shows the error.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from digest.build import Builder, BuildOptions, BuildReport
from digest.config import load_config
from digest.errors import BuildFailed, DigestError, shown_path
from digest.ingest import IngestResult, ingest_paths, is_input, read_articles
from digest.reuse.article_memo import ArticleMemo
from digest.serve.reload import ReloadHub
from digest.serve.watch import Change, Watcher

Rebuilder = Callable[[Sequence[Change]], BuildReport]


class BuilderRebuild:
    """What serve calls after each batch of changes: the in-memory Builder, which keeps the cache
    between builds, parses only the changed entries and renders only pages whose fingerprint
    changed. The watcher's changes tell it which entry files to look at (the first build, with
    none, looks at all of them). Between batches, idle() brings the spare output tree up to date
    (Builder.catch_up), so that the edit after a template change is as quick as any other."""

    def __init__(self, site_root: Path, options: BuildOptions) -> None:
        self.builder = Builder(site_root, options)

    def __call__(self, changes: Sequence[Change]) -> BuildReport:
        return self.builder.build([c.path for c in changes] if changes else None)

    def idle(self, stop: Callable[[], bool]) -> None:
        self.builder.catch_up(stop)

    @property
    def next_due(self) -> float | None:
        """When an entry the last build held back for its future date comes due (Builder.next_due)."""
        return self.builder.next_due


def make_rebuilder(site_root: Path, options: BuildOptions) -> Rebuilder:
    return BuilderRebuild(site_root, options)


@dataclass(frozen=True)
class Rebuild:
    """One rebuild, for the terminal line."""

    changes: tuple[Change, ...]
    report: BuildReport | None
    error: DigestError | None
    ingested: tuple[IngestResult, ...]
    milliseconds: float
    site_left: bool = True  # after a failed build: whether an earlier site is there to serve

    def summary(self, site_root: Path) -> str:
        what = describe(self.changes, site_root)
        problem = ""
        if self.error is not None:
            problems = self.error.errors if isinstance(self.error, BuildFailed) else [self.error]
            first = str(problems[0]).replace("\n  hint:", " (hint:") + (")" if problems[0].hint else "")
            problem = first + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")
        if self.report is None:
            served = "still serving the last good site" if self.site_left else "no site to serve until a build succeeds"
            return f"{what}: failed in {self.milliseconds:.0f} ms, {served}: {problem}"
        seeds = sum(len(r.entries) for r in self.ingested if r.status in ("written", "updated"))
        ingested = f"{seeds} entr{'y' if seeds == 1 else 'ies'} ingested, " if self.ingested else ""
        removed = f", {self.report.removed} removed" if self.report.removed else ""
        return (f"{what}: {ingested}{self.report.rendered} file{'s' if self.report.rendered != 1 else ''} "
                f"written{removed} in {self.milliseconds:.0f} ms" + (f"; ingest failed: {problem}" if problem else ""))


def describe(changes: Sequence[Change], site_root: Path) -> str:
    if not changes:
        return "first build"
    if all(c.kind == "time" for c in changes):
        return "an entry's date came"
    paths = sorted({_short(c.path, site_root) for c in changes})
    if len(paths) == 1:
        return f"{paths[0]} changed"
    kinds = ", ".join(sorted({c.kind for c in changes}))
    return f"{len(paths)} files changed ({kinds})"


def _short(path: Path, site_root: Path) -> str:
    try:
        return shown_path(path.relative_to(site_root).as_posix())
    except ValueError:
        return shown_path(path)


class RebuildLoop:
    """Waits for settled changes, rebuilds, and reports to the hub and to on_rebuild."""

    def __init__(self, site_root: Path, watcher: Watcher, hub: ReloadHub, rebuild: Rebuilder,
                 reconfigured: Callable[[], None] | None = None) -> None:
        self.site_root = site_root
        self.watcher = watcher
        self.hub = hub
        self.rebuild = rebuild
        self.reconfigured = reconfigured  # after a good build of a changed digest.toml, before the reload
        self.output_path = _output_path(site_root)
        self.running = True

    def run(self, on_rebuild: Callable[[Rebuild], None], build_first: bool = True) -> None:
        """Build once (unless build_first is False), then once per settled batch until stopped.

        Every build runs in this one thread: the Builder's cache may be bound to its thread."""
        served = False  # whether the last build left a site in output_path (Rebuild.site_left)
        built_for: float | None = None  # the due time a build was made for already (one try each)
        if build_first and self.running:
            rebuild = self.once([])
            served = rebuild.site_left
            on_rebuild(rebuild)
            self._idle()
        while self.running:
            changes = self.watcher.wait(timeout=0.5)
            if not changes and served and not self.output_path.is_dir():
                # output/ deleted by hand: every page would be "not found" until the next save
                changes = [Change(self.output_path, "output", "deleted")]
            due = getattr(self.rebuild, "next_due", None)
            if not changes and served and due is not None and due != built_for and time.time() >= due:
                # an entry dated after the last build is due: published now, not at the next save
                built_for = due
                changes = [Change(self.output_path, "time", "due")]
            if changes and self.running:
                rebuild = self.once(changes)
                served = rebuild.site_left
                on_rebuild(rebuild)
                self._idle()

    def _idle(self) -> None:
        """Work the rebuilder can do before the next change (a Rebuilder may have none); it stops
        as soon as a change comes in or the loop is stopped."""
        idle = getattr(self.rebuild, "idle", None)
        if idle is None:
            return
        # Only an optimisation: on a failure the next build does the same work itself.
        with contextlib.suppress(DigestError, OSError, sqlite3.Error):
            idle(lambda: not self.running or self.watcher.pending())

    def once(self, changes: Sequence[Change]) -> Rebuild:
        started = time.perf_counter()
        report: BuildReport | None = None
        error: DigestError | None = None
        ingested: tuple[IngestResult, ...] = ()
        try:
            ingested = self._ingest(changes)
            if any(c.kind == "config" for c in changes):
                self.output_path = _output_path(self.site_root)
            written = [Change(p if p.is_absolute() else self.site_root / p, "content", "created")
                       for r in ingested for p in r.entries]
            report = self.rebuild([*changes, *written])
        except DigestError as exc:
            error = exc
        failed = [r.error for r in ingested if r.error is not None]  # the file named once, the hint apart
        if error is None:
            if self.reconfigured is not None and any(c.kind == "config" for c in changes):
                self.reconfigured()
            self.hub.built()
            if failed:
                error = failed[0] if len(failed) == 1 else BuildFailed(failed)
                self.hub.failed(error, self.site_root)
        else:
            self.hub.failed(error, self.site_root)
        return Rebuild(tuple(changes), report, error, ingested,
                       (time.perf_counter() - started) * 1000, report is not None or self.output_path.is_dir())

    def _ingest(self, changes: Sequence[Change]) -> tuple[IngestResult, ...]:
        folder = self.site_root / "seeds"
        seeds = sorted({c.path for c in changes if c.kind == "seeds" and c.path.is_file() and is_input(c.path, folder)})
        if not seeds:
            return ()
        config = load_config(self.site_root, required=False)
        results = ingest_paths(seeds, self.site_root / "content", site_root=self.site_root, topics=config.topics,
                               read=ArticleMemo(self.site_root, read_articles))
        # The entries ingest writes would come back as changes: this build already includes them.
        self.watcher.ignore_written([p if p.is_absolute() else self.site_root / p
                                     for r in results for p in r.entries])
        return tuple(results)




def _output_path(site_root: Path) -> Path:
    try:
        return load_config(site_root, required=False).output_path
    except DigestError:
        return site_root / "output"
