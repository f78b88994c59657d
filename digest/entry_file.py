"""content/ -> [Entry]: front matter read with python-frontmatter, checked, errors with file and line.

This module reads files; it knows nothing of pages, templates or URLs beyond the entry's slug.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any

from digest.characters import BIDI_CONTROLS, FORBIDDEN_ASCII, YAML_UNREADABLE, with_bidi_closed, without_forbidden
from digest.config import Config
from digest.errors import ContentError, ContentWarning
from digest.model import UNDATED, Entry, head_digest, is_undated
from digest.tags import clean_entry_tags
from digest.urls import RESERVED, name_slug, safe_slug, safe_url, slugify

KNOWN_KEYS = {
    "title", "date", "topic", "tags", "authors", "source", "source_url", "summary",
    "key_points", "image", "slug", "draft", "story", "lead",
}
MAX_ENTRY_BYTES = 32 * 1024 * 1024
# The years an entry's date may have (ingest leaves a date outside them out rather than write it).
FIRST_YEAR, LAST_YEAR = 1900, 9000


def clean_text(text: str) -> str:
    """Line ends made \\n, and characters that no page or feed may hold removed."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _plain_ascii(text):
        return text
    return without_forbidden(text)


def _plain_ascii(text: str) -> bool:
    """ASCII without a control character other than tab, line feed and carriage return."""
    if not text.isascii():
        return False
    if text.isprintable():  # no control character at all: the usual front matter value
        return True
    data = text.encode("ascii")
    return len(data.translate(None, FORBIDDEN_ASCII)) == len(data)


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def load_entry(path: Path, config: Config) -> Entry:
    """Read and check one entry file; raise ContentError naming the file and line."""
    rel = _site_relative(path, config.site_root)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"cannot read the file: {exc.strerror}", rel, hint="check the file's permissions") from exc
    return parse_entry(data, rel, config)


# What warm_parser parses: a front matter of every kind of value parsing reads, and a body
_SAMPLE_ENTRY = (b'---\ntitle: "Sample"\ndate: 2024-01-02T03:04:05+00:00\ntopic: world\ntags: [a, b]\n'
                 b'authors: ["A. Writer"]\ndraft: false\n---\n\nA sample body.\n')


def warm_parser(config: Config) -> None:
    """Parse a small entry once: the first parse imports PyYAML and python-frontmatter and makes its
    loader (a long-lived builder does this in idle time, before an edit needs it)."""
    parse_entry(_SAMPLE_ENTRY, PurePosixPath("sample.md"), config)


def _site_relative(path: Path, root: Path) -> PurePosixPath:
    """The path relative to the site folder, or the whole path when it is outside it."""
    # Strings first: pathlib's is_relative_to and relative_to parse and compare parts each time.
    # A root ending in '/' ('/', '//') would split a leading '//' apart: pathlib decides those.
    text, prefix = str(path), str(root) + "/"
    if text.startswith(prefix) and not prefix.endswith("//") and isinstance(path, PurePosixPath):
        return PurePosixPath(text[len(prefix):])
    if path.is_relative_to(root):
        return PurePosixPath(path.relative_to(root).as_posix())
    return PurePosixPath(path.as_posix())


def parse_entry(data: bytes, rel: PurePosixPath, config: Config) -> Entry:
    if len(data) > MAX_ENTRY_BYTES:
        raise ContentError(f"the file is {len(data) // 1_000_000} MB; entries are limited to "
                           f"{MAX_ENTRY_BYTES // 1_000_000} MB", rel, hint="split or shorten the body")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", rel, line,
                           hint="re-save the file as UTF-8") from exc
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    plain = _plain_ascii(text)
    if not plain:
        text = YAML_UNREADABLE.sub("", text)
    meta, body, body_line = _split(text, rel)
    # The body is part of the text: when that is plain, so is the body.
    return _make_entry(meta, body if plain else clean_text(body), body_line, text, rel, content_hash(data), config)


def _split(text: str, rel: PurePosixPath) -> tuple[dict[str, Any], str, int]:
    if not text.startswith("---"):
        raise ContentError("no front matter", rel, 1,
                           hint="start the file with a line '---', then 'title: ...' and 'date: ...', then '---'")
    # PyYAML and python-frontmatter are imported on the first parse, not with the module (20 ms):
    # a build that finds no entry changed parses none.
    import yaml

    handler = _front_matter_handler()
    try:
        front, body = handler.split(text)
    except ValueError as exc:
        raise ContentError("the front matter is not closed", rel, 1,
                           hint="end the front matter with a line of three dashes: ---") from exc
    _reject_aliases(front, rel)
    loader, duplicate_key = _entry_loader()
    try:
        meta = handler.load(front, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + _first_line(front) if mark else 1
        hint = "quote values that contain ': ' or start with a special character"
        if isinstance(exc, duplicate_key) and exc.context_mark is not None:
            hint = f"keep one of the two (the first is on line {exc.context_mark.line + _first_line(front)})"
        elif exc.context_mark is not None and "flow" in (exc.context or ""):
            # An unclosed '[' or '{': YAML notices on a later line; the mistake is where it opened.
            line = exc.context_mark.line + _first_line(front)
            bracket = "]" if "sequence" in (exc.context or "") else "}"
            hint = (f"close the {'[' if bracket == ']' else '{'} opened on this line with {bracket} on the same line, "
                    "or quote the value")
        elif exc.context_mark is not None and "quoted scalar" in (exc.context or ""):
            # An unclosed quote: YAML reads on to the end of the front matter; the mistake is where it opened.
            line = exc.context_mark.line + _first_line(front)
            hint = "close the quote opened on this line on the same line (a quote inside a value: use the other kind)"
        raise ContentError(f"front matter is not valid YAML: {exc.problem or exc}", rel, line, hint=hint) from exc
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        # PyYAML raises ValueError for impossible dates such as 2022-02-30.
        raise ContentError(f"front matter has a value YAML cannot read: {exc}", rel, _bad_value_line(front),
                           hint="check dates and numbers; quote anything else") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError(f"front matter must be a mapping of keys to values, not {type(meta).__name__}", rel, 2,
                           hint="write it as lines of 'key: value'")
    _reject_huge(meta, rel)
    meta = _clean_values(meta)
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    return meta, body, body_line


@functools.cache
def _front_matter_handler() -> Any:
    """python-frontmatter's YAML handler (it keeps no state between texts), made once."""
    from frontmatter.default_handlers import YAMLHandler

    return YAMLHandler()


@functools.cache
def _entry_loader() -> tuple[Any, Any]:
    """python-frontmatter's safe loader (PyYAML's C one when it has it) that refuses a key given twice
    (YAML forbids it; PyYAML keeps the last value without a word: a second title: was published), and
    the error it raises. Made on the first parse, as PyYAML is imported then."""
    import yaml
    from frontmatter.default_handlers import SafeLoader

    class DuplicateKeyError(yaml.MarkedYAMLError):
        pass

    class EntryLoader(SafeLoader):  # type: ignore[misc,valid-type]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                seen: dict[tuple[str, str], Any] = {}
                for key_node, _ in node.value:
                    if isinstance(key_node, yaml.ScalarNode):
                        first = seen.setdefault((key_node.tag, key_node.value), key_node)
                        if first is not key_node:
                            raise DuplicateKeyError("while reading a mapping", first.start_mark,
                                                    f"the key {key_node.value!r} is given twice", key_node.start_mark)
            return super().construct_mapping(node, deep=deep)

        def construct_document(self, node: Any) -> Any:
            # Most front matter is one mapping of texts to texts: built here at once (what PyYAML's
            # constructors make of str-tagged scalars is their value), not through its constructor
            # machinery, which took 40 % of a headline's parse. Anything else, a key given twice too, is
            # left to PyYAML.
            if type(node) is yaml.MappingNode:
                pairs = node.value
                if all(type(key) is yaml.ScalarNode and type(value) is yaml.ScalarNode and key.tag == _STR
                       and value.tag == _STR for key, value in pairs):
                    mapping = {key.value: value.value for key, value in pairs}
                    if len(mapping) == len(pairs):
                        return mapping
            return super().construct_document(node)

    return EntryLoader, DuplicateKeyError


_STR = "tag:yaml.org,2002:str"  # the tag PyYAML's resolver gives a text scalar


def _first_line(front: str) -> int:
    """The file line of the front matter's first line: it starts after the opening '---' line."""
    return 1 if front.startswith("\n") else 2


def _bad_value_line(front: str) -> int | None:
    """The file line of the first value YAML cannot construct (an impossible date, say)."""
    import yaml

    try:
        root = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    constructor = yaml.SafeLoader("")
    nodes = [root] if root is not None else []
    while nodes:
        node = nodes.pop(0)
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except (yaml.YAMLError, ValueError, OverflowError):
                return node.start_mark.line + _first_line(front)
        elif isinstance(node, yaml.SequenceNode):
            nodes.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            nodes.extend(item for pair in node.value for item in pair)
    return None


def _reject_aliases(front: str, rel: PurePosixPath) -> None:
    """YAML anchors and aliases repeat a value without writing it out again ('billion laughs': a 200 KB
    file whose aliases name a 100 KB text 3,000 times took an incremental build to 617 MB): refuse them all,
    naming the first anchor's line. Read from YAML's own tokens, only when the text has both signs."""
    if "&" not in front or "*" not in front:  # an alias needs an anchor
        return
    import yaml
    from frontmatter.default_handlers import SafeLoader

    anchor_line, alias = None, False
    try:
        for token in yaml.scan(front, Loader=SafeLoader):
            if isinstance(token, yaml.AnchorToken) and anchor_line is None:
                anchor_line = token.start_mark.line + _first_line(front)
            alias = alias or isinstance(token, yaml.AliasToken)
    except yaml.YAMLError:
        return  # not valid YAML: loading it says where
    if alias:
        raise ContentError("front matter uses YAML anchors/aliases (& and *)", rel, anchor_line,
                           hint="write each value out in full")


def _reject_huge(value: Any, rel: PurePosixPath) -> None:
    """Thousands of lists and mappings are no front matter anyone writes: refuse them."""
    if isinstance(value, dict) and not any(isinstance(item, (dict, list)) for item in value.values()):
        return  # one mapping of scalars: the usual front matter
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (dict, list)):
            count += 1
            stack.extend(item.values() if isinstance(item, dict) else item)
            if count > 10_000:
                raise ContentError("front matter is too deeply nested or large", rel, hint="keep it simple")


def _clean_values(value: Any) -> Any:
    """YAML escapes ("\\x01", "\\ud800") can put forbidden characters back into values: remove them."""
    if isinstance(value, str):
        # Most values are printable ASCII, which clean_text returns as it is: skip the call.
        if value.isascii() and value.isprintable():
            return value
        value = clean_text(value)
        # A value's right-to-left override or isolate left open would reorder what a page, feed or e-mail
        # puts after it (the site's name after a title): closed where the value ends.
        return with_bidi_closed(value) if BIDI_CONTROLS.search(value) else value
    if isinstance(value, dict):
        # Printable ASCII keys and values (most) are kept as they are without a call each.
        return {k if type(k) is str and k.isascii() and k.isprintable() else _clean_values(k):
                v if type(v) is str and v.isascii() and v.isprintable() else _clean_values(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_values(v) for v in value]
    return value


def key_line(text: str, key: str) -> int | None:
    """The file line of a front matter key (`key:` at a line's start), or None."""
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _make_entry(meta: dict[str, Any], body: str, body_line: int, text: str, rel: PurePosixPath,
                digest: str, config: Config) -> Entry:
    def fail(key: str, message: str, hint: str) -> ContentError:
        return ContentError(message, rel, key_line(text, key), hint)

    for key in meta:
        if not isinstance(key, str):
            raise ContentError(f"front matter key {key!r} is not text", rel, key_line(text, str(key)),
                               hint="keys are words like title or date")

    # Fields ingest was unsure of ("review: [title, date]"): a draft until the curator clears the list.
    draft = _boolean(meta, "draft", fail) or bool(_text_list(meta, "review", fail))
    title = _text(meta, "title", fail)
    if not title:
        raise ContentError("missing 'title'", rel, key_line(text, "title") or 2,
                           hint="add a line like  title: \"What happened\"")
    if "date" not in meta or meta["date"] in (None, ""):
        if not draft:
            raise ContentError("missing 'date'", rel, 2,
                               hint="add a line like  date: 2022-08-15  (or mark it draft: true)")
        published = datetime.fromtimestamp(UNDATED, config.tz)  # never published (model.is_undated)
    else:
        published = _date(meta["date"], config, fail)

    slug_value = _text(meta, "slug", fail)
    if slug_value is not None and (slugify(slug_value) != slug_value or not slug_value):
        raise fail("slug", f"slug {slug_value!r} is not a URL name",
                   f"use lowercase letters, digits and dashes, e.g. slug: {slugify(slug_value) or 'my-story'}")
    if slug_value in RESERVED:  # con, aux, nul...: Windows can make no folder of that name (digest new refuses it too)
        raise fail("slug", f"slug {slug_value!r} is a name the site keeps for itself",
                   f"choose another, e.g. slug: {slug_value}-story")
    slug = slug_value or safe_slug(rel.stem, "entry")

    topic = _topic(meta, config, fail)
    source_url = _url(meta, "source_url", fail)
    image = _url(meta, "image", fail)
    story = meta.get("story")
    if story is not None and not isinstance(story, (str, int)):
        raise fail("story", "'story' must be a short text key", "e.g. story: putin-kim-letters")

    extra = {k: v for k, v in meta.items() if k not in KNOWN_KEYS}
    values: dict[str, Any] = dict(
        path=rel,
        title=title,
        published=published,
        slug=slug,
        body=body,
        topic=topic,
        tags=clean_entry_tags(_text_list(meta, "tags", fail), config, f"{title}\n{_text(meta, 'summary', fail) or ''}"),
        authors=_text_list(meta, "authors", fail),
        source=_text(meta, "source", fail),
        source_url=source_url,
        summary=_text(meta, "summary", fail),
        key_points=_text_list(meta, "key_points", fail),
        image=image,
        draft=draft,
        story=str(story).strip() or None if story is not None else None,
        lead=_boolean(meta, "lead", fail),
        extra=extra,
        content_hash=digest,
    )
    return Entry(**values, head_hash=head_digest(values))


def key_warnings(entry: Entry, text: str) -> list[ContentWarning]:
    """Front matter keys that look like typos of known ones ('summry', 'tag'): kept as extra keys
    (deliberate ones reach the templates as entry.extra), but said, with a did-you-mean. `text`:
    the entry file's text, for the line."""
    warnings = []
    for key in entry.extra:
        close = difflib.get_close_matches(key.casefold(), KNOWN_KEYS, n=1, cutoff=0.8) if isinstance(key, str) \
            else []
        if close:
            warnings.append(ContentWarning(f"unknown key '{key}' (kept as an extra key)", entry.path,
                                           key_line(text, key), f"did you mean '{close[0]}'?"))
    if is_undated(entry):  # written by ingest where the page gave no date
        warnings.append(ContentWarning("no date (a draft until it has one, not published even with --drafts)",
                                       entry.path, key_line(text, "draft") or 2,
                                       "add a line like  date: 2022-08-15"))
    review = entry.extra.get("review")
    if review:  # written by ingest where it was unsure; the entry stays a draft meanwhile
        fields = ", ".join(map(str, review if isinstance(review, list) else [review]))
        warnings.append(ContentWarning(f"needs review: {fields} (a draft until checked)", entry.path,
                                       key_line(text, "review"),
                                       "check or correct these fields, then delete the review: line"))
    return warnings


def _text(meta: dict[str, Any], key: str, fail: Any) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(key, f"'{key}' must be text, not {_kind(value)}", f"write it as  {key}: \"...\"")
    text = " ".join(str(value).split()) if key not in ("summary",) else str(value).strip()
    return text or None


def _text_list(meta: dict[str, Any], key: str, fail: Any) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):  # an empty item ("- "), or one left empty once control characters are removed
        value = [v for v in value if v is not None]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                               for v in value):
        raise fail(key, f"'{key}' must be a list of texts", f"write it as  {key}: [\"one\", \"two\"]")
    items = (" ".join(str(v).split()) for v in value)
    return tuple(dict.fromkeys(i for i in items if i))


def _boolean(meta: dict[str, Any], key: str, fail: Any) -> bool:
    value = meta.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise fail(key, f"'{key}' must be true or false, not {value!r}", f"write  {key}: true  or  {key}: false")
    return value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else type(value).__name__


def _date(value: Any, config: Config, fail: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0))
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise fail("date", f"date {value!r} is not an ISO 8601 date", "write  date: 2022-08-15  or  "
                       "date: 2022-08-15T09:30:00+02:00") from None
    else:
        raise fail("date", f"'date' must be a date, not {_kind(value)}", "write  date: 2022-08-15")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=config.tz)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise fail("date", f"date {value!r} is out of range", f"use a year between {FIRST_YEAR} and {LAST_YEAR}")
    return moment


def _url(meta: dict[str, Any], key: str, fail: Any) -> str | None:
    value = _text(meta, key, fail)
    if value is None:
        return None
    safe = safe_url(value)
    if safe is None:
        raise fail(key, f"'{key}' is not an http(s) or relative URL: {value[:80]!r}",
                   "links may only use http, https or a relative path")
    return safe


def _topic(meta: dict[str, Any], config: Config, fail: Any) -> str:
    name = _text(meta, "topic", fail)
    if name is None:
        return config.default_topic
    if config.topics_from_entries:
        return name_slug(name, "topic")
    topic = config.topic_for(name)
    if topic is None:
        names = [t.slug for t in config.topics]
        close = difflib.get_close_matches(name.lower(), names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(names)}"
        raise fail("topic", f"unknown topic {name!r}", hint + " (or add it to [[topics]] in digest.toml)")
    return topic.slug
