"""Expected problems, each with the file (and line) it concerns and a hint on how to fix it.

Anything that is not a DigestError is a bug and may crash loudly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePath

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def utf8_name(path: PurePath | str) -> str:
    """A file's name as text any file, terminal or JSON can hold: a byte of it that is not UTF-8 (a Latin-1
    name from a zip, which Python keeps as a lone surrogate) written as \\xNN."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def shown_path(path: PurePath | str) -> str:
    """A file's name as a terminal may print it: a control character (ESC [2J in a name from a zip clears
    the screen, ESC ]0; retitles the window) and a byte that is not UTF-8 written as \\xNN."""
    name = str(path)
    if name.isprintable():
        return name
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", utf8_name(name))


def plural(count: int, singular: str, many: str | None = None) -> str:
    """'1 entry', '2 entries', '0 pages'."""
    return f"{count} {singular if count == 1 else many or singular + 's'}"


class DigestError(Exception):
    """A problem the user can fix: what is wrong, where, and how to fix it."""

    def __init__(
        self,
        message: str,
        path: PurePath | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, path, line, hint)
        self.message = message
        self.path: PurePath | None = Path(path) if isinstance(path, str) else path
        self.line = line
        self.hint = hint

    def location(self) -> str:
        if self.path is None:
            return ""
        where = shown_path(self.path)
        return f"{where}:{self.line}" if self.line else where

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ConfigError(DigestError):
    """digest.toml is missing, malformed or holds a bad value."""


class ContentError(DigestError):
    """An entry's front matter or body cannot be used."""


class ThemeError(DigestError):
    """A template is missing or fails to compile or render."""


class OutputError(DigestError):
    """The output folder cannot be written."""


class IngestError(DigestError):
    """A raw article cannot be read or understood."""


class ContentWarning(DigestError):
    """A likely mistake in an entry that does not stop the build (a front matter key that looks
    like a typo of a known one)."""


class BuildFailed(DigestError):
    """Several problems found in one build; all of them are reported together."""

    def __init__(self, errors: Iterable[DigestError]) -> None:
        self.errors = list(errors)
        super().__init__(f"build failed: {plural(len(self.errors), 'problem')}")

    def __reduce__(self) -> tuple[type[BuildFailed], tuple[list[DigestError]]]:
        return (BuildFailed, (self.errors,))

    def __str__(self) -> str:
        lines = [str(e) for e in self.errors]
        lines.append(self.message)
        return "\n".join(lines)
