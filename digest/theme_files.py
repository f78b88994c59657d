"""Which files a theme has: its folders (the site's theme first, then the built-in one), its
templates (read once a build, and one hash of them all) and its static files. No Jinja here: a build that finds nothing
changed reads these and never loads the template engine (theme.py)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from digest.config import Config
from digest.errors import ThemeError

BUILTIN_THEME = Path(__file__).resolve().parent / "default_theme"


def theme_dirs(config: Config) -> list[Path]:
    """The theme folders in the order a template is looked for: the site's, then built-in."""
    site_theme = config.site_root / "themes" / config.theme
    dirs = [site_theme] if site_theme.is_dir() else []
    if BUILTIN_THEME.resolve() not in {d.resolve() for d in dirs}:
        dirs.append(BUILTIN_THEME)
    return dirs


def check_theme(config: Config) -> None:
    site_theme = config.site_root / "themes" / config.theme
    if config.theme != "default" and not site_theme.is_dir():
        raise ThemeError(f"theme folder themes/{config.theme}/ does not exist", config.site_root / "digest.toml",
                         config.line_of("site", "theme"), hint="create it, or set theme = \"default\" in [site]")


class TemplateSources:
    """The theme's template files as one build reads them: each file read once, whatever asks for
    it (the hash of every template, what each page's template reads, the Jinja loader that compiles
    them), so a page is always rendered from the bytes its fingerprint was made from. Read twice, a
    template saved during a build and changed back before the next left pages rendered from the
    version in between, recorded as made from the one before (the dev server kept them)."""

    def __init__(self, config: Config) -> None:
        self.dirs = theme_dirs(config)
        self._read: dict[str, bytes | None] = {}

    def bytes_of(self, path: str) -> bytes | None:
        """The file's bytes as this build reads them; None for no file there (OSError for one
        that cannot be read: its error names it)."""
        if path not in self._read:
            try:
                self._read[path] = Path(path).read_bytes()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                self._read[path] = None
        return self._read[path]

    def fingerprint(self) -> str:
        """One hash of every template the site can use; part of every page's cache key."""
        digest = hashlib.blake2b(digest_size=16)
        for directory in self.dirs:
            for path in _files_under(directory / "templates"):
                data = self.bytes_of(str(path))
                if data is not None:
                    digest.update(str(path.relative_to(directory)).encode("utf-8", "surrogateescape"))
                    digest.update(data)
        return digest.hexdigest()


def _files_under(folder: Path) -> list[Path]:
    """Every file under folder, sorted, through symlinked folders too: Jinja reads templates through
    them (a theme's parts shared with another by a link), so an edit there must change the hash."""
    return sorted(Path(parent, name) for parent, files in walked_through_links(folder) for name in files)


def walked_through_links(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """(folder, its files) for folder and every folder under it, through symlinked folders too, each
    real folder once: a link to a folder above is not walked round and round."""
    seen: set[str] = set()
    for parent, folders, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(parent)
        if real in seen:
            folders.clear()
            continue
        seen.add(real)
        yield parent, files


def static_files(config: Config) -> Iterator[tuple[str, Path]]:
    """(output path, source file) for the theme's static files; the site's theme wins."""
    chosen: dict[str, Path] = {}
    for directory in reversed(theme_dirs(config)):
        static = directory / "static"
        for path in sorted(static.rglob("*")) if static.is_dir() else ():
            if path.is_file() and not path.name.startswith("."):
                chosen[f"static/{path.relative_to(static).as_posix()}"] = path
    yield from sorted(chosen.items())
