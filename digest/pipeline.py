"""The build, start to end, with nothing reused:

config -> load -> stories -> organise -> plan pages -> plan feeds -> render -> write.

`plan_site` returns the planned site (what `check`, `stories` and the tests read); `write_site`
renders every file of it and publishes the tree. `Builder` (build.py) makes the same output while
reusing what earlier builds made (the cache, stored plans, the spare tree, search segments): it
hands `plan_entries` its entries from the cache and its remembered story grouping, and the
stages run in the order written here. The tests hold it to this module: for the same input,
the same files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from digest.collector import collector_paused
from digest.config import Config, load_config, with_base_url
from digest.errors import BuildFailed, ContentError, ContentWarning, DigestError, shown_path
from digest.feeds import FeedPlan, plan_feeds
from digest.load import KnownEntries, load_entries_with_features
from digest.model import Entry, Page, Site, Story
from digest.organise import article_urls, is_published, local_days, organise
from digest.output import Staging, build_lock, check_output_folder
from digest.pages import Selection, plan_pages
from digest.permalinks import entry_url
from digest.site_static import check_static_clashes, with_site_static
from digest.stories import group_stories
from digest.theme_files import check_theme, static_files
from digest.urls import feed_urls


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool | None = None  # None: as digest.toml says
    future: bool | None = None
    jobs: int | None = None  # worker processes for parsing and rendering; None: one per core
    now: datetime | None = None  # "now" for future-dated entries; tests pin it
    search: bool = False  # index the site with Pagefind (when installed) before it is published
    base_url: str | None = None  # None: as digest.toml says (--base-url)
    # Told the name of each stage as it ends (the CLI's progress line on a terminal)
    progress: Callable[[str], None] | None = field(default=None, compare=False)
    # Told who holds the site's build lock when this build has waited for it a second (output.build_lock)
    waiting: Callable[[str], None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PlannedSite:
    config: Config
    entries: list[Entry]  # every entry found, drafts and future ones too
    site: Site  # the published entries, grouped into stories and organised
    pages: list[Page]
    feeds: list[FeedPlan]
    statics: list[tuple[str, Path]]  # (output path, source file): the theme's and the site's static files

    def generated_paths(self) -> set[str]:
        """The pages' and feeds' files, relative to output/."""
        paths = {page.output_path for page in self.pages}
        return paths | {rel for feed in self.feeds for rel in feed_urls(feed.prefix).values()}

    def output_paths(self) -> set[str]:
        """Every file the site holds, relative to output/."""
        return self.generated_paths() | {rel for rel, _ in self.statics}


def plan_site(site_root: Path, options: BuildOptions | None = None,
              warnings: list[ContentWarning] | None = None,
              known: Callable[[Config], KnownEntries] | None = None) -> PlannedSite:
    """Read, group, organise and plan the site; nothing is written. Bad input raises (a
    DigestError naming the file); likely mistakes that do not stop a build go to `warnings`.
    `known(config)`: the entries parsed before and unchanged since (the reuse layer's), not parsed again."""
    options = options or BuildOptions()
    config = apply_options(load_config(site_root), options)
    check_theme(config)
    entries, features = load_entries_with_features(config, options.jobs, warnings,
                                                   known(config) if known is not None else None)
    now = options.now or datetime.now(UTC)
    published = [e for e in entries if is_published(e, config, now)]
    site, pages, feeds = plan_entries(published, config, {e.path: features[e.path] for e in published})
    statics = with_site_static(static_files(config), config)
    planned = PlannedSite(config, entries, site, pages, feeds, statics)
    check_static_clashes([rel for rel, _ in statics], planned.generated_paths(), config)
    return planned


# How stories are grouped: group_stories, or the reuse layer's grouping that remembers the last one
GroupStories = Callable[[Sequence[Entry], Mapping[PurePosixPath, Any]], list[Story]]


# Which pages to plan, told the organised site (None: every page)
PagesToPlan = Callable[[Site], Selection | None]


def plan_entries(published: Sequence[Entry], config: Config, features: Mapping[PurePosixPath, Any],
                 group: GroupStories = group_stories, select: PagesToPlan | None = None,
                 ) -> tuple[Site, list[Page], list[FeedPlan]]:
    """The published entries -> stories -> organised site -> the plan of every page and feed.
    `select`: the reuse layer's choice of the pages to plan (it keeps the others as the live
    site has them); the feeds are always planned."""
    days = local_days(published, config)
    urls = article_urls(published, days)
    check_paths(published, config, urls)
    site = organise(published, group(published, features), config, days, urls)
    return site, plan_pages(site, config, None if select is None else select(site)), plan_feeds(site, config)


def group_site(site_root: Path) -> Site:
    """Every entry, drafts and future ones too, grouped into stories and organised (`digest
    stories`: a site without digest.toml is read with the defaults)."""
    config = load_config(site_root, required=False)
    entries, features = load_entries_with_features(config)
    with collector_paused():  # what grouping makes lives to the end (as in build.grouped_site)
        return organise(entries, group_stories(entries, features), config)


def write_site(planned: PlannedSite) -> None:
    """Render every page and feed of the planned site, copy its static files, and publish the
    tree as output/ in one step (a failure leaves the previous output/ as it was)."""
    from digest.render_files import render_files, template_environment  # Jinja: loaded only to render

    config = planned.config
    check_output_folder(config.output_path, config.site_root, config.line_of("build", "output_dir"))
    with build_lock(config.site_root):
        staging = Staging(config.output_path, fresh=True)
        try:
            render_files(config, template_environment(config), planned.pages, planned.feeds, staging, jobs=1)
            for rel, source in planned.statics:
                staging.write(rel, source.read_bytes())
            staging.publish()
        except BaseException:
            staging.discard()
            raise


def apply_options(config: Config, options: BuildOptions) -> Config:
    changes: dict[str, Any] = {}
    if options.drafts is not None:
        changes["drafts"] = options.drafts
    if options.future is not None:
        changes["future"] = options.future
    if options.base_url is not None:
        config = with_base_url(config, options.base_url)
    return replace(config, **changes) if changes else config


def check_paths(entries: Sequence[Entry], config: Config, urls: Mapping[PurePosixPath, str]) -> None:
    """Two entries that would write the same page are an error naming both, never an overwrite.
    `urls`: organise.article_urls(entries, ...), each entry's address (made once: the site keeps them)."""
    if len({url.casefold() for url in urls.values()}) == len(entries):
        return  # no two alike (the usual case: no sorting by path to name them)
    seen: dict[str, Entry] = {}
    errors: list[DigestError] = []
    for entry in sorted(entries, key=lambda e: str(e.path)):
        url = entry_url(entry, config).casefold()
        other = seen.get(url)
        if other is not None:
            errors.append(ContentError(
                f"{shown_path(entry.path)} and {shown_path(other.path)} would both be published at "
                f"/{entry_url(entry, config)}",
                entry.path, hint="give one of them another slug: (slug: another-name) or rename the file"))
        seen[url] = entry
    if errors:
        raise BuildFailed(errors) if len(errors) > 1 else errors[0]
