"""The build as users run it: the pipeline's stages (pipeline.py), with what earlier builds made
reused (reuse/). Builder coordinates the two:

config -> load entries (parsed only when their bytes changed: reuse/entry_rows.py) -> nothing
changed? done -> patch the stored plan (only what pages show changed: reuse/plan_patch.py) or plan
every page and feed (pipeline.plan_entries, handed the remembered story grouping: stories/remembered.py)
-> fingerprint each file -> render what the spare tree lacks -> index it for search (search.py)
-> swap the spare with output/ -> record what it holds (reuse/trees.py).

`build()` is the one-shot form (the CLI, tests). `Builder` keeps the cache's contents in memory
between builds, for a long-lived process such as the dev server. What it writes is held to
pipeline.py's, byte for byte (tests/test_pipeline.py).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import pickle
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from digest.collector import collector_off_for_command, collector_paused
from digest.config import CONFIG_NAME, Config, load_config
from digest.entry_file import warm_parser
from digest.entry_walk import PUBLISHED_FROM, BegunWalk, EntryFiles, walk_entry_files
from digest.errors import ContentWarning, DigestError, plural
from digest.feeds import FeedPlan, item_bodies
from digest.links import broken_links
from digest.load import KnownEntries
from digest.markdown_html import render_markdown
from digest.model import Entry, Page, Site, Story
from digest.organise import is_published, organise
from digest.output import (
    Staging,
    build_lock,
    check_output_folder,
    delete_trash_apart,
    empty_trash,
    existing_files,
    lock_wanted,
    spare_path,
)
from digest.pages import Selection, refreshed_page
from digest.permalinks import entry_html, use_made_ahead
from digest.pipeline import BuildOptions as BuildOptions  # the build's options, for those who import them from here
from digest.pipeline import apply_options as apply_options
from digest.pipeline import group_site, plan_entries
from digest.reuse.cache import BuildCache, TreeState, cache_path, is_damage, salt_for
from digest.reuse.cached_entry import CachedEntry, StaleEntry
from digest.reuse.entry_rows import (
    HEADS_KEPT,
    EntryRows,
    LazyFeatures,
    PublishedRows,
    RowChange,
    RowEntries,
    RowsFromCache,
    edited_rows,
    entries_key,
    entries_sum,
    inputs_key,
    key_of,
    live_files,
    moved_sum,
    next_publication,
    published,
    remember_files,
)
from digest.reuse.entry_rows import is_published as row_published
from digest.reuse.fingerprint import Fingerprinter, Salts, fingerprint, unit_print
from digest.reuse.manifest import EMPTY as EMPTY_MANIFEST
from digest.reuse.plan_patch import (
    FEED_TEMPLATE,
    FEED_UNIT,
    PLAN_BASE,
    PLAN_SHAPE,
    EntryLookup,
    KeptUnits,
    Plan,
    full_plan,
    named_units,
    patch,
    patch_changes,
    remembered_grouping,
    settle,
    store_plan,
    with_bodies,
)
from digest.reuse.recent import EntryChange, RecentPlan, plan_recent, regrouped_between, small_window
from digest.reuse.spare import catch_up_apart
from digest.reuse.touched import MOST, LivePlan, changed_entries, grouping, site_shape, touched_pages
from digest.reuse.trees import (
    SEARCH_PREFIX,
    catch_up_spare,
    folders_record,
    generated,
    present,
    record_made_tree,
    record_written_folders,
    same_pages,
    sweep_strays,
    tree_state,
    with_search,
)
from digest.search import SEGMENTS as SEARCH_LISTING
from digest.search import (
    PageChanges,
    SearchStore,
    SearchWork,
    Segment,
    is_extended,
    pagefind_executable,
    plan_search,
    work_from_record,
    work_record,
)
from digest.site_static import check_static_clashes, folders_as_recorded, with_site_static
from digest.stories import FEATURES_VERSION, group_stories
from digest.stories.remembered import (
    STORIES,
    Grouped,
    KeptGrouping,
    cached_stories,
    grouping_key,
    remembered_stories,
    same_stories_near,
    stories_after_change,
)
from digest.theme_files import TemplateSources, check_theme, static_files
from digest.tree_identity import tree_id
from digest.urls import feed_urls, is_article_output
from digest.workers import Apart, worker_count

if TYPE_CHECKING:
    import jinja2  # the template engine is loaded only by a build that renders (render_files)

    from digest.render_files import BodiesAhead

# Entries parsed anew whose links a build checks (links.py); above it, a cold build of a big site, `check` does.
LINK_CHECK_LIMIT = 1000
# A build from nothing of at least this many entries makes their bodies into HTML while it plans (BodiesAhead)
AHEAD_AT_LEAST = 400


@dataclass(frozen=True)
class BuildReport:
    entries: int
    pages: int
    feeds: int
    rendered: int  # files rendered anew this build (the rest were reused unchanged)
    removed: int
    seconds: float
    parsed: int = 0  # entry files parsed anew (the rest came from the cache)
    stages: tuple[tuple[str, float], ...] = ()  # (stage, seconds) in order: where the time went
    warnings: tuple[DigestError, ...] = ()  # likely mistakes in the entries parsed anew (content.key_warnings)

    def summary(self) -> str:
        return (f"built {plural(self.entries, 'entry', 'entries')}: {plural(self.pages, 'page')}, "
                f"{plural(self.feeds, 'feed')} ({self.rendered} rendered, {self.removed} removed) "
                f"in {self.seconds:.2f} s")


# A one-shot build that wrote at least this many files leaves the spare tree to be brought up to
# date by a process of its own (reuse.spare); below it the next build links them sooner than a
# process starts (1,000 links: 0.1-0.3 s)
CATCH_UP_APART = 2000


def build(site_root: Path, options: BuildOptions | None = None, walk: BegunWalk | None = None) -> BuildReport:
    """Build the site once. `walk`: walk_entry_files(site_root / "content") begun by the caller in
    a process of its own (a command begins it before it imports this module: the walk then runs
    during the imports); the build begins its own when not given one."""
    builder = Builder(site_root, options, once=True)
    builder.walk_begun = walk
    report: BuildReport | None = None
    salt = None
    try:
        report = builder.build()
        salt = builder.cache_salt
        return report
    finally:
        builder.close()
        if builder._output is not None:
            wrote = report.rendered + report.removed if report is not None and builder.spare_behind else 0
            _left_apart(site_root, builder._output, wrote, salt)


def _left_apart(site_root: Path, output: Path, wrote: int, salt: str | None) -> None:
    """What a one-shot build leaves to a process of its own, after the command returns: the spare
    brought up to date when the build wrote much of the site (`wrote` files), and the trees put
    aside deleted."""
    if wrote >= CATCH_UP_APART and salt is not None and catch_up_apart(site_root, output, salt):
        return  # that process empties the trash too
    delete_trash_apart(output)


UNIT_SALTS = "unit salts"  # meta key: the salts of the last build (unit_salts)


def cache_salt(config: Config) -> str:
    """The build cache's key for this site: what parsing reads of the config (not the whole file:
    a new site title keeps every parse and what the cache knows of the output trees; pages are
    fingerprinted on the whole file)."""
    return salt_for(f"{config.parse_key}\nfeatures {FEATURES_VERSION}", config.site_root)


def grouped_site(site_root: Path) -> Site:
    """pipeline.group_site (`digest stories`: every entry, drafts and future ones too) with the
    build cache of a site (a folder with digest.toml): entry files that an earlier build or run
    parsed are read back from the cache, not parsed again (20,097 headlines: the command in 2.0-2.3 s
    against 4.6 s), and those that changed are parsed and stored for the next build. Any other
    folder, or a cache it cannot write, is read as pipeline.group_site reads it, and nothing is
    written into the folder."""
    config = load_config(site_root, required=False)
    if (site_root / CONFIG_NAME).exists():
        with build_lock(site_root):  # only while the cache is read and written: a build may wait
            try:
                entries, features = _entries_through_cache(config)
            except (OSError, sqlite3.Error):  # a folder it cannot write: the cache is only an optimisation
                return group_site(site_root)
        with collector_paused():  # what grouping makes lives to the end
            return organise(entries, group_stories(entries, features), config)
    return group_site(site_root)


def _entries_through_cache(config: Config) -> tuple[list[Entry], dict[PurePosixPath, Any]]:
    """Every entry's head and story features, parsed only where the cache lacks them."""
    cache = BuildCache(config.site_root, cache_salt(config))
    try:
        rows = EntryRows()
        rows.read(cache)
        found = rows.refresh(config, cache, None, None).rows
        with collector_paused():  # the heads and features live to the end
            cache.fill(found, heads=True)
            features = LazyFeatures(found)
            entries: list[Entry] = [row.head for _, row in found]
            return entries, {entry.path: features[entry.path] for entry in entries}
    finally:
        cache.close()


class Builder:
    """Builds one site, again and again. The cache is read from disk once; later builds only stat
    the entry files, parse those that changed, and write the rows that changed."""

    def __init__(self, site_root: Path, options: BuildOptions | None = None, once: bool = False) -> None:
        self.site_root = site_root
        self.options = options or BuildOptions()
        self.once = once  # one build only: what only a later build would use is let go early (memory)
        self._cache: BuildCache | None = None
        self._rows = EntryRows()  # the cache's entry rows, in memory
        self._env: tuple[str, jinja2.Environment] | None = None
        # What the last build would render with (config, salt, template sources), and the salt whose
        # renderers a long-lived Builder's idle time has made ready (see _warm_renderers)
        self._renderers: tuple[Config, str, TemplateSources] | None = None
        self._renderers_ready: str | None = None
        self._grouper = KeptGrouping()  # a long-lived Builder's story grouping, kept up to date
        self._store: SearchStore | None = None  # the search's segments (search.py)
        self._unstored: Callable[[], None] | None = None  # the plan of this build, to store (_store_plan)
        self._ahead: BodiesAhead | None = None  # article bodies made while a build from nothing plans
        self._units = None if once else KeptUnits()  # its last full plan: unchanged units keep their fingerprints
        # A warm-up of the kept units under way in idle time: (salt, units to fingerprint, how far)
        self._warming: tuple[Salts, list[tuple[str, str, Any]], int] | None = None
        self._unit_salts: Salts | None = None  # the last build's (see _salts)
        self._output: Path | None = None  # the output folder of the last build
        # Whether the spare tree may lack many of the live files (see catch_up): a build wrote a
        # hundredth of the site or more since the last finished catch-up, or, for a long-lived
        # Builder, none of its own has caught up yet: the spare is as another process's last build
        # left it (at 100,000 entries finding what that build changed took 0.2 s of the first edit).
        self._spare_behind = not once
        self._twinned = False  # the last build made the spare a copy of the live tree (a build from nothing)
        # Files put into output/ by hand are deleted by a CLI build, and by the dev server's first.
        self._swept = False
        self._seen: tuple[Any, ...] | None = None  # what remember_files keeps of this build (one-shot builds)
        # walk_entry_files of content/, begun by the caller of a one-shot build (see build())
        self.walk_begun: BegunWalk | None = None
        self._folders_record = folders_record(site_root)  # see site_static.remove_strays
        self._warnings: list[DigestError] = []  # the last build's (see BuildReport.warnings)
        # The last build's published entries, and its (config, fingerprint salt, time) (a long-lived
        # Builder's warm-up: see catch_up)
        self._published: list[tuple[str, CachedEntry]] = []
        self._planned: tuple[Config, Salts, datetime] | None = None
        self._published_key: tuple[str, str] | None = None  # (plan salt, inputs key) of _published
        self._published_sum: int | None = None  # the entries_sum of _published
        self._published_rows = PublishedRows()  # how _published is found again (a long-lived Builder's)
        # When the first entry the last build held back for its future date comes due (a POSIX
        # timestamp; None: none is): the dev server builds again then, with no file saved.
        self.next_due: float | None = None

    def catch_up(self, stop: Callable[[], bool], batch: int = 1000) -> bool:
        """Use idle time (the dev server between edits) to bring the spare tree up to date with
        the live one, `batch` files at a time, so that the next build need not. After a build
        that rendered every file (a template or config change) the spare holds the old version of
        every file (or, after a change to what parsing reads of the config, is not known at all),
        and replacing them took 4.5 s of the next one-edit build at 10,000 entries (see
        reuse.trees.catch_up_spare). Then, once, it warms what a build that plans the whole site
        needs (see _warm_up). Returns early when stop() is true (an edit came in); True when
        nothing is left."""
        cache, output = self._cache, self._output
        if cache is None or output is None:
            return True
        def stop_for_either() -> bool:  # an edit, or a build of another process waiting (`digest build`)
            return stop() or lock_wanted(self.site_root)

        if not self._spare_behind:
            # After a build that wrote a few files, the spare lacks only those: cheaper for the next
            # build to bring along than reading and writing both manifests here (6 MB at 100,000).
            with build_lock(self.site_root):
                done = empty_trash(output, stop_for_either, batch)
        else:
            with build_lock(self.site_root):
                done = catch_up_spare(cache, output, stop_for_either, batch)
            if done:
                self._spare_behind = False
        return done and self._warm_up(cache, stop, batch) and self._warm_renderers(stop)

    def _warm_up(self, cache: BuildCache, stop: Callable[[], bool], batch: int) -> bool:
        """Unpickle every published entry and make the story grouper, once, while the dev server
        waits for an edit: the first entry added or deleted (which plans the whole site, and
        groups again) would otherwise do both. Measured at 10,000 entries, they were 0.5 s and
        1.1 s of a 3.2 s addition. Then it plans the site and fingerprints its pages (_warm_plan).
        Returns early when stop() is true; True when done."""
        if self.once or not self._published:
            return True
        self._rows.index_places()
        self._published_rows.index_places()
        if self._grouper.warm:
            return self._warm_plan(cache, stop, batch)
        rows = self._published
        for start in range(0, len(rows), batch):
            if stop():
                return False
            cache.fill(rows[start:start + batch], each=lambda row: row.entry)
        if stop():
            return False
        stories = self._grouper(RowEntries(rows, lambda: [row.entry for _, row in rows]), LazyFeatures(rows))
        if stop():
            return False
        self._grouper.remember(stories)
        return self._warm_plan(cache, stop, batch)

    def _warm_plan(self, cache: BuildCache, stop: Callable[[], bool], batch: int) -> bool:
        """Plan the site as the last build found it and fingerprint its units into the kept plan
        (KeptUnits), so that the first entry added or deleted fingerprints only the pages it
        changed. Measured at 10,000 entries: fingerprinting every page was 0.4-0.5 s of a 1.8 s
        addition. Returns early when stop() is true; True when done."""
        if self._units is None or self._planned is None:
            return True
        config, salt, now = self._planned
        warming = self._warming
        if warming is None or warming[0] != salt:
            if self._units.salt == salt:
                return True  # warmed, or a full plan fingerprinted every unit
            if stop():
                return False  # (after making the story grouper, an edit may be waiting already)
            rows = self._published  # published at `now`, as that build found them
            _, pages, feeds = plan_entries([row.entry for _, row in rows], config, {},
                                           group=lambda _entries, _features: self._stories(rows, cache))
            # Kept when an edit comes in meanwhile: the next idle time goes on with it instead of
            # planning again (planning is not interruptible: 0.3-0.5 s at 10,000 entries, and in the
            # watch bench each edit waited for it). A unit planned before an edit is still a true
            # (context, fingerprint) pair: KeptUnits reuses it only for an equal context.
            warming = (salt, named_units(pages, feeds), 0)
        # A fifth of a batch between looks at stop(): 1,000 units took 0.1-0.15 s to fingerprint
        at = self._units.warm_from(warming[1], salt, stop, max(1, batch // 5), warming[2])
        self._warming = (salt, warming[1], at) if at < len(warming[1]) else None
        return self._warming is None

    def _warm_renderers(self, stop: Callable[[], bool]) -> bool:
        """Import and make, once, what rendering an edit needs: Jinja and the theme's templates (each
        compiled), markdown-it, the entry parser (PyYAML, python-frontmatter), the e-mails' modules,
        the search's record of its segments.
        The dev server's first edit after it started paid for them: at 10,000 entries its render
        took 0.07-0.09 s against 0.03 s for the next edit. A template with an error is left to the
        build, which reports it. Returns early when stop() is true; True when done."""
        if self.once or self._renderers is None or self._renderers_ready == self._renderers[1]:
            return True
        config, salt, sources = self._renderers
        if not self._warm_templates(config, salt, sources, stop):
            return False
        warm_parser(config)
        render_markdown("## Warm\n\nA [link](https://example.org/) *and* **words**.\n")
        executable = pagefind_executable() if self.options.search else None
        if executable is not None:  # the search's state and segments, read once (0.08 s at 100,000 entries)
            self._search_store(executable).previous()
        self._renderers_ready = salt
        return True

    def _salts(self, config: Config, whole: str, cache: BuildCache, sources: TemplateSources) -> Salts:
        """The salts of the units' fingerprints (unit_salts; `whole`: the hash of every
        template and the config), made again only when that changed: kept in memory and in the
        cache (parsing the templates for what they read took 0.05 s)."""
        if self._unit_salts is not None and self._unit_salts.whole == whole:
            return self._unit_salts
        known = cache.get(UNIT_SALTS)
        if not (isinstance(known, Salts) and known.whole == whole):
            known = unit_salts(config, whole, sources)
            cache.put(UNIT_SALTS, known)
        self._unit_salts = known
        return known

    def _environment(self, config: Config, salt: str, sources: TemplateSources) -> jinja2.Environment:
        """The template environment, made again only when the templates or the config changed
        (`salt`: the build's hash of both, the templates as `sources` read them: a kept environment
        compiles what it compiles from bytes of that same hash)."""
        from digest.render_files import template_environment  # Jinja: only when something is rendered

        key = f"{salt} {config.site_root}"
        if self._env is None or self._env[0] != key:
            self._env = (key, template_environment(config, sources))
        return self._env[1]

    def _warm_templates(self, config: Config, salt: str, sources: TemplateSources,
                        stop: Callable[[], bool] = lambda: False) -> bool:
        """Compile every template of the theme into the kept environment (_environment); one that
        fails to compile is reported, with its file and line, when a page renders with it. False
        when stop() came first (asked before each)."""
        env = self._environment(config, salt, sources)
        for name in env.list_templates():
            if stop():
                return False
            with contextlib.suppress(Exception):  # the build reports a template's error, with its line
                env.get_template(name)
        return True

    @property
    def cache_salt(self) -> str | None:
        """The salt of the cache the last build used (None before one opened it)."""
        return self._cache.salt if self._cache is not None else None

    @property
    def spare_behind(self) -> bool:
        """Whether the spare tree may lack many of the live files (see catch_up)."""
        return self._spare_behind

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def _open_cache(self, salt: str, rows: bool = True) -> BuildCache:
        """The build cache for this salt; `rows`: with its entry rows read (else the caller reads
        them when it needs them)."""
        if self._cache is None or self._cache.salt != salt:
            if self._cache is not None:
                # Entries parse differently now (time zone, topics): the kept grouper holds them as
                # parsed before, and looks only for changed bytes.
                self._grouper = KeptGrouping()
            self.close()
            self._cache = BuildCache(self.site_root, salt)
            if rows:
                self._rows.read(self._cache)
        return self._cache

    def build(self, changed: Iterable[Path] | None = None) -> BuildReport:
        """Build the site. `changed`: the files changed since the last build, when the caller
        knows them (the dev server's watcher): entry files are then looked at only there."""
        started = time.perf_counter()
        clock = _Clock(self.options.progress)
        self._twinned = False
        # What a long-lived Builder keeps between builds (entries, the kept plan, the story grouper)
        # lives on: the collector need not walk it during a build. In the dev server's bench at
        # 10,000 entries a full collection of it fell into some build's first stages, 0.18-0.27 s
        # of an addition or deletion of 1.3-1.5 s. For a one-shot build: its modules, and the collector
        # stays off while it builds (collector_off_for_command).
        gc.freeze()
        try:
            with collector_off_for_command() if self.once else contextlib.nullcontext():
                report = self._build(clock, None if changed is None else list(changed))
        except BaseException:
            self._spare_behind = True  # a failed build may have left the spare unknown
            raise
        finally:
            gc.unfreeze()
            if self._ahead is not None:  # a build that failed before its render
                self._ahead.cancel()
                self._ahead = None
            use_made_ahead({})
        if (report.rendered + report.removed) * 100 >= report.pages + report.feeds and not self._twinned:
            self._spare_behind = True
        return replace(report, seconds=time.perf_counter() - started, stages=tuple(clock.stages),
                       warnings=tuple(self._warnings))

    def _build(self, clock: _Clock, changed: list[Path] | None) -> BuildReport:
        options = self.options
        config = apply_options(load_config(self.site_root), options)
        self._output = config.output_path
        check_theme(config)
        check_output_folder(config.output_path, config.site_root, config.line_of("build", "output_dir"))
        with build_lock(self.site_root, options.waiting):  # a site, then: one build at a time on it
            try:
                return self._build_site(config, clock, changed)
            except sqlite3.OperationalError as exc:
                problem = cache_problem(exc, cache_path(self.site_root))
                if problem is not None:
                    raise problem from exc
                if not is_damage(exc):
                    raise
            except (sqlite3.DatabaseError, pickle.UnpicklingError) as exc:
                if not is_damage(exc):
                    raise
            # The cache is damaged: it is only an optimisation, so the site is built without it, once
            self._start_afresh()
            return self._build_site(config, clock, None)

    def _start_afresh(self) -> None:
        """Delete the cache and forget what was read of it (a damaged cache: see reuse.cache.is_damage)."""
        if self._cache is not None:
            self._cache.drop()
            self._cache = None
        self._rows = EntryRows()
        self._grouper = KeptGrouping()
        self._units = None if self.once else KeptUnits()
        self._warming = None
        self._unit_salts = None
        self._published = []
        self._planned = None
        self._published_key = None
        self._published_sum = None
        self._published_rows = PublishedRows()
        self.next_due = None

    def _build_site(self, config: Config, clock: _Clock, changed: list[Path] | None) -> BuildReport:
        # A one-shot build stats every entry file and every output folder in processes of their own
        # (at 100,000 entries 0.4 and 0.3 s, mostly waiting on the file system) while it keys the
        # theme and static files; it reads every row of the cache only when the entry files are not
        # those the live site was built from, or edited in place beyond what a plan patch covers
        # (entry_walk.against_rows, _build_edited)
        output = config.output_path
        live = tree_id(output)  # the live tree, read once: nothing renames it before the build publishes
        self._seen = None
        walk, self.walk_begun = self.walk_begun, None  # taken once: a second try (the cache damaged) walks again
        with (walk or Apart(walk_entry_files, config.content_path, self.site_root)) \
                if self.once and changed is None else _Inline() as files, \
                Apart(folders_as_recorded, output, self._folders_record, live or "") \
                if self.once and not self._swept else _Inline() as folders:
            report = self._build_from(config, clock, changed, files, folders, live)
        if self._seen is not None and self._cache is not None:  # built: the files it was built from
            remember_files(self._cache, *self._seen)
        return report

    def _build_from(self, config: Config, clock: _Clock, changed: list[Path] | None,
                    files: BegunWalk | _Inline,
                    folders: Apart[bool] | _Inline, live: str | None) -> BuildReport:
        options = self.options
        self._unstored = None  # never the plan of a build that failed
        now = options.now or datetime.now(UTC)
        sources = TemplateSources(config)  # each template read once: hashed and compiled from the same bytes
        executable = pagefind_executable() if options.search else None
        salt = whole_salt(config, sources)
        if not self.once:
            self._renderers = (config, salt, sources)
        statics = [(rel, source.read_bytes()) for rel, source in with_site_static(static_files(config), config)]
        static_prints = {rel: fingerprint("static", hashlib.blake2b(data).hexdigest()) for rel, data in statics}
        # Pagefind's extended build installed since (or gone): the plan's salt tells, so the build goes
        # past its no-change shortcut and the search store (one of its own) indexes every article again.
        # No page shows which build indexed it: not in the templates' salts (it was in `whole`, which a
        # page made with a template that may read any other is fingerprinted with)
        extended = " extended" if executable is not None and is_extended(executable) else ""
        plan_salt = inputs_key(f"{salt} search={executable is not None}{extended}", [], static_prints)
        # Keyed by what parsing reads of the config, not the whole file: a new site title keeps every
        # parse and what the cache knows of the output trees (pages are fingerprinted on the whole file).
        cache = self._open_cache(cache_salt(config), rows=not self.once)
        output = config.output_path
        # The walk's list of entry files (25 MB at 100,000) goes once the rows are refreshed
        listed, edits = (files.taken() if self.once and changed is None else None) or (None, None)
        making = _Making(config, cache, clock, now, sources, salt, executable, statics, static_prints, plan_salt, live)
        before_edits: dict[str, CachedEntry] = {}  # rows of files edited in place as the live site has them
        live_tree = cache.tree_inputs(live)
        # The record of what the live site was published from, when the rows the walk's process compared the
        # files with are still those it tells (the rows are not written since: see entry_walk.against_rows)
        seen = None if edits is None or live_tree is None or cache.value_bytes(PUBLISHED_FROM) != edits[0] else \
            live_files(plan_salt, now, live_tree, cache.get(PUBLISHED_FROM))
        # The same record, read before any row is written (a write deletes it): it tells the rows read below
        # (with before_edits), so the published entries' sum moves from its by the rows refreshed
        published_from = seen if seen is not None or not self.once else \
            live_files(plan_salt, now, live_tree, cache.get(PUBLISHED_FROM))  # (a dev server keeps its own sum)
        if seen is not None and live_tree is not None and edits is not None and listed is not None:
            if not edits[1]:
                # the entry files as the live site was built from, and it lacks no file: nothing to read
                if self._sweep_once(cache, live, output, folders):
                    clock.lap("config")
                    self._warnings = []
                    return BuildReport(seen[2], live_tree[1], live_tree[2], 0, 0, 0.0, 0)
            else:
                report = self._build_edited(making, edits[1], seen, live_tree, listed, folders, before_edits)
                if report is not None:
                    return report
        if self.once:
            self._rows.read(cache)
            self._rows.rows.update(before_edits)  # the rows as the live site has them, not as _build_edited left them
        clock.lap("config")
        before = self._rows.rows  # the entries as the last build found them
        # A build from nothing compiles its templates while the entries are parsed in workers (its
        # render would compile them first, the other core idle)
        warm = functools.partial(self._warm_templates, config, salt, making.sources) \
            if self.once and live is None and changed is None else None
        found = self._rows.refresh(config, cache, changed, options.jobs, listed=listed, meanwhile=warm)
        if self.once:
            listed = self._rows.found = None  # a one-shot build refreshes once
        self._warnings = list(found.warnings)
        parsed = len(found.parsed)
        clock.lap("load")
        if self.once:
            published_rows, due = published(found.rows, config, now), None
        else:
            published_rows, due = self._published_rows.of(found, config, now)
        # A long-lived Builder's last build: its published entries and their key, what the live
        # site was built from when it published (not made again: two passes over 100,000 rows)
        last_published, last_key = self._published, self._published_key
        # The published entries' sum moved from the last build's by the rows that changed, when they are
        # told (at 100,000 entries every row's term took 0.08 s of each edit, 0.12-0.19 s of an addition):
        # a dev server's edits in place by the rows they replaced; else the refresh's changes, from the
        # sum of the record (one-shot) or of the last build (dev server) when no entry came due since
        moved = None if self.once else self._published_rows.moved
        if self.once:
            last_sum = published_from[4] if published_from is not None else None
        else:
            last_sum = self._published_sum if moved is not None or self._published_rows.steady else None
        # The refresh's changes as changes of the published entries (a row not published counts as not there),
        # made when a sum or the live site's plan is moved by them (a cold build's are every row)
        published_changes = None if found.changes is None or (last_sum is None and live_tree is None) else \
            _published_changes(found.changes, config, now)
        told = moved if moved is not None else published_changes
        inputs_sum = entries_sum(published_rows) if last_sum is None or told is None else \
            moved_sum(last_sum, [(rel, was) for rel, was, _ in told if was is not None],
                      [(rel, row) for rel, _, row in told if row is not None])
        if not self.once:
            self._published_sum = inputs_sum
        inputs = key_of(plan_salt, inputs_sum)
        if not self.once:
            self._published, self._published_key = published_rows, (plan_salt, inputs)
            self.next_due = due
            self._planned = (config, self._salts(config, salt, cache, sources), now)
        if self.once:  # the rows are now those of every entry file it found
            self._seen = (plan_salt, inputs, len(published_rows), next_publication(found.rows, config, now), inputs_sum)
        clock.lap("inputs")
        self._sweep_once(cache, live, output, folders)
        known = cache.tree_inputs(live)
        if known is not None and known[0] == inputs:  # the live site was built from exactly these inputs
            return BuildReport(len(published_rows), known[1], known[2], 0, 0, 0.0, parsed)

        live_state = cache.tree(live)
        salts = self._salts(config, salt, cache, sources)
        plan = None
        live_plan = None
        recent_changes: list[RowChange] = []  # the published entries added, removed or edited (content)
        remembered = None
        if live_state is not None:
            changes = None if last_key == (plan_salt, live_state.inputs) else published_changes
            if changes is not None:
                # Every change an edit in place (no entry come, gone, published or held back): the patch is
                # told them, without a pass over every row (0.05 s at 100,000 entries)
                edited = [(rel, was, now_) for rel, was, now_ in changes if was is not None and now_ is not None]
                in_place = [(rel, was, now_) for rel, was, now_ in edited if was.content_hash != now_.content_hash] \
                    if len(edited) == len(changes) else None
                # Else the published entries the last refresh found, told from the change (at 100,000 entries
                # finding them again and their key took 0.2-0.3 s of every edit)
                before_rows = {} if in_place is not None else _published_before(published_rows, changes)
                base = (plan_salt, key_of(plan_salt, moved_sum(inputs_sum, [(rel, now_) for rel, _, now_ in changes
                                                                            if now_ is not None],
                                                               [(rel, was) for rel, was, _ in changes
                                                                if was is not None])))
                real = [(rel, was, now_) for rel, was, now_ in changes
                        if was is None or now_ is None or was.content_hash != now_.content_hash]
                entries_changed = frozenset(PurePosixPath(rel) for rel, _, _ in real)
                recent_changes = real
            elif moved is not None and last_key == (plan_salt, live_state.inputs):
                # A dev server's edits in place, as PublishedRows found them from the last build's rows: told,
                # not found by comparing every row's content (two dicts of 100,000 and a pass: 0.05-0.1 s)
                base = last_key
                in_place = [(rel, was, row) for rel, was, row in moved if was.content_hash != row.content_hash]
                before_rows = {}
                entries_changed = frozenset(PurePosixPath(rel) for rel, _, _ in in_place)
                recent_changes = list(in_place) if len(in_place) <= HEADS_KEPT else []
            else:
                in_place = None
                if last_key == (plan_salt, live_state.inputs):
                    before_list, base = last_published, last_key
                else:
                    before_list = published(list(before.items()), config, now)
                    base = (plan_salt, entries_key(plan_salt, before_list))
                before_rows = dict(before_list)
                entries_changed = changed_entries({rel: row.content_hash for rel, row in before_list},
                                                  {rel: row.content_hash for rel, row in published_rows})
                del before_list
                if not self.once and len(entries_changed) <= HEADS_KEPT:  # a dev server's change
                    rows_now = dict(published_rows)
                    recent_changes = [(rel, before_rows.get(rel), rows_now.get(rel))
                                      for rel in map(str, entries_changed)]
            if base[1] == live_state.inputs and cache.get(PLAN_BASE) == base:  # the live site's entries and plan
                remembered = cache.get(STORIES)  # read before a patch groups again
                same = functools.partial(self._same_stories, published_rows, cache, remembered)
                refresh = functools.partial(refreshed_page, config)
                plan = patch_changes(cache, base, in_place, salts, same, remembered, EntryLookup(published_rows),
                                     refresh) if in_place is not None else \
                    patch(cache, base, before_rows, published_rows, salts, same, remembered, refresh)
                if plan is None:
                    live_plan = _live_plan(cache, remembered, entries_changed, len(published_rows), live_state)
                elif self.once:
                    # A patch is the whole plan: the remembered stories are not read again (an edit at
                    # 100,000 entries held them, 55 MB, and their pickle, 16 MB, to the end of the build)
                    remembered = None
                    cache.forget_values()
            del before_rows  # no longer needed, nor the last build's rows (12 MB at 100,000)
        del before
        # A one-shot build over a live site renders a few pages: it plans with the entries' heads
        # (EntryHead) and reads the bodies of those it renders only.
        heads = self.once and live_state is not None
        if plan is not None:
            clock.lap("patch plan")  # only what pages show of entries changed: only the pages that show them
        else:
            recent = None if live_plan is None or (self.once and not heads) else \
                self._plan_recent(config, cache, published_rows, recent_changes, remembered, live_plan, salts, clock)
            plan = self._recent_plan(cache, published_rows, (plan_salt, inputs), salts, recent, clock, heads) \
                if recent is not None else \
                self._plan_site(config, cache, published_rows, now, (plan_salt, inputs), salts, clock, heads, live_plan)
            if heads:
                # Every entry's listing was read to organise the site: the pages planned keep those of
                # the entries they show, the rest go before the render and the search's own reading (at
                # 100,000 entries 190 MB, held to the build's end)
                for _, row in published_rows:
                    row.forget_listing()
        parsed_rows = [(rel, row) for rel, row in published_rows if rel in found.parsed] \
            if 0 < parsed <= LINK_CHECK_LIMIT else []
        return self._publish(making, plan, inputs, live_state, len(published_rows), parsed_rows, parsed, heads,
                             lambda: published_rows)

    def _publish(self, making: _Making, plan: Plan, inputs: str, live_state: TreeState | None, entries: int,
                 parsed_rows: Sequence[tuple[str, CachedEntry]], parsed: int, heads: bool,
                 every_published: Callable[[], Sequence[tuple[str, CachedEntry]]]) -> BuildReport:
        """Render and publish the pages and feeds of this plan (a plan of the site made of `inputs`,
        `entries` published entries: `parsed_rows` those parsed anew, `every_published()` all of them,
        asked for only when the plan must be made again whole)."""
        config, cache, clock, live = making.config, making.cache, making.clock, making.live
        static_prints, executable, output = making.static_prints, making.executable, config.output_path
        check_static_clashes(static_prints, generated(plan), config, (SEARCH_PREFIX,) if executable else ())
        state = tree_state(inputs, plan, static_prints, live_state)
        self._warnings += _link_warnings(config, parsed_rows, parsed, state.manifest)
        page_count, feed_count = state.pages, state.feeds
        clock.lap("manifest")
        store = None if executable is None else self._search_store(executable)
        if live is not None and live_state is not None and same_pages(live_state.manifest, state.manifest,
                                                                      store is not None) \
                and (store is None or store.made(live_state.manifest, config.language)):
            # e.g. a change no page shows (the search indexes pages: it is the same too)
            state = replace(state, manifest=live_state.manifest)
            self._store_plan()
            cache.record_tree(live, state, keep=present(tree_id(spare_path(output))))
            settle(cache, (making.plan_salt, inputs))
            return BuildReport(entries, page_count, feed_count, 0, 0, 0.0, parsed)
        # Jinja and the theme only when something is rendered (a deletion often renders nothing: the
        # spare tree holds the pages as they were before the addition)
        env = functools.partial(self._environment, config, making.salt, making.sources)
        try:
            rendered, removed = self._write(config, env, live_state, state, plan, making.statics, cache, clock, store)
        except _Incomplete:  # the spare tree lacks a file the patch did not plan: plan everything
            salts = self._salts(config, making.salt, cache, making.sources)
            plan = self._plan_site(config, cache, every_published(), making.now, (making.plan_salt, inputs), salts,
                                   clock, heads)
            return self._build_planned(config, env, live_state, inputs, plan, static_prints, making.statics, cache,
                                       clock, parsed, entries, executable)
        settle(cache, (making.plan_salt, inputs))
        return BuildReport(entries, page_count, feed_count, rendered, removed, 0.0, parsed)

    def _build_edited(self, making: _Making, edited: list[tuple[str, int, int, int, int]],
                      seen: tuple[str, str, int, float | None, int], live_tree: tuple[str, int, int],
                      listed: EntryFiles, folders: Apart[bool] | _Inline,
                      before_edits: dict[str, CachedEntry]) -> BuildReport | None:
        """A one-shot build of entry files edited in place since the live site was published (`seen`: the
        cache's record of that, live_files) from the cache's rows (the walk's process compared the files
        with the rows: entry_walk.against_rows, `edited`), when their edit changed what pages show of
        them and nothing that places them (a body edit): the rows of those files are read and the pages
        that show them planned from the stored plan (patch_changes); no other row is read but those of
        the entries on those pages. At 100,000 entries reading every row, finding the edited ones and the
        published entries and their key took 0.6-0.8 s. None when this does not hold (the build then goes
        the whole way, reading `before_edits`, the edited files' rows as the live site has them, over the
        cache's)."""
        config, cache, now, plan_salt = making.config, making.cache, making.now, making.plan_salt
        making.clock.lap("config")
        if len(edited) > HEADS_KEPT:
            return None  # much edited: the whole way
        _, live_inputs, entries, until, total = seen
        before = cache.entry_rows(rel for rel, *_ in edited)
        if any((before[rel].mtime_ns, before[rel].size) != (mtime_ns, size) if rel in before else True
               for rel, _, _, mtime_ns, size in edited):
            return None
        before_edits.update(before)
        now_rows, parsed, warnings = edited_rows(config, cache, before, {rel: (m, s) for rel, m, s, _, _ in edited},
                                                 self.options.jobs)
        moment = now.timestamp()
        changes = []  # the published entries edited: (path, before, now)
        for rel, row in now_rows.items():
            shown = row_published(row, config, moment)
            if shown != row_published(before[rel], config, moment):
                return None  # one more or one fewer published: the listings move
            if shown:
                changes.append((rel, before[rel], row))
        total = moved_sum(total, [(rel, was) for rel, was, _ in changes], [(rel, row) for rel, _, row in changes])
        inputs = key_of(plan_salt, total)
        # When the first entry held back for its date comes due: the edited ones' dates too (one edited to a
        # later date leaves the record's sooner moment, when the next build goes the whole way)
        due = next_publication(list(now_rows.items()), config, now)
        until = min([time_ for time_ in (until, due) if time_ is not None], default=None)
        self._warnings = list(warnings)
        making.clock.lap("load")
        # The look for strays in output/: files of the live tree deleted by hand are made again the whole way
        if not self._sweep_once(cache, making.live, config.output_path, folders):
            return None
        seen_now = (plan_salt, inputs, entries, until, total)
        if inputs == live_inputs:  # the files touched, or a draft edited
            self._seen = seen_now
            return BuildReport(entries, live_tree[1], live_tree[2], 0, 0, 0.0, len(parsed))
        edits_shown = [(rel, was, row) for rel, was, row in changes if was.content_hash != row.content_hash]
        if any(was.grouping != row.grouping for _, was, row in edits_shown):
            return None  # a headline, or a body's opening: the stories may change (the whole way groups them)
        live_state = cache.tree(making.live)
        rows = RowsFromCache(cache, now_rows)
        plan = None if live_state is None else patch_changes(
            cache, (plan_salt, live_inputs), edits_shown, self._salts(config, making.salt, cache, making.sources),
            same_stories=lambda: False, remembered=cache.get(STORIES), entry_of=lambda rel: rows[rel].entry,
            refresh=functools.partial(refreshed_page, config))
        cache.forget_values()
        if plan is None:
            return None  # a change of place (a topic, a tag, a day): the whole way
        self._rows.rows = rows  # the entries on the pages planned are read from here (_with_bodies)
        making.clock.lap("patch plan")

        def every_published() -> list[tuple[str, CachedEntry]]:  # the plan made again whole (_publish)
            self._rows.rows = every = cache.entries()
            return published([(rel, every[rel]) for rel, _, _ in listed], config, now)

        self._seen = seen_now
        return self._publish(making, plan, inputs, live_state, entries,
                             [(rel, row) for rel, _, row in changes if rel in parsed], len(parsed), True,
                             every_published)

    def _sweep_once(self, cache: BuildCache, live: str | None, output: Path, folders: Apart[bool] | _Inline) -> bool:
        """The look for stray files in output/ (the tree `live`), at a Builder's first build; False
        when it found files of the live tree deleted (its record says so now: see sweep_strays)."""
        if not self._swept:
            self._swept = True
            if folders.result() is not True:  # some folder changed, or not known
                return sweep_strays(cache, live, output, self._folders_record)
        return True

    def _search_store(self, executable: Path) -> SearchStore:
        """The search's store, kept from build to build (it remembers what it read and wrote)."""
        if self._store is None or self._store.executable != executable:
            self._store = SearchStore(self.site_root, executable)
        return self._store

    def _build_planned(self, config: Config, env: Callable[[], jinja2.Environment], live_state: TreeState | None,
                       inputs: str, plan: Plan, static_prints: dict[str, str], statics: Sequence[tuple[str, bytes]],
                       cache: BuildCache, clock: _Clock, parsed: int, entries: int,
                       executable: Path | None) -> BuildReport:
        """Write a full plan (after a patch turned out not to be enough)."""
        state = tree_state(inputs, plan, static_prints, live_state)
        store = None if executable is None else self._search_store(executable)
        rendered, removed = self._write(config, env, live_state, state, plan, statics, cache, clock, store)
        return BuildReport(entries, state.pages, state.feeds, rendered, removed, 0.0, parsed)

    def _plan_site(self, config: Config, cache: BuildCache, published_rows: Sequence[tuple[str, CachedEntry]],
                   now: datetime, base: tuple[str, str], salt: Salts, clock: _Clock, heads: bool = False,
                   live: LivePlan | None = None) -> Plan:
        """Stories, organise, plan and fingerprint every page and feed, for these entries; the plan
        is stored for later patches. `heads`: plan with the entries' heads, not the whole entries
        (measured at 10,000 entries: 0.17 s to read and unpickle them all, against 0.47 s); the
        pages rendered are handed whole ones (see _write). `live`: the live site's stored plan, when
        it can tell which pages the changed entries touched (reuse/touched.py): the others are
        kept as they are, not planned."""
        # Each row unpickled as it is fetched, its pickle let go: never every row's pickles at once.
        # Planned with heads, the features stay in the cache: a regrouping reads a few and searches
        # the rest there (stories.nearby; 80 MB at 100,000 entries); and only the entries' listings are
        # read (ListedHead), the rest of a head when a page planned shows it
        published = _read_entries(published_rows, cache, heads)
        assert all(is_published(e, config, now) for e in published)
        if self.once and live is None and not heads and len(published) >= AHEAD_AT_LEAST and \
                worker_count(self.options.jobs) > 1:
            # A build from nothing: its bodies made into HTML on the core its planning leaves idle
            from digest.render_files import bodies_ahead

            if self._ahead is not None:  # one begun for a plan made again: never left unread (its pipe)
                self._ahead.cancel()
            self._ahead = bodies_ahead(published, config)

        grouped_as: list[list[Story]] = []  # the stories as grouped (before organise joins shared keys)
        kept: dict[str, str] = {}  # pages not planned: output path -> the live fingerprint

        def grouped(entries: Sequence[Entry], _features: Mapping[PurePosixPath, Any]) -> list[Story]:
            """The remembered grouping (features read from the cache only to group again)."""
            # The entries live for the whole build: spare the garbage collector from walking them
            # again and again (measured: organise, plan and fingerprint take a third less CPU).
            gc.freeze()
            clock.lap("entries")
            stories = self._stories(published_rows, cache, heads, entries)
            grouped_as.append(stories)  # the list itself: it carries its form in the cache (remembered.Grouped)
            if self.once:
                for _, row in published_rows:
                    row.forget_features()  # in the cache; a third of what entries hold in memory
            clock.lap("stories")
            return stories

        def select(site: Site) -> Selection | None:
            if live is None:
                return None
            touched = touched_pages(site, config, grouped_as[0], live)
            if touched is None:
                return None
            kept.update(touched[1])
            return touched[0]

        # The site, its pages' contexts and their fingerprints live to the build's end: a collection
        # in between would only walk them
        with collector_paused():
            site, pages, feeds = plan_entries(published, config, {}, group=grouped, select=select)
            gc.freeze()
            clock.lap("organise+plan")
            shape = (site_shape(site), grouping_key([row.grouping for _, row in published_rows]))
            del site  # its indexes are not needed to fingerprint or store the plan (memory)
            grouped_as.clear()
            plan, page_found, feed_found = full_plan(pages, feeds, salt, self._units, kept)
            self._warming = None  # every unit fingerprinted now
            plan = replace(plan, heads=heads)
            clock.lap("fingerprint")
        # Stored while the workers render, if they do (a cold build at 10,000 entries: 0.8-0.9 s of
        # this process alone, the other core idle), else before the render (_store_plan)
        self._unstored = functools.partial(store_plan, cache, base, plan, page_found, feed_found, shape)
        return plan

    def _plan_recent(self, config: Config, cache: BuildCache, published_rows: Sequence[tuple[str, CachedEntry]],
                     changes: Sequence[RowChange], remembered: Any, live: LivePlan, salts: Salts,
                     clock: _Clock) -> RecentPlan | None:
        """The plan of a change from the recent entries only (reuse/recent.py), or None. The stories
        are grouped near the change first (a one-shot build: from the last grouping's ledger; a
        dev server: by its own grouper, every entry in memory); when the plan cannot be made this
        way, the cache holds them as cached_stories would have, and _plan_site finds them there."""
        if not changes or not (isinstance(remembered, tuple) and len(remembered) == 2):
            return None
        by_path = dict(published_rows)
        try:  # the entries as they were: a one-shot build read their heads before their rows went (EntryRows.refresh)
            told = [EntryChange(rel, self._planned_entry(rel, was), self._planned_entry(rel, now))
                    for rel, was, now in changes]
        except StaleEntry:
            return None
        versions = [entry for change in told for entry in (change.before, change.now) if entry is not None]
        if any(entry.story for entry in versions):
            return None  # a curator's story key: grouped as before
        stamps, paths = [row.published for _, row in published_rows], [rel for rel, _ in published_rows]
        if not small_window(config, stamps, [entry.published for entry in versions]):
            return None
        if self.once:
            grouped = self._grouped_near(cache, published_rows, stamps, paths, remembered)
        else:
            stories = self._stories(published_rows, cache)
            after = stories.remembered if isinstance(stories, Grouped) else remembered_stories(stories)
            grouped = after, regrouped_between(remembered[1], after)
        clock.lap("stories")
        if grouped is None:
            return None
        stories_now, regrouped = grouped

        def listings(paths: Iterable[str]) -> dict[str, Entry]:
            chosen = [(rel, by_path[rel]) for rel in paths]
            if not self.once:
                return {rel: row.entry for rel, row in chosen}  # in memory
            cache.fill_listings(chosen, by_paths=True)  # the last weeks': a part of the rows, read by their paths
            return {rel: row.listed(rel) for rel, row in chosen}

        # The live tree's other pages kept unlisted (RecentPlan.gone): a one-shot build's, and a dev server's
        # whose kept units are of these salts (full_plan keeps them but those gone and those planned). Else
        # each is listed, and its kept unit carried (at 100,000 entries listing and carrying them, then
        # comparing them with the live tree's manifest, took 0.5 s of an addition under cProfile)
        unlisted = self.once or (self._units is not None and self._units.salt == salts)
        try:
            with collector_paused():
                return plan_recent(config, dict(zip(paths, stamps, strict=True)), told, remembered[1], stories_now,
                                   regrouped, live, listings, cache.load_units, lambda: cache.unit_prints().keys(),
                                   functools.partial(cache.unit_names_from, FEED_UNIT) if unlisted else None)
        except StaleEntry:  # an entry as it was, asked for more than its head
            return None

    def _planned_entry(self, rel: str, row: CachedEntry | None) -> Entry | None:
        """A row's entry as a plan reads it: a one-shot build's listing (or head), a dev server's whole entry."""
        return None if row is None else row.listed(rel) if self.once else row.entry

    def _grouped_near(self, cache: BuildCache, published_rows: Sequence[tuple[str, CachedEntry]],
                      stamps: list[float], paths: list[str], remembered: Any) -> tuple[list[Any], set[str]] | None:
        """A one-shot build's stories after a change, grouped near it (stories_after_change)."""
        from digest.stories.nearby import ReadWhenAsked  # with numpy: only to group

        def listed(k: int) -> Entry:
            rel, row = published_rows[k]
            return row.listed(rel)

        tokens = [row.grouping for _, row in published_rows]
        return stories_after_change(ReadWhenAsked(listed, len(published_rows)), stamps, paths,
                                    LazyFeatures(published_rows, cache), tokens, cache, remembered)

    def _recent_plan(self, cache: BuildCache, published_rows: Sequence[tuple[str, CachedEntry]],
                     base: tuple[str, str], salt: Salts, recent: RecentPlan, clock: _Clock, heads: bool) -> Plan:
        """The plan of the recent entries' pages, fingerprinted; stored as _plan_site stores its plan."""
        clock.lap("organise+plan")
        with collector_paused():
            plan, page_found, feed_found = full_plan(recent.pages, recent.feeds, salt, self._units, recent.kept,
                                                     gone=recent.gone)
            self._warming = None  # every unit planned is fingerprinted, the others kept (as _plan_site)
            plan = replace(plan, heads=heads, gone_from_live=recent.gone)
            shape = (site_shape(recent.site), grouping_key([row.grouping for _, row in published_rows]))
            clock.lap("fingerprint")
        self._unstored = functools.partial(store_plan, cache, base, plan, page_found, feed_found, shape)
        return plan

    def _store_plan(self) -> None:
        """Store the plan _plan_site made, if not stored yet (and if this build made one)."""
        unstored, self._unstored = self._unstored, None
        if unstored is not None:
            unstored()

    def _stories(self, published_rows: Sequence[tuple[str, CachedEntry]], cache: BuildCache,
                 heads: bool = False, entries: Sequence[Entry] | None = None) -> list[Story]:
        """The stories of these rows' entries (`entries`: those entries, when the caller has them in
        memory already; else read here, listed when `heads`)."""
        if entries is None:
            # A dev server's grouper reads the entries of the rows changed since it last grouped, only
            entries = _read_entries(published_rows, cache, heads) if self.once else \
                RowEntries(published_rows, functools.partial(_read_entries, published_rows, cache, heads))
        features = LazyFeatures(published_rows, cache)  # read only to regroup
        return cached_stories(entries, features,
                              [row.grouping for _, row in published_rows], cache,
                              group=group_stories if self.once else self._grouper)

    def _same_stories(self, published_rows: Sequence[tuple[str, CachedEntry]], cache: BuildCache,
                      remembered: Any) -> bool:
        """Whether these rows' entries group into the `remembered` stories (a plan patch asks, after
        an edit that changed what grouping reads and kept every entry where it is listed). A
        one-shot build asks near the edit, from the rows' times and paths, reading the entries
        grouped again only: at 100,000 entries a headline edit read every entry's listing and made
        every story, 1.0 of its 1.7 s."""
        stored = isinstance(remembered, tuple) and len(remembered) == 2  # the cache's "stories" value, whole
        if self.once and stored:
            from digest.stories.nearby import ReadWhenAsked  # with numpy: only to group

            def listed(k: int) -> Entry:
                rel, row = published_rows[k]
                return row.listed(rel)  # its listing, or its head (CachedEntry.listed)

            same = same_stories_near(ReadWhenAsked(listed, len(published_rows)),
                                     [row.published for _, row in published_rows], [rel for rel, _ in published_rows],
                                     LazyFeatures(published_rows, cache), [row.grouping for _, row in published_rows],
                                     cache, remembered)
            if same is not None:
                return same
        stories = self._stories(published_rows, cache, heads=self.once)
        if stored and isinstance(stories, Grouped) and stories.remembered == remembered[1]:
            return True  # the same forms in the same order (a dev server's stories keep their forms)
        return grouping(stories) == remembered_grouping(remembered)

    def _write(self, config: Config, env: Callable[[], jinja2.Environment], live_state: TreeState | None,
               state: TreeState, plan: Plan, statics: Sequence[tuple[str, bytes]], cache: BuildCache,
               clock: _Clock, store: SearchStore | None) -> tuple[int, int]:
        """Bring the spare tree to `state`, swap it in, and return (files rendered, files removed).
        _Incomplete when a patched plan lacks a file the spare tree needs."""
        pages, feeds = plan.pages, plan.feeds
        output = config.output_path
        live = tree_id(output)
        spare = tree_id(spare_path(output))
        # Without a live tree (output/ deleted) the spare is not trusted: it shares its unchanged files
        # with the deleted tree by hard links, so a file edited there by hand is edited in it too.
        spare_state = cache.tree(spare) if spare is not None and live is not None and spare != live else None
        # Only the manifests' chunks that differ are read and compared (reuse/manifest.py)
        have = spare_state.manifest if spare_state else EMPTY_MANIFEST
        live_manifest = live_state.manifest if live_state else EMPTY_MANIFEST
        planned: set[str] = set()
        if plan.partial:
            planned = {page.output_path for page in pages} | {rel for rel, _ in statics}
            planned.update(rel for feed in feeds for rel in feed_urls(feed.prefix).values())
            if any(have.get(rel) != value and live_manifest.get(rel) != value and rel not in planned
                   for rel, value in state.manifest.items_unlike(have, live_manifest)):
                raise _Incomplete
        if spare is not None:
            cache.forget_tree(spare)  # from here on the spare may hold anything
        # Built from nothing: also make the next spare now, while writing (measured: cheaper than
        # a whole copy on the first rebuild). Not after a build that rendered most files over a live
        # site: making the twin and deleting the tree it replaces cost that build 5.5 s at 10,000
        # entries, more than the 3 s the next edit spends bringing the spare up to date.
        staging = Staging(output, fresh=spare_state is None, twin=live is None and spare_state is None)
        try:
            stale: set[str] = set()
            for rel, value in state.manifest.items_unlike(have):
                if have.get(rel) == value:
                    continue
                if live_manifest.get(rel) == value and staging.link_live(rel):
                    continue
                stale.add(rel)
            if plan.partial and not stale <= planned:
                raise _Incomplete  # a file the live tree should have had is missing
            # The search's files are brought along after the render (new segments index new pages).
            # (With search, the pages' chunks only: the plan's manifest has no search files yet, so every
            # search chunk of the spare differs, and its 106,000 files at 100,000 entries were looked up.)
            unlike = have.page_keys_unlike(state.manifest) if store is not None else have.keys_unlike(state.manifest)
            staging.remove(rel for rel in unlike if rel not in state.manifest)
            # Of the spare's manifest only its search files are read from here on
            made_afresh = spare_state is None
            spare_state = None
            clock.lap("link unchanged")
            if self._ahead is not None:  # the bodies made while the site was planned: for the render
                use_made_ahead(self._ahead.taken())
                self._ahead = None
            to_render = [p for p in pages if p.output_path in stale]
            to_feed = [feed for feed in feeds if any(rel in stale for rel in feed_urls(feed.prefix).values())]
            # Planned with heads: the feeds made whole now, the pages as they render (in batches: memory)
            whole: Callable[[Sequence[Page]], Sequence[Page]] | None = None
            if plan.heads:
                _, to_feed = self._with_bodies([], to_feed, cache)
                whole = functools.partial(self._whole_pages, cache=cache)
            bodies = _feed_bodies(config, cache, to_feed, feeds) if to_feed else {}
            jobs = self.options.jobs
            built: list[Segment] = []
            search: SearchWork | None = None
            # With search and a few files to render: the articles first, then Pagefind indexes the new
            # segments in processes of its own while the other pages and the feeds are rendered here
            # (an addition at 10,000 entries: its 0.1 s beside the render, not after it). Not when the
            # rest renders in forked workers: no fork while a thread waits on Pagefind.
            articles = [p for p in to_render if is_article_output(p.output_path)] if store is not None else []
            others = [p for p in to_render if not is_article_output(p.output_path)] if articles else to_render
            beside = apart = False
            if articles:
                from digest.render_files import PARALLEL_THRESHOLD, render_files  # Jinja: only to render

                beside = worker_count(jobs) <= 1 or len(others) + len(to_feed) < PARALLEL_THRESHOLD
                # Many pages in a one-shot build (one from nothing): the articles first, then Pagefind
                # indexes them from a forked process (no thread here: the render's workers are forked
                # too) while the other pages render. Each of the two fills the other's idle moments:
                # Pagefind's own, one process's segment to finish, the render's last chunks.
                apart = not beside and self.once and len(articles) >= PARALLEL_THRESHOLD
            if beside or apart:
                render_files(config, env(), articles, [], staging, jobs, bodies, self._store_plan, whole)
            else:
                others = to_render

            def start_index() -> tuple[SearchWork, Future[list[Segment]]]:
                """The search's work, once the articles are in the staging tree, and its indexing begun."""
                assert store is not None
                built_pages, live_pages = state.manifest, live_state.manifest if live_state else None
                changes = PageChanges(live_pages.pages_key(), built_pages.pages_key(),
                                      built_pages.page_items_unlike(live_pages),
                                      live_pages.page_keys_unlike(built_pages)) if live_pages is not None \
                    else PageChanges("", built_pages.pages_key(), (), ())  # no live site: its key recorded
                work = plan_search(store, built_pages, config.language, is_article_output, staging.path, changes)
                return work, indexer.submit(store.build, work.plan.new, staging.path, worker_count(jobs))

            def index_apart() -> tuple[Any, ...]:
                """In the forked process: the search's work and the segments built, as marshal writes them."""
                work, segments = start_index()
                return work_record(work, segments.result())

            with ThreadPoolExecutor(max_workers=1) as indexer:  # left only when the indexing is done
                indexing = start_index() if beside else None
                indexed = Apart(index_apart, group=True) if apart else None
                try:
                    if others or to_feed:
                        from digest.render_files import render_files

                        render_files(config, env(), others, to_feed, staging, jobs, bodies, self._store_plan, whole)
                    for rel, data in statics:
                        if rel in stale:
                            staging.write(rel, data)
                except BaseException:
                    if indexed is not None:
                        indexed.cancel()
                    raise
                clock.lap("render")
                record = indexed.result() if indexed is not None else None
                if store is not None:
                    if record is not None:
                        search, built = work_from_record(store, record)
                    else:  # here, or again after the process failed (its error raised here)
                        search, segments = indexing or start_index()
                        built = segments.result()
                    state = with_search(state, search, search.plan.kept + tuple(built), staging, have,
                                        live_state.manifest if live_state else None, _live_listing(output))
                    clock.lap("search index")
            self._store_plan()  # rendered nothing, or the render did not
            # Files of the live site the new one does not have (counted without a set of either)
            gone = sum(rel not in state.manifest for rel in live_manifest.keys_unlike(state.manifest)) \
                if live_state else len(existing_files(output) - state.manifest.keys())
            cache.record_tree(staging.tree, state, keep=present(live if live_state else None))
            staging.publish()
            if search is not None:
                search.store.remember(search.plan.kept + tuple(built), search)
            if self.once and store is not None:
                # Nothing of the search is read again by this build: its pages' prints and segments go
                # before the written folders are recorded (at 100,000 entries 70 MB, held through that
                # step's own 60 MB: the peak of an edit)
                store.let_go()
                search = indexing = indexed = record = None
                built = []
            settled = staging.settle_twin()
            self._twinned = settled is not None  # the spare is a copy of the live tree: nothing to catch up
            if settled is not None:
                cache.record_tree(settled, state, keep=present(tree_id(output)))
            clock.lap("publish")
        except BaseException:
            staging.discard()
            left = tree_id(staging.path)  # not removed (a read-only parent): emptied, so known to hold nothing
            if left is not None:
                with contextlib.suppress(sqlite3.Error):
                    cache.forget_tree(left)
            raise
        if made_afresh:
            # Trees made from nothing: their folders are recorded now, so that the next build's
            # look for stray files stats them instead of listing them (that walk took 0.4 s of the
            # first no-change build after a cold one at 10,000 entries). Recorded from the manifest
            # and a stat of each folder, not a walk of both trees (0.55 s at 10,000 entries).
            record_made_tree(tree_id(output), output, state.manifest, self._folders_record)
            record_made_tree(settled, spare_path(output), state.manifest, self._folders_record)
        elif self.once:
            # The folders this build changed are listed now, with the manifest at hand, and recorded
            # as they are: the next build finds the tree as recorded and lists nothing (at 100,000
            # entries the next build read the manifest and listed them: 0.5 s of an edit). Not in
            # the dev server, which looks for strays at its first build only: reading and writing
            # the record (20 MB at 100,000 entries) would be a cost of its every build.
            staging.note_written(stale)
            record_written_folders(output, staging.touched, state.manifest, self._folders_record, staging.tree)
        return len(stale), gone

    def _whole_pages(self, pages: Sequence[Page], cache: BuildCache) -> list[Page]:
        """Pages planned with heads, made whole (_with_bodies), to be rendered."""
        return self._with_bodies(pages, [], cache)[0]

    def _with_bodies(self, pages: Sequence[Page], feeds: Sequence[FeedPlan], cache: BuildCache,
                     ) -> tuple[list[Page], list[FeedPlan]]:
        """Pages and feeds planned with heads, their entries swapped for the whole ones, read from
        the cache now: those they show only (an addition in the middle of 100,000 entries renders
        363 files; reading every whole entry for them took 1.4 GB), in a few queries when many."""
        rows = self._rows.rows
        return with_bodies(pages, feeds, lambda rel: rows[rel].entry,
                           lambda shown: cache.fill([(rel, rows[rel]) for rel in sorted(shown)]))


def _read_entries(rows: Sequence[tuple[str, CachedEntry]], cache: BuildCache, heads: bool) -> list[Entry]:
    """The rows' entries: with `heads`, as a plan of the whole site reads them (CachedEntry.listed);
    else whole, each unpickled as it is fetched."""
    if not heads:
        cache.fill(rows, each=lambda row: row.entry)
        return [row.entry for _, row in rows]
    cache.fill_listings(rows)
    with collector_paused():  # they live to the end of the build (Builder.build unfreezes them)
        listed: list[Entry] = [row.listed(rel) for rel, row in rows]
        # Frozen before the collector resumes: its first collection would walk them all (100,000
        # heads and their fields: 0.14 s of an addition at 100,000 under the profiler)
        gc.freeze()
        return listed


def _live_listing(output: Path) -> bytes | None:
    """The live site's list of search segments (pagefind/segments.json), if it has one."""
    try:
        return (output / SEARCH_LISTING).read_bytes()
    except OSError:
        return None


def _feed_bodies(config: Config, cache: BuildCache, to_feed: Sequence[FeedPlan],
                 feeds: Sequence[FeedPlan]) -> dict[str, str]:
    """The bodies as HTML of the items of the feeds to render: made once, kept in the cache while
    a feed of the site shows them (an addition renders the feeds again: 100 bodies, 0.07 s of an
    addition at 10,000 entries, made again each time before)."""
    wanted = item_bodies(to_feed, config)
    bodies = cache.bodies_html(wanted)
    made = {key: entry_html(entry, config) for key, entry in wanted.items() if key not in bodies}
    if made:
        cache.store_bodies_html(made, item_bodies(feeds, config))
    return bodies | made


def _live_plan(cache: BuildCache, remembered: Any, changed: frozenset[PurePosixPath], published_now: int,
               live_state: TreeState) -> LivePlan | None:
    """What the live site's stored plan (known to be the live site's) says for touched_pages, the
    published entries `changed` (added, removed or edited: touched.changed_entries) since it was
    planned; None when it cannot tell (no record of the site's shape, or not for the stories
    remembered)."""
    shape = cache.get(PLAN_SHAPE)
    if not (isinstance(remembered, tuple) and len(remembered) == 2 and isinstance(shape, tuple)
            and len(shape) == 2 and shape[1] == remembered[0]):
        return None
    if not changed or len(changed) > MOST * published_now:
        return None
    return LivePlan(changed, cache.units_showing, remembered_grouping(remembered), shape[0], live_state.manifest)


def _published_changes(changes: Sequence[RowChange], config: Config, now: datetime) -> list[RowChange]:
    """The rows' changes (EntryRows.refresh) as changes of the published entries at `now`: a row
    not published (a draft, one dated later) counts as not there."""
    moment = now.timestamp()

    def shown(row: CachedEntry | None) -> CachedEntry | None:
        return row if row is not None and row_published(row, config, moment) else None

    found = [(rel, shown(was), shown(now_)) for rel, was, now_ in changes]
    return [(rel, was, now_) for rel, was, now_ in found if was is not None or now_ is not None]


def _published_before(rows: Sequence[tuple[str, CachedEntry]], changes: Sequence[RowChange],
                      ) -> dict[str, CachedEntry]:
    """The published rows before these changes (_published_changes), from those after them."""
    before = dict(rows)
    for rel, was, _ in changes:
        if was is None:
            del before[rel]
        else:
            before[rel] = was
    return before


# What a failure of the build cache's disk means to the user (SQLite's primary result codes)
_CACHE_HINTS = {
    sqlite3.SQLITE_FULL: "the disk is full: free some space and build again",
    sqlite3.SQLITE_IOERR: "the disk failed: check it, or delete .digest/ (a cache only) and build again",
    sqlite3.SQLITE_READONLY: "no permission to write there: check the folder's owner and permissions",
    sqlite3.SQLITE_CANTOPEN: "no permission to write there: check the folder's owner and permissions",
}


def cache_problem(exc: sqlite3.OperationalError, path: Path) -> DigestError | None:
    """The build cache's disk failing (full, read-only, an I/O error) as the user's problem; None for
    any other error (a bug: it crashes loudly)."""
    code = getattr(exc, "sqlite_errorcode", None)
    hint = _CACHE_HINTS.get(code & 0xFF) if isinstance(code, int) else None
    return None if hint is None else DigestError(f"cannot write the build cache: {exc}", path, hint=hint)


def whole_salt(config: Config, sources: TemplateSources) -> str:
    """The hash of every template (as `sources` reads them) and of the config: what unit_salts'
    salts are made from."""
    return fingerprint(sources.fingerprint(), config.source_text, config.drafts, config.future)


def existing_cache(config: Config) -> BuildCache | None:
    """The build cache of this config, when a build made one: None for none, or for one of another
    salt (BuildCache would start that one afresh, dropping what the builds recorded)."""
    path, salt = cache_path(config.site_root).absolute(), cache_salt(config)
    if not path.is_file():
        return None
    try:  # read-only, to see whose cache it is
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
        return BuildCache(config.site_root, salt) if row is not None and row[0] == salt else None
    except sqlite3.Error:
        return None


def entries_parsed_before(config: Config) -> KnownEntries:
    """load.KnownEntries from the build cache of this config: the entries (whole) and story features
    of the files a build parsed and that are unchanged since (the same mtime and size, as a build
    tells). Nothing is written: `digest check` at 10,000 entries parsed every file again, 6-15 s."""
    def known(found: Sequence[tuple[str, int, int]]) -> dict[str, tuple[Entry, Any]]:
        cache = existing_cache(config)
        if cache is None:
            return {}
        try:
            rows = cache.entries()
            same = [(rel, row) for rel, mtime_ns, size in found
                    if (row := rows.get(rel)) is not None and row.mtime_ns == mtime_ns and row.size == size]
            with collector_paused():  # the entries live to the end
                cache.fill(same)
                return {rel: (row.entry, row.features) for rel, row in same if row.loaded}
        except (sqlite3.Error, StaleEntry):
            return {}
        finally:
            cache.close()

    return known


class LivePages:
    """The pages of the live output/ as the build recorded them (`digest check` reads a page from there
    instead of rendering it again when a build of `config` would give it the fingerprint the live tree
    records for it: the same bytes; `sources`: the templates as the caller renders them). Only a cache
    made for this config is read; nothing is written."""

    def __init__(self, config: Config, sources: TemplateSources) -> None:
        self.folder = config.output_path
        self.salts = unit_salts(config, whole_salt(config, sources), sources)
        self._prints = Fingerprinter()
        self._manifest: Mapping[str, str] = {}
        cache = existing_cache(config) if tree_id(self.folder) is not None else None
        if cache is None:
            return
        try:
            state = cache.tree(tree_id(self.folder))
            self._manifest = state.manifest.as_dict() if state is not None else {}
        except sqlite3.Error:
            self._manifest = {}
        finally:
            cache.close()

    def html(self, page: Page) -> str | None:
        """The page as the live tree holds it, when that is what rendering it would give."""
        rel = page.output_path
        if self._manifest.get(rel) != unit_print(self._prints, self.salts, page.template, page.context):
            return None
        try:
            return (self.folder / rel).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None


def unit_salts(config: Config, whole: str, sources: TemplateSources) -> Salts:
    """The salts of the pages' and feeds' fingerprints (`whole`: the hash of every template and the
    config): a page's covers the config and the templates it is rendered with (an e-mail's file,
    render_files.render_page: both e-mail templates), a feed's the config alone (feeds.py renders it
    without a template). A template that may read any other keeps `whole`."""
    from digest.newsletter.render import EMAIL_TEMPLATES  # with Jinja: only when the templates changed
    from digest.theme import bodiless_templates, make_environment, template_graph, template_prints

    env = make_environment(config, sources)
    graph = template_graph(env)
    prints = template_prints(env, graph)
    bodiless = bodiless_templates(env, graph)
    settings = fingerprint(config.source_text, config.drafts, config.future)
    reads: dict[str, str] = {}
    for name in prints:
        read = [prints.get(template) for template in (EMAIL_TEMPLATES if name in EMAIL_TEMPLATES else (name,))]
        if all(read):
            reads[name] = fingerprint(settings, *read)
    reads[FEED_TEMPLATE] = fingerprint(settings, FEED_TEMPLATE)
    # A page shows no body when its templates show none (an e-mail's: both); a feed's items show theirs
    shown = frozenset(name for name in reads if name != FEED_TEMPLATE and bodiless.issuperset(
        EMAIL_TEMPLATES if name in EMAIL_TEMPLATES else (name,)))
    return Salts(whole, reads, shown)


@dataclass(frozen=True)
class _Making:
    """What a build is made of and with, once it has read the config and the theme (Builder._build_from)."""

    config: Config
    cache: BuildCache
    clock: _Clock
    now: datetime
    sources: TemplateSources
    salt: str  # whole_salt
    executable: Path | None  # Pagefind's, when the build indexes the search
    statics: list[tuple[str, bytes]]  # the static files: (output path, bytes)
    static_prints: dict[str, str]
    plan_salt: str
    live: str | None  # the live tree's identity


class _Inline:
    """In place of an Apart whose work the build does itself: no result."""

    def result(self) -> None:
        return None

    def taken(self) -> None:
        return None

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *_: object) -> None:
        pass


class _Incomplete(Exception):
    """A patched plan cannot bring the spare tree up to date: it needs a file it did not plan."""


class _Clock:
    """The time of each stage of a build, in the order the stages first ended: a stage lapped again
    (a body edit's build that turned back to go the whole way loads twice) adds to its time."""

    def __init__(self, on_lap: Callable[[str], None] | None = None) -> None:
        self._times: dict[str, float] = {}
        self._last = time.perf_counter()
        self._on_lap = on_lap

    @property
    def stages(self) -> list[tuple[str, float]]:
        return [(stage, round(seconds, 4)) for stage, seconds in self._times.items()]

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self._times[stage] = self._times.get(stage, 0.0) + now - self._last
        self._last = now
        if self._on_lap is not None:
            self._on_lap(stage)


def _link_warnings(config: Config, parsed_rows: Sequence[tuple[str, CachedEntry]], parsed: int,
                   manifest: Mapping[str, str]) -> list[DigestError]:
    """Broken links to the site's own pages in the published entries parsed anew (`parsed_rows`, of
    the `parsed` entries parsed anew): said by the build, with the entry's file and line; `check`
    looks at every entry."""
    if parsed > LINK_CHECK_LIMIT:  # reading them all again: 0.8 s at 10,000 entries
        return [ContentWarning(f"the links of {parsed} entries parsed anew were not checked",
                               hint="digest check checks every entry's links")]
    return [warning for _, warning in broken_links((row.entry for _, row in parsed_rows), manifest, config)]
