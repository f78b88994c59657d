"""The build cache in .digest/cache/: parsed entries, story features and page fingerprints.

A cache is only ever an optimisation: any doubt (another digest version, another config, an
output folder it does not describe, a file it cannot read) and it is dropped, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from digest import __version__
from digest.model import Entry, Story

CACHE_VERSION = f"{__version__}-1"


@dataclass
class BuildCache:
    salt: str = ""  # digest version + config text: anything that changes how entries are read
    entries: dict[str, tuple[int, int, Entry]] = field(default_factory=dict)  # path -> (mtime_ns, size, entry)
    features: dict[str, Any] = field(default_factory=dict)  # content hash -> story features
    fingerprints: dict[str, str] = field(default_factory=dict)  # output path -> fingerprint
    output_id: tuple[int, int] | None = None  # (device, inode) of the output/ it describes


def cache_path(site_root: Path) -> Path:
    return site_root / ".digest" / "cache" / "build.pickle"


def load_cache(site_root: Path, salt: str) -> BuildCache:
    try:
        with open(cache_path(site_root), "rb") as handle:
            cache = pickle.load(handle)
    except Exception:  # a missing, truncated or foreign cache is simply not used
        return BuildCache(salt=salt)
    if not isinstance(cache, BuildCache) or cache.salt != salt:
        return BuildCache(salt=salt)
    return cache


def save_cache(site_root: Path, cache: BuildCache) -> None:
    path = cache_path(site_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(temp, "wb") as handle:
        pickle.dump(cache, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def output_id(output: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(output)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def salt_for(config_text: str) -> str:
    return hashlib.blake2b(f"{CACHE_VERSION}\n{config_text}".encode(), digest_size=16).hexdigest()


def fingerprint(*values: Any) -> str:
    """A hash of everything a page shows. Entries count by path and content hash."""
    parts: list[str] = []
    _walk(values, parts)
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _walk(value: Any, parts: list[str]) -> None:
    if isinstance(value, Entry):
        parts.append(f"E{value.path}\x1e{value.content_hash}")
    elif isinstance(value, Story):
        parts.append(f"S{value.key}\x1e{value.lead.path}\x1e{value.score}\x1e{value.reason}")
        for member in value.members:
            parts.append(f"E{member.path}\x1e{member.content_hash}")
    elif isinstance(value, (str, int, float, bool, date, datetime)) or value is None:
        parts.append(repr(value))
    elif isinstance(value, dict):
        parts.append("{")
        for key in value:
            parts.append(repr(key))
            _walk(value[key], parts)
        parts.append("}")
    elif isinstance(value, (list, tuple, set, frozenset)):
        parts.append("[")
        for item in sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value:
            _walk(item, parts)
        parts.append("]")
    elif is_dataclass(value):
        parts.append(type(value).__name__)
        for f in fields(value):
            _walk(getattr(value, f.name), parts)
    else:
        parts.append(repr(value))
