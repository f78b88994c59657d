"""The Jinja environment: templates found in the site's theme first, then the built-in theme.

An override can extend the template it replaces with {% extends "default:base.html" %}.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2

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
                         hint="create it, or set theme = \"default\" in [site]")


def make_environment(config: Config) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(d / "templates")) for d in theme_dirs(config)]
    builtin = jinja2.FileSystemLoader(str(BUILTIN_THEME / "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([*loaders, jinja2.PrefixLoader({"default": builtin}, delimiter=":")]),
        autoescape=True,  # every template, whatever its extension: untrusted text everywhere
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = format_date
    env.filters["isodate"] = lambda d: d.isoformat()
    env.filters["reading_time"] = reading_time
    return env


def format_date(value: date | datetime, style: str = "long") -> str:
    """English dates without locale: 'Monday 15 August 2022', '15 Aug 2022', '09:30'."""
    if style == "long":
        return f"{value:%A} {value.day} {value:%B %Y}"
    if style == "short":
        return f"{value.day} {value:%b %Y}"
    if style == "month":
        return f"{value:%B %Y}"
    if style == "time" and isinstance(value, datetime):
        return f"{value:%H:%M}"
    if style == "datetime" and isinstance(value, datetime):
        return f"{value.day} {value:%b %Y, %H:%M}"
    return value.isoformat()


def reading_time(text: str, words_per_minute: int = 230) -> int:
    return max(1, round(len(text.split()) / words_per_minute))


def templates_fingerprint(config: Config) -> str:
    """One hash of every template the site can use; part of every page's cache key."""
    digest = hashlib.blake2b(digest_size=16)
    for directory in theme_dirs(config):
        for path in sorted((directory / "templates").rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(directory)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def static_files(config: Config) -> Iterator[tuple[str, Path]]:
    """(output path, source file) for the theme's static files; the site's theme wins."""
    chosen: dict[str, Path] = {}
    for directory in reversed(theme_dirs(config)):
        static = directory / "static"
        for path in sorted(static.rglob("*")) if static.is_dir() else ():
            if path.is_file() and not path.name.startswith("."):
                chosen[f"static/{path.relative_to(static).as_posix()}"] = path
    yield from sorted(chosen.items())


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render, turning any template problem into a ThemeError naming the template file and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise ThemeError(f"template syntax error: {exc.message}", exc.filename or exc.name or name, exc.lineno,
                         hint="fix the Jinja syntax at that line") from exc
    except jinja2.TemplateNotFound as exc:
        raise ThemeError(f"template not found: {exc.name}", name,
                         hint="add it to your theme's templates/ folder, or remove the reference") from exc
    except Exception as exc:  # a template calling something that fails is still the template's problem
        filename, line = _template_frame(exc)
        raise ThemeError(f"template error: {type(exc).__name__}: {exc}", filename or name, line,
                         hint="check the variables and filters used at that line") from exc


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2")):
            return frame.filename, frame.lineno
    return None, None
