"""The two output trees, live and spare, as the build cache records them: what a build's tree will
hold (TreeState: each file's fingerprint), whether the live one holds it already, the search's
files brought into the spare, files put into output/ by hand swept away, and the spare brought up
to date with the live one in idle time (the dev server, between edits).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from digest.output import Staging, empty_trash, move_to_trash, spare_path
from digest.reuse.cache import BuildCache, TreeState
from digest.reuse.manifest import EMPTY, SEARCH_PREFIX, Manifest
from digest.reuse.plan_patch import FEED_UNIT, Plan
from digest.search import BUNDLE as SEARCH_BUNDLE
from digest.search import SEGMENTS as SEARCH_LISTING
from digest.search import (
    SearchWork,
    Segment,
    listed_segments,
    listing_file,
    listing_print,
    search_files,
    store_source,
)
from digest.site_static import record_made_folders, remove_strays, sweep_tree
from digest.tree_identity import tree_id
from digest.urls import feed_urls


def tree_state(inputs: str, plan: Plan, static_prints: Mapping[str, str], live_state: TreeState | None) -> TreeState:
    """What the output tree will hold: a full plan's files (with the pages it kept as they
    are), or a patch's over the live tree's (sharing the chunks of its manifest it leaves alone)."""
    changes: dict[str, str] = {}
    for page, value in zip(plan.pages, plan.page_prints, strict=True):
        changes[page.output_path] = value
    for feed, value in zip(plan.feeds, plan.feed_prints, strict=True):
        for rel in feed_urls(feed.prefix).values():
            changes[rel] = value
    changes.update(static_prints)
    if plan.complete and plan.gone_from_live is not None:
        # Every other file of the live tree is kept: its pages and feeds but those gone, and its static
        # files, which are these (the plan's salt holds their prints: a plan of the recent entries is
        # made only over the live plan of the same salt)
        assert live_state is not None, "a plan told by what it leaves out is made only over the live tree"
        kept_tree = live_state.manifest
        removed = [rel for name in plan.gone_from_live
                   for rel in (feed_urls(name[len(FEED_UNIT):]).values() if name.startswith(FEED_UNIT) else (name,))
                   if rel not in changes]
        pages = live_state.pages + sum(page.output_path not in kept_tree for page in plan.pages) \
            - sum(not name.startswith(FEED_UNIT) and name not in changes and name in kept_tree
                  for name in plan.gone_from_live)
        feeds = sum(len(feed_urls(feed.prefix)) for feed in plan.feeds)
        return TreeState(inputs, pages, feeds, kept_tree.updated(changes, removed, search=False))
    if plan.complete:
        wanted: dict[str, str] = dict(plan.kept)
        pages, feeds = len(plan.pages) + len(plan.kept), sum(len(feed_urls(feed.prefix)) for feed in plan.feeds)
        wanted.update(changes)
        if live_state is None:
            return TreeState(inputs, pages, feeds, Manifest.of(wanted))
        # Most files are as the live tree has them (an addition keeps 128,000 of 128,700 at 100,000
        # entries): its manifest with the others changed names only their chunks anew
        live = live_state.manifest.as_dict()
        differing = {rel: value for rel, value in wanted.items() if live.get(rel) != value}
        gone = [rel for rel in live if rel not in wanted and not rel.startswith(SEARCH_PREFIX)]
        return TreeState(inputs, pages, feeds, live_state.manifest.updated(differing, gone, search=False))
    assert live_state is not None, "a patch is made only over the live tree"
    # The search's files are not pages: the build adds them afresh (with_search).
    return TreeState(inputs, live_state.pages, live_state.feeds, live_state.manifest.updated(changes, search=False))


def generated(plan: Plan) -> Iterator[str]:
    """The output paths of the plan's pages and feeds."""
    yield from (page.output_path for page in plan.pages)
    yield from plan.kept
    yield from (rel for feed in plan.feeds for rel in feed_urls(feed.prefix).values())


def same_pages(live: Manifest, wanted: Manifest, searchable: bool) -> bool:
    """Whether the live tree holds the wanted pages (`wanted`: no search files) and has a search
    index exactly when the build makes one (`searchable`)."""
    return live.same_pages(wanted) and live.has_search() == searchable


def with_search(state: TreeState, search: SearchWork, segments: Sequence[Segment], staging: Staging,
                have: Manifest, live: Manifest | None = None, live_listing: bytes | None = None) -> TreeState:
    """The state with the search's files in place of the old ones, brought into the staging tree
    (`have`: its manifest, of which only the search's files count) from the store. `live`: the
    live tree's manifest, and `live_listing` its SEGMENTS file: the search's files are those of
    the live tree with the segments gone and come made the difference (search_from_live), where
    that can be told; and the staging tree takes the files of the chunks that differ from its own.
    At 100,000 entries (128,000 search files) making them all anew was a third of an edit."""
    value, listing = listing_file(search, segments)
    wanted = search_from_live(state.manifest, search, segments, (value, listing), live, live_listing)
    if wanted is None:
        files = search_files(search, segments)
        wanted = state.manifest.with_search({rel: value for rel, (value, _) in files.items()})
    staging.remove(rel for rel in have.search_keys_unlike(wanted) if rel not in wanted)
    for rel, value in wanted.search_items_unlike(have):
        if have.get(rel) == value:
            continue
        if rel == SEARCH_LISTING:
            staging.write(rel, listing)
        else:
            staging.link_from(rel, search.store.folder / store_source(search, rel))
    return replace(state, manifest=wanted)


def search_from_live(pages: Manifest, search: SearchWork, segments: Sequence[Segment], listing: tuple[str, bytes],
                     live: Manifest | None, live_listing: bytes | None) -> Manifest | None:
    """`pages` with the search's files of `segments`, made from the live tree's (its manifest and
    SEGMENTS file): its files of the segments gone removed, those of the segments come added.
    None when the live tree's search cannot be told so: its SEGMENTS file is not the one it
    recorded, its runtime is another, a segment gone has no record, or a segment it holds was
    indexed again (its files may differ under the same name)."""
    if live is None or live_listing is None or live.get(SEARCH_LISTING) != listing_print(live_listing):
        return None
    names = listed_segments(live_listing)
    if names is None:
        return None
    runtime = f"search {search.runtime}"
    if any(live.get(f"{SEARCH_BUNDLE}/{name}") != runtime for name in search.runtime_files):
        return None
    held = set(names)
    if any(segment.name in held for segment in search.plan.new):
        return None
    now = {segment.name for segment in segments}
    removed: list[str] = []
    for name in held - now:
        gone = search.store.known(name)
        if gone is None:
            return None
        removed.extend(search.store.segment_files(gone))
    changes = {SEARCH_LISTING: listing[0]}
    for segment in segments:
        if segment.name not in held:
            changes.update((rel, value) for rel, (value, _) in search.store.segment_files(segment).items())
    return pages.with_search_of(live.updated(changes, removed))


def sweep_strays(cache: BuildCache, tree: str | None, output: Path, record: Path) -> bool:
    """output/ holds only what the build makes: any other file there is deleted (the folders
    changed since the last build are listed; those who want a file at the site's root put it in
    static/). Were it left, the live tree would carry it into the spare, and every other build
    would publish it. `tree`: the tree at `output` (its recorded state says what belongs).

    A file of the tree deleted by hand (a page, a folder of pages) is found missing the same way:
    the tree's record then lacks it, and names no inputs (False is returned), so the build makes
    the site again over it instead of finding it up to date, and never links the file from it."""
    if tree is None or cache.tree_inputs(tree) is None:
        return True
    state: TreeState | None = None

    def manifest() -> Iterable[str]:
        """The tree's manifest, read only when some folder changed since the last sweep."""
        nonlocal state
        state = cache.tree(tree)
        if state is None:
            raise _NoManifest
        return state.manifest

    with contextlib.suppress(_NoManifest):  # not known what belongs: nothing is deleted
        missing = sweep_tree(output, manifest, keep=[SEARCH_BUNDLE], record=record, tree_key=tree).missing
        if missing and state is not None:
            lacking = replace(state, inputs=f"{LACKING} {state.inputs}", manifest=state.manifest.updated({}, missing))
            cache.record_tree(tree, lacking, keep=present(tree_id(spare_path(output))))
            return False
    return True


def record_made_tree(tree: str | None, output: Path, manifest: Manifest, record: Path) -> None:
    """Record the folders of the tree at `output`, which the build made from an empty folder and
    wrote `manifest`'s files into, as sweep_strays would after listing each (no stray can be there):
    site_static.record_made_folders, a stat of each folder."""
    if tree is not None:
        record_made_folders(output, manifest, [SEARCH_BUNDLE], record, tree)


LACKING = "lacking files"  # a tree's inputs key once files of it were found deleted (sweep_strays)


def record_written_folders(output: Path, folders: Collection[str], manifest: Mapping[str, object], record: Path,
                           tree: str, stop: Callable[[], bool] | None = None, apart: bool = False) -> None:
    """After a build wrote into these folders of the tree now at `output`: list them (a stray
    there goes) and record them as they are, the tree's other folders as recorded before. Only a
    saving for the next build: where a folder cannot be listed, or `stop()` ends it (asked as it
    goes), that build looks at them all. `apart` (work that keeps no build waiting): a tree the
    record knows nothing of (made afresh) has every folder listed and recorded."""
    with contextlib.suppress(OSError):
        remove_strays(output, manifest, keep=[SEARCH_BUNDLE], record=record, tree_key=tree, only=folders, stop=stop,
                      unknown_whole=apart)


class _NoManifest(Exception):
    """The tree's recorded manifest cannot be read (sweep_strays)."""


def folders_record(site_root: Path) -> Path:
    """Where one-shot builds keep the record of their trees' folders (site_static.sweep_tree)."""
    return site_root / ".digest" / "output-folders.marshal"


def present(tree: str | None) -> list[str]:
    """The trees whose records a build keeps: this one, when there is one."""
    return [tree] if tree else []


def catch_up_spare(cache: BuildCache, output: Path, stop: Callable[[], bool], batch: int,
                   folders_record: Path | None = None) -> bool:
    """Bring the spare tree up to date with the live one, `batch` files at a time (see
    Builder.catch_up). A spare of unknown content is put in the trash and made afresh from
    links; the trash is emptied last. The spare's manifest is forgotten before each batch and
    recorded after it, exactly as a build does before and after it touches the spare: a kill
    leaves a spare that is not trusted, never one whose recorded content is wrong. Returns early
    when stop() is true; True when nothing is left. `folders_record` (a one-shot build's record of
    the trees' folders, site_static.sweep_tree): the folders written into are recorded as they are
    once it is done, so that the build that finds the spare live, the one after next, does not list
    them all as changed (an edit at 100,000 entries spent 1.5-2 s walking the tree)."""
    live = tree_id(output)
    live_state = cache.tree(live)
    if live is None or live_state is None:
        return True  # the next build makes output/ and its spare afresh
    spare = tree_id(spare_path(output))
    spare_state = cache.tree(spare) if spare is not None and spare != live else None
    if spare_state is None:
        if stop():
            return False
        if os.path.lexists(spare_path(output)):
            move_to_trash(spare_path(output), output)
        spare = Staging(output, fresh=True).tree
        spare_state = TreeState("", 0, 0, EMPTY)
        cache.record_tree(spare, spare_state, keep=[live])
    wanted = live_state.manifest
    have = spare_state.manifest
    stale = [rel for rel, value in wanted.items_unlike(have) if have.get(rel) != value]
    extra = [rel for rel in have.keys_unlike(wanted) if rel not in wanted]
    staging = Staging(output, fresh=False) if stale or extra else None
    for start in range(0, len(stale) + len(extra), batch):
        if stop():
            return False
        assert staging is not None
        cache.forget_tree(staging.tree)
        linked: dict[str, str] = {}
        lost: list[str] = []
        for rel in stale[start:start + batch]:
            if staging.link_live(rel):
                linked[rel] = wanted[rel]
            else:
                lost.append(rel)  # the live tree lost it behind the build's back
        gone = extra[max(0, start - len(stale)):max(0, start + batch - len(stale))]
        staging.remove(gone)
        have = have.updated(linked, removed=[*lost, *gone])
        cache.record_tree(staging.tree, replace(spare_state, manifest=have), keep=[live])
    if staging is not None and folders_record is not None and not stop():
        # After a whole-site render at 100,000 entries: 128,000 folders listed, once 9 s of a build's wait.
        # A spare made afresh (a new cache: digest or the config changed) is new to the record: every
        # folder is listed (without, the second build after a new version of digest listed them, 15 s
        # at 100,000 entries)
        record_written_folders(staging.path, staging.touched, have, folders_record, staging.tree, stop, apart=True)
    return empty_trash(output, stop, batch)
