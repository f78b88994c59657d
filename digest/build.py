"""The one place that knows the order of the stages:

config -> load entries -> group stories -> organise -> plan pages and feeds -> render what
changed -> write into staging -> swap into output/ -> save the cache.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from digest.cache import BuildCache, fingerprint, load_cache, output_id, salt_for, save_cache
from digest.config import Config, load_config
from digest.content import find_entry_files, load_entry
from digest.errors import BuildFailed, ContentError, DigestError
from digest.feeds import FeedPlan, plan_feeds, render_feeds
from digest.model import Entry, Page, Site
from digest.organise import is_published, organise
from digest.output import Staging, existing_files
from digest.render import entry_url, install_globals, plan_pages, render_page
from digest.stories import entry_features, group_stories
from digest.theme import check_theme, make_environment, static_files, templates_fingerprint
from digest.urls import feed_urls

PARALLEL_THRESHOLD = 400  # fewer pages than this render faster in one process


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool | None = None  # None: as digest.toml says
    future: bool | None = None
    jobs: int | None = None  # worker processes for rendering; None: one per core
    now: datetime | None = None  # "now" for future-dated entries; tests pin it


@dataclass(frozen=True)
class BuildReport:
    entries: int
    pages: int
    feeds: int
    rendered: int  # files rendered anew this build (the rest were reused unchanged)
    removed: int
    seconds: float

    def summary(self) -> str:
        return (f"built {self.entries} entries: {self.pages} pages, {self.feeds} feeds "
                f"({self.rendered} rendered, {self.removed} removed) in {self.seconds:.2f} s")


def build(site_root: Path, options: BuildOptions | None = None) -> BuildReport:
    started = time.perf_counter()
    options = options or BuildOptions()
    config = apply_options(load_config(site_root), options)
    check_theme(config)
    cache = load_cache(site_root, salt_for(config.source_text))
    entries = load_entries(config, cache)
    now = options.now or datetime.now(UTC)
    published = [e for e in entries if is_published(e, config, now)]
    check_paths(published, config)
    site = organise_site(published, config, cache)

    env = make_environment(config)
    install_globals(env, config)
    salt = fingerprint(templates_fingerprint(config), config.source_text, config.drafts, config.future)
    pages = plan_pages(site, config)
    feeds = plan_feeds(site, config)
    staging = Staging(config.output_path)
    try:
        previous = existing_files(config.output_path) if cache.output_id == output_id(config.output_path) else set()
        reuse = Reuse(staging, cache.fingerprints, previous)
        to_render = [p for p in pages if not reuse.unchanged(p.output_path, fingerprint(salt, p.template, p.context))]
        _render_pages(env, to_render, staging, config, options.jobs)
        feed_count = _write_feeds(feeds, config, salt, reuse)
        _write_static(config, reuse)
        removed = len(previous - staging.written)
        staging.publish()
    except BaseException:
        staging.discard()
        raise
    cache.fingerprints = reuse.fingerprints
    cache.output_id = output_id(config.output_path)
    save_cache(site_root, cache)
    return BuildReport(entries=len(published), pages=len(pages), feeds=feed_count,
                       rendered=len(to_render) + reuse.rendered, removed=removed,
                       seconds=time.perf_counter() - started)


class Reuse:
    """Decides, by fingerprint, whether the live site's copy of a file can be kept as it is."""

    def __init__(self, staging: Staging, known: dict[str, str], previous: set[str]) -> None:
        self.staging = staging
        self.known = known
        self.previous = previous
        self.fingerprints: dict[str, str] = {}
        self.rendered = 0

    def unchanged(self, rel: str, value: str) -> bool:
        self.fingerprints[rel] = value
        return rel in self.previous and self.known.get(rel) == value and self.staging.keep(rel)

    def write(self, rel: str, data: bytes) -> None:
        self.staging.write(rel, data)
        self.rendered += 1


def apply_options(config: Config, options: BuildOptions) -> Config:
    changes: dict[str, Any] = {}
    if options.drafts is not None:
        changes["drafts"] = options.drafts
    if options.future is not None:
        changes["future"] = options.future
    return replace(config, **changes) if changes else config


def load_entries(config: Config, cache: BuildCache | None = None) -> list[Entry]:
    """Every entry under content/, reusing the cached parse of files whose size and mtime are
    unchanged. Every bad entry is reported (BuildFailed) before anything is built."""
    entries: list[Entry] = []
    errors: list[DigestError] = []
    fresh: dict[str, tuple[int, int, Entry]] = {}
    for path in find_entry_files(config.content_path):
        rel = path.relative_to(config.site_root).as_posix()
        try:
            info = path.stat()
            cached = cache.entries.get(rel) if cache else None
            if cached and cached[0] == info.st_mtime_ns and cached[1] == info.st_size:
                entry = cached[2]
            else:
                entry = load_entry(path, config)
            fresh[rel] = (info.st_mtime_ns, info.st_size, entry)
            entries.append(entry)
        except DigestError as exc:
            errors.append(exc)
        except OSError as exc:
            errors.append(ContentError(f"cannot read the file: {exc.strerror}", rel))
    if errors:
        raise BuildFailed(errors) if len(errors) > 1 else errors[0]
    if cache is not None:
        cache.entries = fresh
    return entries


def check_paths(entries: Sequence[Entry], config: Config) -> None:
    """Two entries that would write the same page are an error naming both, never an overwrite."""
    seen: dict[str, Entry] = {}
    errors: list[DigestError] = []
    for entry in sorted(entries, key=lambda e: str(e.path)):
        url = entry_url(entry, config).casefold()
        other = seen.get(url)
        if other is not None:
            errors.append(ContentError(
                f"{entry.path} and {other.path} would both be published at /{entry_url(entry, config)}",
                entry.path, hint="give one of them another slug: (slug: another-name) or rename the file"))
        seen[url] = entry
    if errors:
        raise BuildFailed(errors) if len(errors) > 1 else errors[0]


def organise_site(entries: Sequence[Entry], config: Config, cache: BuildCache | None = None) -> Site:
    """Group stories (story features cached by content hash) and organise the site."""
    features: dict[Any, Any] = {}
    known = cache.features if cache else {}
    for entry in entries:
        value = known.get(entry.content_hash)
        if value is None:
            value = entry_features(entry)
        features[entry.path] = value
    if cache is not None:
        cache.features = {e.content_hash: features[e.path] for e in entries}
    stories = group_stories(entries, features)
    return organise(entries, stories, config)


def _changed_pages(pages: Sequence[Page], salt: str, cache: BuildCache, previous: set[str],
                   staging: Staging, fingerprints: dict[str, str]) -> list[Page]:
    to_render = []
    for page in pages:
        value = fingerprint(salt, page.template, page.context)
        fingerprints[page.output_path] = value
        if page.output_path in previous and cache.fingerprints.get(page.output_path) == value \
                and staging.keep(page.output_path):
            continue
        to_render.append(page)
    return to_render


# Rendering in worker processes: the pages and environment are handed over by fork, never pickled.
_WORK: dict[str, Any] = {}


def _render_chunk(indexes: Sequence[int]) -> list[DigestError]:
    env, pages, staging, shared = _WORK["env"], _WORK["pages"], _WORK["staging"], _WORK["shared"]
    errors: list[DigestError] = []
    for index in indexes:
        try:
            rendered = render_page(env, pages[index], shared)
            staging.write(rendered.output_path, rendered.data)
        except DigestError as exc:
            errors.append(exc)
    return errors


def _render_pages(env: jinja2.Environment, pages: Sequence[Page], staging: Staging, config: Config,
                  jobs: int | None) -> None:
    shared = {"site": _site_context(config)}
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    _WORK.update(env=env, pages=pages, staging=staging, shared=shared)
    try:
        if workers <= 1 or len(pages) < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
            errors = _render_chunk(range(len(pages)))
        else:
            chunks = [list(range(i, len(pages), workers * 8)) for i in range(workers * 8)]
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                errors = [e for chunk_errors in pool.map(_render_chunk, chunks) for e in chunk_errors]
    finally:
        _WORK.clear()
    staging.written.update(p.output_path for p in pages)
    if errors:
        unique = list({str(e): e for e in errors}.values())
        raise BuildFailed(unique) if len(unique) > 1 else unique[0]


def _site_context(config: Config) -> dict[str, Any]:
    return {"title": config.title, "description": config.description, "base_url": config.base_url,
            "language": config.language, "timezone": config.timezone}


def _write_feeds(feeds: Sequence[FeedPlan], config: Config, salt: str, reuse: Reuse) -> int:
    count = 0
    for plan in feeds:
        value = fingerprint(salt, "feed", plan)
        paths = list(feed_urls(plan.prefix).values())
        stale = [rel for rel in paths if not reuse.unchanged(rel, value)]
        if stale:
            for rendered in render_feeds(plan, config):
                if rendered.output_path in stale:
                    reuse.write(rendered.output_path, rendered.data)
        count += len(paths)
    return count


def _write_static(config: Config, reuse: Reuse) -> None:
    for rel, source in static_files(config):
        data = source.read_bytes()
        if not reuse.unchanged(rel, fingerprint("static", hashlib.blake2b(data).hexdigest())):
            reuse.write(rel, data)
