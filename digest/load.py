"""content/ -> parsed entries: the entry files found (and found again after known changes), parsed
with their story features, in worker processes when there are many. Every bad entry is reported,
with its file and line. (The build cache's side of it, rows parsed anew only where a file changed,
is reuse/entry_rows.py.)"""

from __future__ import annotations

import os
import stat
from bisect import insort
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from digest.collector import collector_paused
from digest.config import Config
from digest.entry_file import key_warnings, load_entry
from digest.entry_walk import entry_files
from digest.errors import BuildFailed, ContentError, ContentWarning, DigestError
from digest.model import Entry, is_undated
from digest.stories import entry_features
from digest.workers import in_workers

PARALLEL_PARSE = 400  # fewer entries than this parse faster in one process (measured: fork + pool ~60 ms)


def found_after(found: list[tuple[str, int, int]], config: Config,
                 changed: list[Path]) -> list[tuple[str, int, int]] | None:
    """entry_files() after these changes, from its last result: only the changed files are looked
    at. None when a change is not a plain entry file edited, added beside others, or removed (a
    folder, a link, a name entry_files skips...): then the caller looks at every file."""
    content = config.content_path.resolve()
    # The list stays in order: a file edited keeps its place, one removed leaves it, one added is
    # put in its place (at 100,000 entries sorting the whole list again took 0.1 s a change)
    at = {rel: k for k, (rel, _, _) in enumerate(found)}
    now = list(found)
    removed: set[str] = set()
    added: dict[str, tuple[str, int, int]] = {}
    folders: set[str] | None = None  # made when a file is added
    for path in changed:
        try:
            inside = path.relative_to(content)
        except ValueError:
            continue  # templates, config, seeds: read afresh by every build anyway
        rel = f"{config.content_path.name}/{inside.as_posix()}"  # as entry_files names it
        parts = inside.parts
        if not parts or any(p.startswith((".", "_")) for p in parts):
            if not parts or any(p.startswith((".", "_")) for p in parts[:-1]):
                return None
            continue  # an editor's hidden temporary file: never an entry
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            if rel in at or rel in added:
                added.pop(rel, None)
                if rel in at:
                    removed.add(rel)
                continue
            if any(known.startswith(f"{rel}/") for known in at):
                return None  # a folder of entries went away
            continue
        except OSError:
            return None
        if stat.S_ISREG(info.st_mode) and rel.endswith(".md") and rel in at:
            now[at[rel]] = (rel, info.st_mtime_ns, info.st_size)
            removed.discard(rel)
            continue
        if folders is None:
            folders = {known.rpartition("/")[0] for known in at}
        if not stat.S_ISREG(info.st_mode) or not rel.endswith(".md") or rel.rpartition("/")[0] not in folders:
            if stat.S_ISREG(info.st_mode) and not rel.endswith(".md"):
                continue  # not an entry (an image beside one)
            return None
        added[rel] = (rel, info.st_mtime_ns, info.st_size)
    if removed:
        now = [item for item in now if item[0] not in removed]
    for item in added.values():
        insort(now, item, key=_path_order)
    return now


def edited_files(known: Container[str], config: Config, changed: list[Path]) -> dict[str, tuple[int, int]] | None:
    """The entry files among these changes, each with its mtime and size, when every change is a
    file of `known` (entry_files() names) edited in place, or no entry at all (a template, an
    editor's hidden temporary file, an image); None when one may be more (a file added, removed,
    renamed, a folder): then found_after tells. An edit leaves entry_files()' order as it was."""
    content = config.content_path.resolve()
    edited: dict[str, tuple[int, int]] = {}
    for path in changed:
        try:
            inside = path.relative_to(content)
        except ValueError:
            continue  # templates, config, seeds: read afresh by every build anyway
        parts = inside.parts
        if not parts or any(p.startswith((".", "_")) for p in parts[:-1]):
            return None
        if parts[-1].startswith((".", "_")):
            continue  # an editor's hidden temporary file: never an entry
        rel = f"{config.content_path.name}/{inside.as_posix()}"  # as entry_files names it
        try:
            info = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        if rel not in known:
            if rel.endswith(".md"):
                return None  # added
            continue  # not an entry (an image beside one)
        edited[rel] = (info.st_mtime_ns, info.st_size)
    return edited


def _path_order(item: tuple[str, int, int]) -> tuple[str, ...]:
    """entry_files' order: by the path's parts."""
    return tuple(item[0].split("/"))


@dataclass(frozen=True)
class Parsed:
    """One entry file, parsed: the entry and what story grouping reads of it."""

    rel: str  # the file's path relative to the site, as entry_files() names it
    mtime_ns: int
    size: int
    entry: Entry
    features: Any  # stories.EntryFeatures


def parse_files(config: Config, items: Sequence[tuple[str, int, int]]) -> tuple[list[Parsed], list[DigestError]]:
    """Parse these entry files (entry_files' items) in this process: the parses, and every error
    and warning found in them, each naming its file (and line)."""
    parsed: list[Parsed] = []
    errors: list[DigestError] = []
    with collector_paused():  # everything parsed here is kept
        for rel, mtime_ns, size in items:
            try:
                entry = load_entry(config.site_root / rel, config)
                parsed.append(Parsed(rel, mtime_ns, size, entry, entry_features(entry)))
                errors.extend(_key_warnings(config, rel, entry))
            except DigestError as exc:
                errors.append(exc)
            except OSError as exc:
                errors.append(ContentError(f"cannot read the file: {exc.strerror}", rel))
    return parsed, errors


def _key_warnings(config: Config, rel: str, entry: Entry) -> list[ContentWarning]:
    """content.key_warnings of a parsed entry: only one with keys digest does not know, or undated (rare:
    the file is read again for the lines)."""
    if not (entry.extra or is_undated(entry)):
        return []
    return key_warnings(entry, (config.site_root / rel).read_text("utf-8-sig", "replace"))


def split_warnings(problems: Sequence[DigestError]) -> tuple[list[DigestError], list[ContentWarning]]:
    """The problems parsing found: (errors, warnings)."""
    return ([p for p in problems if not isinstance(p, ContentWarning)],
            [p for p in problems if isinstance(p, ContentWarning)])


# Entry files parsed before and unchanged since (entry_files' items -> (entry, features) of those known):
# what the reuse layer's cache holds
KnownEntries = Callable[[Sequence[tuple[str, int, int]]], Mapping[str, tuple[Entry, Any]]]


def load_entries_with_features(config: Config, jobs: int | None = None,
                               warnings: list[ContentWarning] | None = None,
                               known: KnownEntries | None = None) -> tuple[list[Entry], dict[PurePosixPath, Any]]:
    """Every entry and its story features, both made in the parsing workers, but for those `known`
    gives (parsed before, unchanged since). Warnings (see content.key_warnings) are added to
    `warnings` when given: for a known entry, found again from its file, as parsing finds them."""
    found = entry_files(config.content_path)
    kept = known(found) if known is not None else {}
    parsed: dict[str, Parsed] = {}
    problems: list[DigestError] = []
    with collector_paused():  # the workers' entries, unpickled here, all live on
        for chunk_parsed, chunk_problems in in_workers(parse_files, config, [item for item in found
                                                                             if item[0] not in kept],
                                                       jobs, PARALLEL_PARSE):
            parsed.update((item.rel, item) for item in chunk_parsed)
            problems.extend(chunk_problems)
    for rel, mtime_ns, size in found:
        if rel in kept:
            entry, features = kept[rel]
            parsed[rel] = Parsed(rel, mtime_ns, size, entry, features)
            problems.extend(_key_warnings(config, rel, entry))
    errors, found_warnings = split_warnings(problems)
    if warnings is not None:
        warnings.extend(found_warnings)
    if errors:
        raise BuildFailed(errors) if len(errors) > 1 else errors[0]
    entries = [parsed[rel].entry for rel, _, _ in found]
    return entries, {e.path: parsed[str(e.path)].features for e in entries}
