"""The Jinja environment: templates found in the site's theme first, then the built-in theme.

An override can extend the template it replaces with {% extends "default:base.html" %}.
"""

from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

import jinja2
import jinja2.ext
import jinja2.runtime
from jinja2 import nodes
from jinja2.parser import Parser
from jinja2.utils import internalcode

from digest.config import Config
from digest.errors import DigestError, ThemeError

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
    env = _Environment(
        loader=jinja2.ChoiceLoader([*loaders, jinja2.PrefixLoader({"default": builtin}, delimiter=":")]),
        autoescape=True,  # every template, whatever its extension: untrusted text everywhere
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=[FragmentCache],
    )
    env.filters["date"] = format_date
    env.filters["isodate"] = lambda d: d.isoformat()
    env.filters["reading_time"] = reading_time
    env.filters["zone"] = zone_name
    env.filters["echoes"] = echoes
    tz = config.tz
    # {% if entry is later_than(day) %}: published after that local day (a later development).
    env.tests["later_than"] = lambda entry, day: entry.published.astimezone(tz).date() > day
    env.tests["on_day"] = lambda entry, day: entry.published.astimezone(tz).date() == day
    env.filters["day_of"] = lambda entry: entry.published.astimezone(tz).date()  # its local day
    return env


class _Context(jinja2.runtime.Context):
    """Jinja's call, with a short way for what templates call most: macros, and Python functions
    and methods (`page_url.startswith`) not marked to take the context (@pass_context and the
    like). Jinja looks for that mark on the callable and on its __call__ at every call, and
    then drops the loop and block variables it was given for the context: both showed in profiles."""

    @internalcode
    def call(self, obj: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        kind = obj.__class__
        if not (kind is jinja2.runtime.Macro or kind is BuiltinFunctionType
                or ((kind is FunctionType or kind is MethodType) and not hasattr(obj, "jinja_pass_arg"))):
            return super().call(obj, *args, **kwargs)  # a class, a callable object, or marked
        if kwargs:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
        try:
            return obj(*args, **kwargs)
        except StopIteration:  # as Jinja does
            return self.environment.undefined("value was undefined because a callable raised a "
                                              "StopIteration exception")


class _Environment(jinja2.Environment):
    """Jinja's lookup, sped up for plain dicts (the pages' context, such as `site.title`): Jinja first
    tries the attribute, and raising and catching that AttributeError cost more than the rest."""

    context_class = _Context

    def getattr(self, obj: Any, attribute: str) -> Any:
        if obj.__class__ is dict:
            if attribute in obj and attribute not in _DICT_ATTRIBUTES:
                return obj[attribute]  # what jinja2.Environment.getattr would find, after the failed getattr
        else:
            try:
                return getattr(obj, attribute)  # jinja2.Environment.getattr's first try, without its call
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))  # the names getattr finds on any dict (items, keys...) before its keys


class FragmentCache(jinja2.ext.Extension):
    """{% cache "name", key, ... %}...{% endcache %}: the body is rendered once per distinct key
    and reused for as long as the environment lives, which in the dev server is many builds (a
    Builder keeps it while the templates and the config stay the same). So the keys must name
    everything the body shows that content can change, not only what the config sets.

    Compiled inline, as `{% set %}` blocks are, not as a call block: a hit is a tuple, a dict
    lookup and an output, where a call block made a macro and called through the context."""

    tags = {"cache"}

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.fragments: dict[tuple[Any, ...], Any] = {}

    def parse(self, parser: Parser) -> list[nodes.Node]:
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        key, fragment = parser.free_identifier(lineno), parser.free_identifier(lineno)
        fragments = self.attr("fragments", lineno=lineno)
        # key = (keys); if key not in fragments: fragment = body; fragments[key] = fragment
        # then output fragments[key]
        render = [nodes.AssignBlock(fragment, None, body, lineno=lineno),
                  nodes.ExprStmt(self.call_method("_store", [key, fragment]), lineno=lineno)]
        return [nodes.Assign(key, nodes.Tuple(keys, "load"), lineno=lineno),
                nodes.If(nodes.Compare(key, [nodes.Operand("notin", fragments)]), render, [], [], lineno=lineno),
                nodes.Output([nodes.Getitem(fragments, key, "load")], lineno=lineno)]

    def _store(self, key: tuple[Any, ...], fragment: Any) -> None:
        self.fragments[key] = fragment


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def format_date(value: date | datetime, style: str = "long") -> str:
    """English dates whatever the locale: 'Monday 15 August 2022', '15 Aug 2022', '09:30'."""
    month = _MONTHS[value.month - 1]
    if style == "long":
        return f"{_DAYS[value.weekday()]} {value.day} {month} {value.year}"
    if style == "short":
        return f"{value.day} {month[:3]} {value.year}"
    if style == "month":
        return f"{month} {value.year}"
    if style == "time" and isinstance(value, datetime):
        return f"{value.hour:02d}:{value.minute:02d}"
    if style == "datetime" and isinstance(value, datetime):
        return f"{value.day} {month[:3]} {value.year}, {value.hour:02d}:{value.minute:02d}"
    return value.isoformat()


def zone_name(moment: datetime) -> str:
    """The zone a local time is in, as readers know it: 'BST', 'CET', 'UTC'; a zone with no
    common abbreviation (the tz database writes '+08') as 'UTC+08'."""
    name = moment.tzname() or ""
    if name[:1] in ("+", "-"):
        return f"UTC{name}"
    return name or "UTC"


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def echoes(summary: str, key_points: Sequence[str]) -> bool:
    """Whether a summary only repeats the key points (word for word, punctuation aside): then
    the page shows it once."""
    said, told = _words(" ".join(key_points)), _words(summary)
    return bool(said and told) and f" {told} " in f" {said} "


def reading_time(text: str, words_per_minute: int = 230) -> int:
    return max(1, round(word_count(text) / words_per_minute))


# ASCII whitespace as str.split() sees it (\t-\r, \x1c-\x1f, space) -> 0, any other byte -> 1
_WORD_BYTES = bytes(0 if chr(b).isspace() else 1 for b in range(128)) + bytes(128)


def word_count(text: str) -> int:
    """len(text.split()), without making a string of every word: for ASCII text, the words are the
    runs of non-space bytes, each one starting at the start or after a space."""
    if not text.isascii():
        return len(text.split())
    marks = text.encode("ascii").translate(_WORD_BYTES)
    return marks.count(b"\x00\x01") + (marks[:1] == b"\x01")


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
    except DigestError:  # e.g. an entry's body that could not be read back: already names its file
        raise
    except Exception as exc:  # a template calling something that fails is still the template's problem
        filename, line = _template_frame(exc)
        raise ThemeError(f"template error: {type(exc).__name__}: {exc}", filename or name, line,
                         hint="check the variables and filters used at that line") from exc


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2")):
            return frame.filename, frame.lineno
    return None, None
