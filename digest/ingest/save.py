"""Safe writing of entries and the ingest state (what was written, by content hash).

The state file lets a re-run tell apart an entry ingest wrote and nobody touched (safe to
replace) from one a curator edited since (never overwritten without force).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from digest.errors import IngestError, utf8_name

STATE_PATH = Path(".digest") / "ingest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Record:
    input_sha256: str
    entries: dict[str, str] = field(default_factory=dict)  # entry path -> sha256 written
    # entry path -> its title and source_url as written: the article is known by them after a curator
    # changed them in the entry
    written: dict[str, dict[str, str]] = field(default_factory=dict)


def state_key(path: Path, out_dir: Path, site_root: Path) -> str:
    """The state of one input ingested into one out folder.

    The same input may be ingested into several folders, and each gets its own entry, so
    the folder is part of the key. Inputs ingested into the site's own content/ folder keep
    the plain input path as their key (the form earlier state files use).
    """
    input_key = utf8_name(rel_key(path, site_root))
    out_key = utf8_name(rel_key(out_dir, site_root))
    return input_key if out_key == "content" else f"{input_key} -> {out_key}"


def rel_key(path: Path, site_root: Path) -> str:
    """A path relative to the site root when inside it, else absolute (posix)."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(site_root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


@contextlib.contextmanager
def ingest_lock(site_root: Path) -> Iterator[None]:
    """One ingest at a time on a site: `digest ingest` while `digest serve --watch` ingests new seeds
    waits for it, then reads the state it left (each read the state before the other wrote it, and both
    wrote the same articles: x.md and x-2.md). An advisory lock on the .digest/ folder itself (no file
    made); where it cannot be taken (a read-only site, a file system without locks) ingest goes on."""
    descriptor = None
    try:
        import fcntl  # POSIX only: elsewhere no lock

        folder = (site_root / STATE_PATH).parent
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder, os.O_RDONLY)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    except (ImportError, OSError):
        if descriptor is not None:
            os.close(descriptor)
            descriptor = None
    try:
        yield
    finally:
        if descriptor is not None:
            os.close(descriptor)  # which unlocks


def load_state(site_root: Path) -> dict[str, Record]:
    path = site_root / STATE_PATH
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {key: Record(str(value["input_sha256"]), dict(value.get("entries", {})),
                            {str(k): dict(v) for k, v in value.get("written", {}).items()})
                for key, value in raw.get("inputs", raw).items()}
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise IngestError(f"ingest state is unreadable: {err}", path,
                          hint="delete it to start afresh (curated entries are then kept "
                               "as curated)") from err


def save_state(site_root: Path, state: dict[str, Record]) -> None:
    data = {"version": 1, "inputs": {key: {"input_sha256": r.input_sha256, "entries": r.entries,
                                           **({"written": r.written} if r.written else {})}
                                     for key, r in sorted(state.items())}}
    write_atomic(site_root / STATE_PATH,
                 (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; entries are ordinary shared files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def backup(path: Path) -> Path:
    """Move `path` aside as x.md.~1~, x.md.~2~ ... (not *.md, so the build ignores it)."""
    n = 1
    while True:
        target = path.with_name(f"{path.name}.~{n}~")
        if not target.exists():
            os.replace(path, target)
            return target
        n += 1
