"""The Jinja environment: templates found in the site's theme first, then the built-in theme.

An override can extend the template it replaces with {% extends "default:base.html" %}.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.ext
import jinja2.runtime
from jinja2 import meta, nodes
from jinja2.filters import do_wordwrap
from jinja2.loaders import split_template_path
from jinja2.parser import Parser
from jinja2.utils import internalcode
from markupsafe import Markup, escape

from digest.config import Config
from digest.errors import DigestError, ThemeError
from digest.formats import echoes, format_date, reading_time, zone_name
from digest.theme_files import BUILTIN_THEME, TemplateSources


def make_environment(config: Config, sources: TemplateSources | None = None) -> jinja2.Environment:
    """The theme's environment, its templates read through `sources` (the build's reads of the
    template files: each read once, for its hash and to compile it; a new one when not given)."""
    sources = sources or TemplateSources(config)
    loaders: list[jinja2.BaseLoader] = [_ThemeLoader(str(d / "templates"), sources) for d in sources.dirs]
    builtin = _ThemeLoader(str(BUILTIN_THEME / "templates"), sources)
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
    env.filters["wordwrap"] = wordwrap
    tz = config.tz
    # {% if entry is later_than(day) %}: published after that local day (a later development).
    env.tests["later_than"] = lambda entry, day: entry.published.astimezone(tz).date() > day
    env.tests["on_day"] = lambda entry, day: entry.published.astimezone(tz).date() == day
    env.filters["day_of"] = lambda entry: entry.published.astimezone(tz).date()  # its local day
    return env


@jinja2.pass_environment
def wordwrap(environment: jinja2.Environment, s: Any, width: int = 79, break_long_words: bool = True,
             wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:
    """Jinja's wordwrap, each line of the text wrapped by _wrapped where it can be, not by textwrap.
    The e-mails' plain text wraps each headline, summary and coverage line: 40,000 wraps took 1.1 s
    at 10,000 entries under cProfile (0.55 s without), most of it textwrap's on summaries."""
    if (s.__class__ is str and width.__class__ is int and width > 0
            and (wrapstring is None or wrapstring.__class__ is str)):
        hyphens = break_on_hyphens is True  # as textwrap tests it, to split words at their hyphens
        paragraphs = []
        for line in s.splitlines():
            lines = _wrapped(line, width, hyphens)
            if lines is None:
                break
            paragraphs.append(lines)
        else:
            newline = environment.newline_sequence if wrapstring is None else wrapstring
            return newline.join([newline.join(lines) for lines in paragraphs])
    return do_wordwrap(environment, s, width, break_long_words, wrapstring, break_on_hyphens)


_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace other than " " (\s is str.isspace's, and strip's)


def _wrapped(line: str, width: int, hyphens: bool) -> list[str] | None:
    """textwrap.wrap(line, width, expand_tabs=False, replace_whitespace=False, break_on_hyphens=hyphens),
    found with a few str.rfind where textwrap would not break a word, or None (then textwrap decides).
    textwrap cuts the line into chunks: runs of whitespace (the ASCII kinds) and words between them,
    those split after some of their hyphens when `hyphens` (and before a "--"). It fills each line
    with the chunks that fit, and drops a chunk of whitespace (str.strip's) that ends a line, or
    begins one after the first. So a line that fits, with no whitespace at either end, is itself.
    Words one space apart (no other whitespace, none at either end): the chunks that fit end at the
    last space at or before `width`, the line before it (the space dropped at the end of the line,
    or at the start of the next); unless the word after the space is cut there by a hyphen, or a
    word is longer than a line (textwrap's _handle_long_word)."""
    if len(line) <= width:
        return ([line] if line else []) if line == line.strip() else None
    if line[0] == " " or line[-1] == " " or "  " in line or _OTHER_SPACE.search(line) is not None:
        return None
    lines = []
    start, end = 0, len(line)
    while end - start > width:  # start: where a word begins
        space = line.rfind(" ", start, start + width + 1)
        if space < start or (hyphens and "-" in line[space + 1:start + width + 1]):
            return None
        lines.append(line[start:space])
        start = space + 1
    lines.append(line[start:])
    return lines


class _ThemeLoader(jinja2.FileSystemLoader):
    """Jinja's loader of a folder, its files read through the build's TemplateSources (the bytes
    hashed are the bytes compiled), with a template that is not UTF-8 named: Jinja's
    UnicodeDecodeError names no file, and was reported at the line of the template that included
    it, as a template error. A byte-order mark is no text (as in entries and digest.toml): Jinja
    wrote it into the page, where one from a part included in <head> ended the head there (the
    stylesheets and meta tags after it landed in <body>)."""

    def __init__(self, folder: str, sources: TemplateSources) -> None:
        super().__init__(folder, encoding="utf-8-sig")
        self.sources = sources

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses "..": as FileSystemLoader
        for folder in self.searchpath:
            filename = posixpath.join(folder, *pieces)
            data = self.sources.bytes_of(filename)
            if data is None:
                continue
            try:
                source = data.decode(self.encoding)
            except UnicodeDecodeError as exc:
                raise ThemeError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", Path(filename),
                                 data[:exc.start].count(b"\n") + 1, hint="re-save the template as UTF-8") from exc
            # Up to date for the environment's life: it is made again for other sources (build.py)
            return source, os.path.normpath(filename), lambda: True
        paths = ", ".join(repr(folder) for folder in self.searchpath)
        raise jinja2.TemplateNotFound(template, f"{template!r} not found in search path: {paths}")


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


def escaped_output(value: Any) -> Any:
    """What `{{ value }}` writes with autoescape on, as Jinja's markupsafe.escape(value), but without
    making a Markup of text that has nothing to escape: what a template outputs is only ever joined
    into the page (a render, a macro's or a block's text, a {% set %} block), never used apart.
    markupsafe.escape made a Markup (two calls in Python) of 1.5 million values at 10,000 entries."""
    kind = value.__class__
    if kind is str:
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            return escape(value)
        return value
    if kind is Markup:
        return value  # escape() would make a copy of it
    return escape(value)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's compiler, with `{{ value }}` written through escaped_output where Jinja writes
    markupsafe.escape (autoescape on, and known to be on when compiling)."""

    def _output_child_pre(self, node: nodes.Expr, frame: jinja2.compiler.Frame,
                          finalize: jinja2.compiler.CodeGenerator._FinalizeInfo) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escaped_output(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Environment(jinja2.Environment):
    """Jinja's lookup, sped up for plain dicts (the pages' context, such as `site.title`): Jinja first
    tries the attribute, and raising and catching that AttributeError cost more than the rest."""

    context_class = _Context
    code_generator_class = _CodeGenerator
    escaped_output = staticmethod(escaped_output)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as a dict of the environment's and its own, not Jinja's ChainMap of the
        two: every render copies them into its context and every {% from ... import %} compares their
        keys with the importer's, which through a ChainMap took 20 us of each page (300 ms of a cold
        build at 10,000 entries). The environment's globals are set before any template is loaded
        (render_files.install_globals), as Jinja asks."""
        return {**self.globals, **(d or {})}

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
    """{% cache "name", key, ... %}...{% endcache %}: the body is rendered once per distinct key at
    each tag (template and line) and reused for as long as the environment lives, which in the dev
    server is many builds (a Builder keeps it while the templates and the config stay the same). So
    the keys must name everything the body shows that content can change, not only what the config sets.

    Compiled inline, as `{% set %}` blocks are, not as a call block: a hit is a tuple, a dict
    lookup and an output, where a call block made a macro and called through the context."""

    tags = {"cache"}

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.fragments: dict[tuple[Any, ...], Any] = {}

    def parse(self, parser: Parser) -> list[nodes.Node]:
        lineno = next(parser.stream).lineno
        # Keyed by where the tag is, too: two templates' fragments of one name are two fragments (a
        # theme's copy of a built-in macro, {% cache "byline" %} and all, showed the built-in's)
        keys: list[nodes.Expr] = [nodes.Const(f"{parser.name}:{lineno}"), parser.parse_expression()]
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


@dataclass(frozen=True)
class TemplateGraph:
    """What each template reads, as the environment's loader finds them (template_graph)."""

    # Each template's name -> itself and every template it extends, includes and imports, theirs in
    # turn; None for one that names a template by a value (`{% include name %}`: known only when
    # rendering) or cannot be parsed: it may read any
    closures: Mapping[str, frozenset[str] | None]
    sources: Mapping[str, str | None]  # each template read: its text (None: not there)
    body_readers: frozenset[str]  # the templates whose own text may show an entry's body (_may_show_body)


def template_graph(env: jinja2.Environment) -> TemplateGraph:
    """Each template's closure (TemplateGraph), every template of the environment parsed once."""
    sources: dict[str, str | None] = {}
    named: dict[str, set[str] | None] = {}
    # by source: "default:base.html" is base.html unless overridden; (what it reads, whether it may show a body)
    parsed: dict[str, tuple[set[str] | None, bool]] = {}
    body_readers: set[str] = set()

    def read(name: str) -> set[str] | None:
        if name not in named:
            try:
                source = env.loader.get_source(env, name)[0] if env.loader else None
            except jinja2.TemplateNotFound:
                source = None
            except Exception:  # unreadable (not UTF-8, say): rendering reports it, naming the file
                named[name] = None
                return None
            sources[name] = source
            if source is None:
                named[name] = set()
            else:
                if source not in parsed:
                    try:
                        tree = env.parse(source, name)
                        found: set[str | None] = set(meta.find_referenced_templates(tree))
                        bodies = _may_show_body(tree)
                    except jinja2.TemplateSyntaxError:
                        found, bodies = {None}, True
                    parsed[source] = (None if None in found else {n for n in found if n is not None}, bodies)
                named[name] = parsed[source][0]
                if parsed[source][1]:
                    body_readers.add(name)
        return named[name]

    closures: dict[str, frozenset[str] | None] = {}
    for root in env.list_templates():
        if ":" in root:
            continue  # "default:..." is read through an override only: in the closure of that
        seen: set[str] = set()
        todo = [root]
        dynamic = False
        while todo and not dynamic:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            found = read(name)
            if found is None:
                dynamic = True
            else:
                todo.extend(found)
        closures[root] = None if dynamic else frozenset(seen)
    return TemplateGraph(closures, sources, frozenset(body_readers))


def template_prints(env: jinja2.Environment, graph: TemplateGraph | None = None) -> dict[str, str | None]:
    """Each template's name -> a hash of the templates rendering it reads: itself, and what it
    extends, includes and imports, theirs in turn, as the environment's loader finds them (a
    missing one counts as missing, so that adding it changes the hash). None for a template that
    names one by a value (`{% include name %}`: known only when rendering) or cannot be parsed:
    it may read any. `graph`: template_graph(env), when the caller has it."""
    graph = graph or template_graph(env)
    prints: dict[str, str | None] = {}
    for root, seen in graph.closures.items():
        if seen is None:
            prints[root] = None
            continue
        digest = hashlib.blake2b(digest_size=16)
        for name in sorted(seen):
            source = graph.sources[name]
            line = f"{len(name)} {name} {'-' if source is None else len(source)}\n"
            # A file name that is not UTF-8 (a Latin-1 "Über.html" unzipped) holds lone surrogates
            digest.update(line.encode("utf-8", "surrogateescape"))
            digest.update((source or "").encode("utf-8", "surrogatepass"))
        prints[root] = digest.hexdigest()
    return prints


def bodiless_templates(env: jinja2.Environment, graph: TemplateGraph | None = None) -> frozenset[str]:
    """The templates that show no entry's body, they nor any template they read (see
    _may_show_body): a page made with one shows the same whatever the bodies of its entries say."""
    graph = graph or template_graph(env)
    return frozenset(root for root, seen in graph.closures.items()
                     if seen is not None and graph.body_readers.isdisjoint(seen))


# What reaches an entry's Markdown body from a template: the field (`entry.body`, `entry["body"]`, an
# attribute named to a filter: `map(attribute="body")`) and the global that renders it (render_files)
_BODY_NAMES = frozenset({"body", "entry_html"})


def _may_show_body(tree: nodes.Template) -> bool:
    """Whether a template's text may show an entry's body: it names the body or entry_html (as an
    attribute, an item, a name or any string), reads an attribute by a name it computes
    (`attr(name)`, `x[name]`), or a hidden one (`entry.__dict__`). Printing an entry object itself
    (`{{ entry }}`, its Python repr) is not looked for."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Const, nodes.Name, nodes.Filter)):
        if isinstance(node, nodes.Getattr):
            if node.attr in _BODY_NAMES or node.attr.startswith("__"):
                return True
        elif isinstance(node, nodes.Getitem):
            # (an extension's own lookups, such as {% cache %}'s, go by a name of its own)
            if not isinstance(node.arg, (nodes.Const, nodes.Slice, nodes.InternalName)):
                return True
        elif isinstance(node, nodes.Const):
            if isinstance(node.value, str) and (node.value in _BODY_NAMES or node.value.startswith("__")):
                return True
        elif isinstance(node, nodes.Name):
            if node.name in _BODY_NAMES:
                return True
        elif isinstance(node, nodes.Filter) and node.name == "attr" \
                and not all(isinstance(arg, nodes.Const) for arg in node.args):
            return True
    return False


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render, turning any template problem into a ThemeError naming the template file and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise ThemeError(f"template syntax error: {exc.message}", exc.filename or exc.name or name, exc.lineno,
                         hint="fix the Jinja syntax at that line") from exc
    except jinja2.TemplateNotFound as exc:  # named by the include or extends that asked for it
        filename, line = _template_frame(exc)
        raise ThemeError(f"template not found: {exc.name}", filename or name, line,
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
