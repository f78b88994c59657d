"""What a file's content depends on, as hashes: digest's own code and the libraries that shape
its output (code_version), and each page's or feed's inputs (fingerprint, Fingerprinter). Two
builds that give a file the same fingerprint write the same bytes: the build reuses the file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from digest.model import Entry, EntryHead, Story, head_digest
from digest.reuse.cached_entry import ListedHead

# What shapes the output besides digest's own code (a new Markdown or Jinja release can change
# pages): (distribution, the package it installs).
_OUTPUT_LIBRARIES = (("markdown-it-py", "markdown_it"), ("mdit-py-plugins", "mdit_py_plugins"), ("Jinja2", "jinja2"),
                     ("MarkupSafe", "markupsafe"), ("feedgen", "feedgen"), ("lxml", "lxml"), ("PyYAML", "yaml"),
                     ("python-frontmatter", "frontmatter"), ("css-inline", "css_inline"))
_PACKAGE = Path(__file__).parent.parent  # digest/


@functools.cache
def code_version(memo: Path | None = None) -> str:
    """One hash of digest's own code and the versions of the libraries that shape what it writes:
    parses, plans and pages made by other code are never reused. Nothing else would notice that an
    upgrade (or an edit to digest itself) renders Markdown, pages or feeds differently.

    With `memo` (a file of the site's build cache), the hash is kept there with a signature of what
    it was made from: each of digest's files (size and time) and each library's installed package.
    While none of them changed, it is read back instead of made again (reading every file and nine
    package versions: 0.03 s of a 0.5 s build that finds nothing changed)."""
    files = sorted(_PACKAGE.rglob("*.py"))
    signature = _signature(files) if memo is not None else ""
    if memo is not None:
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            known = marshal.loads(memo.read_bytes())
            if isinstance(known, tuple) and len(known) == 2 and known[0] == signature:
                return str(known[1])
    import importlib.metadata  # 30 ms to import: only when the hash is made

    digest_ = hashlib.blake2b(digest_size=16)
    for path in files:
        digest_.update(f"{path.relative_to(_PACKAGE).as_posix()}\n".encode())
        digest_.update(path.read_bytes())
    for name, _ in _OUTPUT_LIBRARIES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        digest_.update(f"{name} {version}\n".encode())
    made = digest_.hexdigest()
    if memo is not None:
        with contextlib.suppress(OSError):
            memo.parent.mkdir(parents=True, exist_ok=True)
            temporary = memo.with_name(memo.name + ".tmp")
            temporary.write_bytes(marshal.dumps((signature, made)))
            os.replace(temporary, memo)
    return made


def _signature(files: list[Path]) -> str:
    """What code_version was made from, as sizes and times: digest's files, and each library's
    installed package (its folder or module, found without importing it; an upgrade replaces it)."""
    import importlib.util

    parts = []
    for path in files:
        mine = path.stat()
        parts.append(f"{path.relative_to(_PACKAGE).as_posix()} {mine.st_size} {mine.st_mtime_ns}")
    for name, package in _OUTPUT_LIBRARIES:
        origin: str | None = None
        installed: os.stat_result | None = None
        try:
            spec = importlib.util.find_spec(package)
            origin = spec.origin if spec is not None else None
            installed = os.stat(origin) if origin else None
        except (ImportError, ValueError, OSError):
            installed = None
        parts.append(f"{name} {origin} {installed.st_size} {installed.st_mtime_ns} {installed.st_ino}"
                     if installed else f"{name} ?")
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(frozen=True, eq=False)
class Salts:
    """What each page's and feed's fingerprint starts from: the config, and the templates its
    template reads (theme.template_prints: itself and what it extends, includes and imports), so
    that an edit to one template changes the fingerprints of the pages made with it only (an edit
    to tag.html at 10,000 entries rendered all 16,000 files again). `whole` is the hash of every
    template and the config: two Salts are the same exactly when it is."""

    whole: str
    reads: Mapping[str, str] = field(default_factory=dict)  # template name -> its salt
    # The templates that show no entry's body (theme.bodiless_templates): their pages' fingerprints
    # hold each entry's head, not its bytes, so an edit to a body leaves those pages as they are
    bodiless: frozenset[str] = frozenset()

    def of(self, template: str) -> str:
        """The salt of a unit made with this template (`whole` for one not known)."""
        return self.reads.get(template, self.whole)

    def shows_bodies(self, template: str) -> bool:
        """Whether a unit made with this template may show an entry's body (any not known not to)."""
        return template not in self.bodiless

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Salts) and other.whole == self.whole

    def __hash__(self) -> int:
        return hash(self.whole)


def fingerprint(*values: Any) -> str:
    """A hash of everything a page shows. Entries count by path and content hash (see
    Fingerprinter.of for a page that shows no body)."""
    return Fingerprinter().of(*values)


def unit_print(prints: Fingerprinter, salt: Salts, template: str, context: Any) -> str:
    """The fingerprint of a unit (a page, or a feed with its FEED_TEMPLATE) made with this template."""
    return prints.of(salt.of(template), template, context, bodies=salt.shows_bodies(template))


def _head_token(entry: Entry) -> str:
    return f"H{entry.path}\x1e{entry.head_hash or head_digest(entry)}"


Memo = dict[int, tuple[Any, str, tuple[PurePosixPath, ...]]]  # id -> (the object, its token, entries it holds)
_SHARED_SIZE = 4  # containers of at least this many items are memoised (see Fingerprinter._walk)


class Fingerprinter:
    """fingerprint() for many pages in a row: the token of a shared object (an entry, a story, an
    edition, a large list) is computed once. Objects are kept alive so their ids stay theirs.

    After each `of()`, `found` lists the paths of the entries the values hold (with repeats): the
    build remembers which pages show which entry."""

    def __init__(self) -> None:
        # The tokens made for pages that show no body ([False]) and for those that may ([True])
        self._memos: tuple[Memo, Memo] = ({}, {})
        self._memo = self._memos[1]
        self._bodies = True
        self._found: list[PurePosixPath] = []
        self.found: list[PurePosixPath] = []

    def of(self, *values: Any, bodies: bool = True) -> str:
        """The fingerprint of these values. `bodies`: whether the page may show an entry's body
        (Salts.shows_bodies); if not, an entry counts by path and head (model.head_digest)."""
        parts: list[str] = []
        self.found = self._found = []
        self._bodies, self._memo = bodies, self._memos[bodies]
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
        elif kind is Entry or kind is EntryHead or kind is ListedHead:  # the same token for each (see EntryHead)
            parts.append(self._memoised(value, ""))
        elif kind is Story or is_dataclass(value):
            parts.append(self._memoised(value, "D"))
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
            parts.append(f"E{value.path}\x1e{value.content_hash}" if self._bodies else _head_token(value))
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
