"""What a file's content depends on, as hashes: digest's own code and the libraries that shape
its output (code_version), and each page's or feed's inputs (fingerprint, Fingerprinter). Two
builds that give a file the same fingerprint write the same bytes: the build reuses the file.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from digest.model import Entry, Story

# What shapes the output besides digest's own code (a new Markdown or Jinja release can change pages).
_OUTPUT_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "Jinja2", "MarkupSafe", "feedgen", "lxml", "PyYAML",
                     "python-frontmatter", "css-inline")


@functools.cache
def code_version() -> str:
    """One hash of digest's own code and the versions of the libraries that shape what it writes:
    parses, plans and pages made by other code are never reused. Nothing else would notice that an
    upgrade (or an edit to digest itself) renders Markdown, pages or feeds differently."""
    import importlib.metadata  # 30 ms to import: only for a build, not for every command

    digest_ = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent.parent  # digest/
    for path in sorted(package.rglob("*.py")):
        digest_.update(f"{path.relative_to(package).as_posix()}\n".encode())
        digest_.update(path.read_bytes())
    for name in _OUTPUT_LIBRARIES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        digest_.update(f"{name} {version}\n".encode())
    return digest_.hexdigest()


def fingerprint(*values: Any) -> str:
    """A hash of everything a page shows. Entries count by path and content hash."""
    return Fingerprinter().of(*values)


_SHARED_SIZE = 4  # containers of at least this many items are memoised (see Fingerprinter._walk)


class Fingerprinter:
    """fingerprint() for many pages in a row: the token of a shared object (an entry, a story, an
    edition, a large list) is computed once. Objects are kept alive so their ids stay theirs.

    After each `of()`, `found` lists the paths of the entries the values hold (with repeats): the
    build remembers which pages show which entry."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, str, tuple[PurePosixPath, ...]]] = {}
        self._found: list[PurePosixPath] = []
        self.found: list[PurePosixPath] = []

    def of(self, *values: Any) -> str:
        parts: list[str] = []
        self.found = self._found = []
        self._walk(values, parts)
        return _digest(parts)

    def _walk(self, value: Any, parts: list[str]) -> None:
        kind = type(value)
        if kind is str or kind is int or kind is bool or kind is float or value is None:
            parts.append(repr(value))
        elif kind is dict or kind is list or kind is tuple:
            if len(value) < _SHARED_SIZE:
                self._walk_container(value, kind, parts)
            else:  # large containers are often shared by many pages (the navigation, a listing)
                parts.append(self._memoised(value, "C"))
        elif kind is Entry or kind is Story or is_dataclass(value):
            parts.append(self._memoised(value, "" if kind is Entry else "D"))
        else:
            self._walk_object(value, parts)

    def _memoised(self, value: Any, mark: str) -> str:
        """The token of a shared object, walked once per Fingerprinter."""
        known = self._memo.get(id(value))
        if known is None or known[0] is not value:
            outer = self._found
            self._found = []
            inner: list[str] = []
            if mark == "C":
                self._walk_container(value, type(value), inner)
            else:
                self._walk_object(value, inner)
            known = (value, mark + _digest(inner) if mark else inner[0], tuple(self._found))
            self._memo[id(value)] = known
            self._found = outer
        self._found.extend(known[2])
        return known[1]

    def _walk_container(self, value: Any, kind: type, parts: list[str]) -> None:
        if kind is dict:
            parts.append("{")
            for key, item in value.items():
                parts.append(repr(key))
                self._walk(item, parts)
            parts.append("}")
        else:
            parts.append("[")
            for item in value:
                self._walk(item, parts)
            parts.append("]")

    def _walk_object(self, value: Any, parts: list[str]) -> None:
        if isinstance(value, Entry):
            parts.append(f"E{value.path}\x1e{value.content_hash}")
            self._found.append(value.path)
        elif isinstance(value, Story):
            parts.append(f"S{value.key}\x1e{value.lead.path}\x1e{value.score}\x1e{value.reason}")
            for member in value.members:
                self._walk(member, parts)
        elif isinstance(value, (str, int, float, bool, date, datetime)) or value is None:
            parts.append(repr(value))
        elif isinstance(value, dict):
            self._walk(dict(value), parts)
        elif isinstance(value, (list, tuple)):
            self._walk(list(value), parts)
        elif isinstance(value, (set, frozenset)):
            self._walk(sorted(value, key=repr), parts)
        elif is_dataclass(value):
            parts.append(type(value).__name__)
            for f in fields(value):
                self._walk(getattr(value, f.name), parts)
        else:
            parts.append(repr(value))


def _digest(parts: list[str]) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
