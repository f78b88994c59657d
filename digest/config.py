"""digest.toml -> Config, validated, with every problem reported at once.

Each option is documented where it is defined (SCHEMA); unknown keys are errors that suggest the
closest valid key.
"""

from __future__ import annotations

import difflib
import re
import string
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.characters import FORBIDDEN
from digest.errors import BuildFailed, ConfigError, DigestError
from digest.model import Topic
from digest.urls import RESERVED, slugify

CONFIG_NAME = "digest.toml"
# Folders of the site that the output folder must never replace (the build swaps output/ wholesale).
PROTECTED_FOLDERS = ("content", "themes", "seeds", "static", ".github", ".digest")

# section -> key -> (type, default, what it means)
SCHEMA: dict[str, dict[str, tuple[type | tuple[type, ...], Any, str]]] = {
    "site": {
        "title": (str, "Digest", "the site's name, shown in every page header and feed"),
        "description": (str, "A curated news digest.", "one sentence for feeds and meta tags"),
        "base_url": (str, "http://127.0.0.1:8000/", "absolute URL the site is published at"),
        "language": (str, "en", "BCP 47 language tag of the content, e.g. en or en-GB"),
        "timezone": (str, "UTC", "IANA timezone; an edition is one local day there"),
        "theme": (str, "default", "folder under themes/ whose templates override the built-in ones"),
        "items_per_page": (int, 20, "stories per topic/tag page before paginating"),
        "default_topic": (str, "general", "topic slug for entries that name none"),
    },
    "feeds": {
        "items": (int, 50, "newest items in each feed"),
        "full_content": (bool, True, "put the whole article in feeds, not only the summary"),
    },
    "build": {
        "drafts": (bool, False, "publish entries marked draft: true"),
        "future": (bool, False, "publish entries dated in the future"),
        "output_dir": (str, "output", "where the site is written, relative to the site folder"),
    },
    # Tag hygiene (digest/tags.py): the names that mean one tag, and names never made tags.
    "tags": {
        "aliases": (dict, {}, "a table: tag -> the other names that mean it, e.g. \"North Korea\" = "
                    "[\"DPRK\"]; matched case-insensitively by the build and by ingest"),
        "ignore": (list, [], "names never made tags, e.g. [\"Exclusive\", \"Breaking News\"]"),
    },
    # Each edition and week as a newsletter (digest/newsletter/), and how `digest send` sends it.
    "email": {
        "files": (bool, True, "write email.html, email.txt and email.eml beside each edition and for each week"),
        "from": (str, "", "the sender, e.g. \"The Digest <news@example.org>\" (default: the site's title "
                 "at newsletter@ the base URL's host)"),
        "subject": (str, "{title}: {date}", "an edition's subject: {title} (site), {date}, {headline}, {stories}"),
        "weekly_subject": (str, "{title}: the week to {date}", "the weekly roll-up's subject; also {week}"),
        "week_ends": (str, "sunday", "the weekday a weekly roll-up ends on"),
        "list_unsubscribe": (str, "", "a mailto: or https: address for the List-Unsubscribe header and link"),
        "one_click_unsubscribe": (bool, False, "also List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058, "
                                  "asked of bulk senders by Gmail and Yahoo): the https: list_unsubscribe address "
                                  "must unsubscribe on a POST, with no page to confirm"),
        "host": (str, "", "SMTP server for digest send"),
        "port": (int, 587, "SMTP port (587 for starttls, 465 for tls)"),
        "security": (str, "starttls", "\"starttls\", \"tls\" or \"none\" (none only for host 127.0.0.1)"),
        "user": (str, "", "SMTP user name; the password comes from DIGEST_SMTP_PASSWORD, never this file"),
    },
}
TOPIC_KEYS = {
    "slug": (str, "URL name of the topic: lowercase letters, digits and dashes"),
    "title": (str, "the topic's display name"),
    "aliases": (list, "section names from sources that mean this topic, e.g. 'World News'"),
}


@dataclass(frozen=True)
class Config:
    site_root: Path
    title: str = "Digest"
    description: str = "A curated news digest."
    base_url: str = "http://127.0.0.1:8000/"
    language: str = "en"
    timezone: str = "UTC"
    theme: str = "default"
    items_per_page: int = 20
    default_topic: str = "general"
    feed_items: int = 50
    feed_full_content: bool = True
    drafts: bool = False
    future: bool = False
    output_dir: str = "output"
    email_files: bool = True
    email_from: str = ""
    email_subject: str = "{title}: {date}"
    email_weekly_subject: str = "{title}: the week to {date}"
    email_week_ends: str = "sunday"
    email_list_unsubscribe: str = ""
    email_one_click_unsubscribe: bool = False
    email_host: str = ""
    email_port: int = 587
    email_security: str = "starttls"
    email_user: str = ""
    tag_aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # [tags] aliases: (tag, its other names)
    tag_ignore: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()
    topics_from_entries: bool = False  # no [[topics]] configured: topics come from the entries
    source_text: str = ""  # the file's text, part of every page's and feed's fingerprint

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def parse_key(self) -> str:
        """All that parsing an entry reads of the config (content.load_entry: the time zone of
        dates without one, the topics and their aliases): the build cache keeps its parsed rows
        across any other change of digest.toml. Everything else the pages show is in their
        fingerprints, which take the whole file."""
        return repr((self.timezone, self.default_topic, self.topics_from_entries,
                     [(t.slug, t.title, tuple(t.aliases)) for t in self.topics], self.tag_aliases, self.tag_ignore))

    @property
    def output_path(self) -> Path:
        return self.site_root / self.output_dir

    def line_of(self, section: str, key: str) -> int | None:
        """The line of `key` in [section] of digest.toml: for the problems found after loading."""
        return _line_of(self.source_text, key, _section_offset(self.source_text, section))

    @property
    def content_path(self) -> Path:
        return self.site_root / "content"

    def topic_for(self, name: str) -> Topic | None:
        """The configured topic whose slug, title or alias is `name` (case-insensitive)."""
        wanted = _fold(name)
        for topic in self.topics:
            if wanted in {_fold(topic.slug), _fold(topic.title), *map(_fold, topic.aliases)}:
                return topic
        return None


def _fold(text: str) -> str:
    return " ".join(text.replace("-", " ").replace("_", " ").casefold().split())


def _line_of(text: str, key: str, after: int = 0) -> int | None:
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=", re.M)
    match = pattern.search(text, after)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _suggest(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"valid keys: {', '.join(sorted(valid))}"


def load_config(site_root: Path, *, required: bool = True) -> Config:
    """Read site_root/digest.toml; without one, defaults (or an error when `required`)."""
    path = site_root / CONFIG_NAME
    if not path.exists():
        if required:
            raise ConfigError(
                f"no {CONFIG_NAME} in {site_root}",
                path,
                hint="run digest in the site folder (or give it: -C FOLDER), or start a site with digest init",
            )
        return Config(site_root=site_root, topics_from_entries=True)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path, hint="save it as UTF-8 text") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _toml_error_line(str(exc))
        raise ConfigError(f"not valid TOML: {exc}", path, line, hint="see the TOML syntax at toml.io") from exc
    return parse_config(data, text, path, site_root)


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def parse_config(data: dict[str, Any], text: str, path: Path, site_root: Path) -> Config:
    errors: list[DigestError] = []
    values: dict[str, Any] = {}

    def problem(message: str, key: str, hint: str | None = None, after: int = 0) -> None:
        errors.append(ConfigError(message, path, _line_of(text, key, after), hint))

    for section, body in data.items():
        if section == "topics":
            continue
        if section not in SCHEMA:
            problem(f"unknown section [{section}]", section, _suggest(section, [*SCHEMA, "topics"]))
            errors[-1].line = _section_line(text, section)
            continue
        if not isinstance(body, dict):
            problem(f"'{section}' must be a table [{section}]", section,
                    f"write it as a line [{section}] followed by lines of key = value")
            continue
        for key, value in body.items():
            spec = SCHEMA[section].get(key)
            if spec is None:
                hint = _suggest(key, list(SCHEMA[section]))
                if section == "email" and key in ("password", "pass", "passwd"):
                    hint = "remove it: the SMTP password is read from the environment variable DIGEST_SMTP_PASSWORD"
                problem(f"unknown key '{key}' in [{section}]", key, hint)
                continue
            kind, _default, meaning = spec
            if not _is_type(value, kind):
                problem(
                    f"Config value '{section}.{key}' must be {_type_name(kind)}, not {type(value).__name__}",
                    key,
                    f"{key} is {meaning}",
                )
                continue
            forbidden = FORBIDDEN.search(value) if isinstance(value, str) else None
            if forbidden:
                problem(f"Config value '{section}.{key}' contains the character {forbidden.group()!r}", key,
                        "remove it: control characters and noncharacters cannot appear in a page or feed")
                continue
            values[_field_name(section, key)] = value

    topics = _parse_topics(data.get("topics"), text, path, errors)
    _check_values(values, text, path, errors)
    _check_email(values, text, path, errors)
    _check_tags(values, text, path, errors)
    known_slugs = {t.slug for t in topics}
    default_topic = values.get("default_topic", "general")
    if topics and default_topic not in known_slugs:
        topics = (*topics, Topic(default_topic, default_topic.replace("-", " ").title()))
    if errors:
        raise BuildFailed(errors) if len(errors) > 1 else errors[0]
    values["base_url"] = site_address(values.get("base_url", Config.base_url))
    return Config(
        site_root=site_root,
        topics=topics,
        topics_from_entries=not topics,
        source_text=text,
        **values,
    )


def _section_line(text: str, section: str) -> int | None:
    match = re.search(rf"^\s*\[+\s*{re.escape(section)}\s*\]+", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _field_name(section: str, key: str) -> str:
    if section == "feeds":
        return {"items": "feed_items", "full_content": "feed_full_content"}[key]
    if section == "email":
        return f"email_{key}"
    if section == "tags":
        return f"tag_{key}"
    return key


def _is_type(value: Any, kind: type | tuple[type, ...]) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", bool: "true or false", list: "a list", dict: "a table"}
    return names.get(kind, str(kind)) if isinstance(kind, type) else "a value"


def _check_values(values: dict[str, Any], text: str, path: Path, errors: list[DigestError]) -> None:
    def bad(key: str, message: str, hint: str) -> None:
        errors.append(ConfigError(message, path, _line_of(text, key), hint))

    if "base_url" in values and not is_base_url(values["base_url"]):
        bad("base_url", f"Config value 'site.base_url' is not an absolute http(s) URL: {values['base_url']!r}",
            "write it like https://news.example.org/ (feeds need absolute links)")
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            close = difflib.get_close_matches(values["timezone"], _zone_names(), n=1)
            bad("timezone", f"Config value 'site.timezone' is not an IANA timezone: {values['timezone']!r}",
                f"did you mean '{close[0]}'?" if close else "use a name like Europe/London or UTC")
    for key in ("title", "description"):  # feeds require both
        if key in values and not values[key].strip():
            bad(key, f"Config value 'site.{key}' is empty", f"give the site a {key}: feeds require one")
    if "language" in values and not re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", values["language"]):
        bad("language", f"Config value 'site.language' is not a BCP 47 language tag: {values['language']!r}",
            "write it like en, en-GB or pt-BR")
    for field, key in (("items_per_page", "items_per_page"), ("feed_items", "items")):
        if values.get(field, 1) < 1:
            bad(key, f"Config value '{key}' must be at least 1", "use a positive whole number")
    if "theme" in values and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", values["theme"]):
        bad("theme", f"Config value 'site.theme' is not a folder name: {values['theme']!r}",
            "name a folder under themes/, e.g. default")
    if "output_dir" in values and _overwrites_site(values["output_dir"], path.parent):
        bad("output_dir", f"Config value 'build.output_dir' would replace the site's own files: "
            f"{values['output_dir']!r}", "the build replaces the whole output folder: use a folder of its own, "
            "e.g. output_dir = \"output\"")
    if "default_topic" in values and slugify(values["default_topic"]) != values["default_topic"]:
        bad("default_topic", f"Config value 'site.default_topic' is not a slug: {values['default_topic']!r}",
            "use lowercase letters, digits and dashes")
    elif values.get("default_topic") in RESERVED:
        bad("default_topic", f"Config value 'site.default_topic' is a name the site keeps for itself: "
            f"{values['default_topic']!r}", f"choose another, e.g. default_topic = \"{values['default_topic']}-news\"")


def _check_tags(values: dict[str, Any], text: str, path: Path, errors: list[DigestError]) -> None:
    """[tags]: every alias a list of names (one name alone is taken as a list of one), every
    ignored name text; kept as tuples, so the config stays hashable."""
    aliases: list[tuple[str, tuple[str, ...]]] = []
    for tag, names in values.get("tag_aliases", {}).items():
        names = [names] if isinstance(names, str) else names
        if not tag.strip() or not isinstance(names, list) or not all(isinstance(n, str) and n.strip()
                                                                         for n in names):
            errors.append(ConfigError(f"Config value 'tags.aliases' for {tag!r} must be a list of names", path,
                                      _line_of(text, tag) or _line_of(text, "aliases", _section_offset(text, "tags")),
                                      'write it like "North Korea" = ["DPRK", "Democratic People\'s Republic of '
                                      'Korea"]'))
            continue
        aliases.append((tag.strip(), tuple(n.strip() for n in names)))
    if "tag_aliases" in values:
        values["tag_aliases"] = tuple(aliases)
    ignore = values.get("tag_ignore", [])
    if not all(isinstance(n, str) for n in ignore):
        errors.append(ConfigError("Config value 'tags.ignore' must be a list of names", path,
                                  _line_of(text, "ignore", _section_offset(text, "tags")),
                                  'write it like ignore = ["Exclusive", "Breaking News"]'))
    elif "tag_ignore" in values:
        values["tag_ignore"] = tuple(n.strip() for n in ignore if n.strip())


def is_base_url(url: str) -> bool:
    """An absolute http(s) URL without query, fragment or characters a URL cannot hold."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: https://[::1/
        return False
    return (parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.query and not parts.fragment
            and not re.search(r"[\s\"'<>\\^`{|}]", url))


def ascii_address(url: str) -> str:
    """An address as sitemaps, RSS, mail headers and HTTP servers need it: ASCII, an IRI's host in
    IDNA and the rest percent-encoded (https://bücher.example/été/ -> https://xn--bcher-kva.example/%C3%A9t%C3%A9/,
    mailto:zoë@example.org -> mailto:zo%C3%AB@example.org, as RFC 6068 writes it). Browsers send and
    show the same address either way."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport.partition(":")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = quote(host)
        netloc = quote(userinfo, safe=":%") + at + host + colon + port

    def encoded(text: str) -> str:
        return re.sub(r"[^\x00-\x7f]+", lambda match: quote(match.group()), text)

    return urlunsplit((parts.scheme, netloc, encoded(parts.path), encoded(parts.query), encoded(parts.fragment)))


def site_address(base_url: str) -> str:
    """The base URL as every page, feed and e-mail writes it: ASCII (ascii_address), ending in "/"."""
    base_url = ascii_address(base_url)
    return base_url if base_url.endswith("/") else base_url + "/"


def with_base_url(config: Config, base_url: str) -> Config:
    """The config with the base URL given on the command line (--base-url), checked as digest.toml's."""
    if not is_base_url(base_url):
        raise ConfigError(f"--base-url is not an absolute http(s) URL: {base_url!r}",
                          hint="write it like --base-url https://example.org/news/")
    base_url = site_address(base_url)
    # Every page's and feed's fingerprint takes the config's text: the URL must be part of it, or a
    # build with another --base-url would keep the pages the last one made.
    return replace(config, base_url=base_url, source_text=f"{config.source_text}\n# --base-url {base_url}\n")


def is_local_base_url(base_url: str) -> bool:
    """The default base URL, or one on this machine: feeds and canonical links would point at it."""
    host = urlsplit(base_url).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SUBJECT_FIELDS = {"email_subject": {"title", "date", "headline", "stories"},
                  "email_weekly_subject": {"title", "date", "headline", "stories", "week"}}


def _check_email(values: dict[str, Any], text: str, path: Path, errors: list[DigestError]) -> None:
    """[email]: what the newsletter files and `digest send` need, checked before anything is built or sent."""
    def bad(key: str, message: str, hint: str) -> None:
        errors.append(ConfigError(message, path, _line_of(text, key, _section_offset(text, "email")), hint))

    for field, allowed in SUBJECT_FIELDS.items():
        if field in values:
            key = field.removeprefix("email_")
            try:
                names = {name for _, name, _, _ in string.Formatter().parse(values[field]) if name is not None}
            except ValueError as exc:
                bad(key, f"Config value 'email.{key}' is not a subject template: {exc}",
                    "write fields as {date}; a literal brace as {{ or }}")
                continue
            unknown = sorted(names - allowed)
            if unknown:
                bad(key, f"Config value 'email.{key}' names an unknown field {{{unknown[0]}}}",
                    f"use {', '.join('{' + n + '}' for n in sorted(allowed))}")
            elif "\n" in values[field] or "\r" in values[field]:
                bad(key, f"Config value 'email.{key}' holds a line break", "a subject is one line")
    if values.get("email_week_ends", "sunday").lower() not in WEEKDAYS:
        bad("week_ends", f"Config value 'email.week_ends' is not a weekday: {values['email_week_ends']!r}",
            "write one of " + ", ".join(WEEKDAYS))
    if "email_from" in values and values["email_from"] and not is_mail_address(values["email_from"]):
        bad("from", f"Config value 'email.from' is not an e-mail address: {values['email_from']!r}",
            'write it like from = "The Digest <news@example.org>"')
    unsubscribe = values.get("email_list_unsubscribe", "")
    if unsubscribe and (not unsubscribe.startswith(("mailto:", "https://", "http://"))
                        or re.search(r"[\s\"'<>\\^`{|}]", unsubscribe)):
        bad("list_unsubscribe", f"Config value 'email.list_unsubscribe' is not a mailto: or http(s) address: "
            f"{unsubscribe!r}", "write it like mailto:leave@example.org or https://example.org/unsubscribe")
    elif unsubscribe:
        values["email_list_unsubscribe"] = ascii_address(unsubscribe)  # a mail header holds ASCII only
    if values.get("email_one_click_unsubscribe") and not unsubscribe.startswith("https://"):
        bad("one_click_unsubscribe", "Config value 'email.one_click_unsubscribe' needs an https: list_unsubscribe "
            f"address (RFC 8058), not {unsubscribe or 'none'!r}",
            'set list_unsubscribe = "https://example.org/unsubscribe?..." (an address that unsubscribes on a '
            "POST), or remove one_click_unsubscribe")
    security = values.get("email_security", "starttls")
    if security not in ("starttls", "tls", "none"):
        bad("security", f"Config value 'email.security' must be \"starttls\", \"tls\" or \"none\", not {security!r}",
            "starttls on port 587 or tls on port 465, as your mail provider says")
    elif security == "none" and values.get("email_host", "") not in LOOPBACK_SMTP:
        bad("security", "Config value 'email.security' is \"none\" for a host other than 127.0.0.1",
            "an unencrypted connection would send the password and the messages in the clear: "
            "use starttls or tls")
    if not 0 < values.get("email_port", 587) < 65536:
        bad("port", f"Config value 'email.port' is not a port number: {values['email_port']}", "use 587 or 465")


LOOPBACK_SMTP = ("127.0.0.1", "::1")


def is_mail_address(text: str) -> bool:
    """'news@example.org' or 'Name <news@example.org>': one address with a local part and a domain."""
    from email.headerregistry import HeaderRegistry  # 13 ms to import: only where an address is read

    try:
        header = HeaderRegistry()("From", text)
    except (ValueError, IndexError, TypeError):
        return False
    addresses: tuple[Any, ...] = getattr(header, "addresses", ())
    return (len(addresses) == 1 and not header.defects and bool(addresses[0].username)
            and "." in addresses[0].domain)


def _section_offset(text: str, section: str) -> int:
    match = re.search(rf"^\s*\[\s*{re.escape(section)}\s*\]", text, re.M)
    return match.start() if match else 0


def _overwrites_site(output_dir: str, site_root: Path) -> bool:
    """True when the output folder is the site folder, one of its ancestors, or a folder digest reads."""
    root = site_root.resolve()
    output = (root / output_dir).resolve()
    if not output_dir.strip() or output == root or output in root.parents:
        return True
    return any(output == (root / name).resolve() or output in (root / name).resolve().parents
               for name in PROTECTED_FOLDERS)


def _zone_names() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(available_timezones())


def _parse_topics(raw: Any, text: str, path: Path, errors: list[DigestError]) -> tuple[Topic, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        line = _section_line(text, "topics") or _line_of(text, "topics")
        errors.append(ConfigError("'topics' must be a list of [[topics]] tables", path, line,
                                  'write each topic as [[topics]] with slug = "world" and title = "World"'))
        return ()
    topics: list[Topic] = []
    claimed: dict[str, str] = {}
    offset = 0
    for number, item in enumerate(raw, 1):
        match = re.compile(r"^\s*\[\[\s*topics\s*\]\]", re.M).search(text, offset)
        line = text.count("\n", 0, match.start()) + 1 if match else None
        offset = match.end() if match else offset
        where = f"topic #{number}"
        for key in item:
            if key not in TOPIC_KEYS:
                errors.append(ConfigError(f"unknown key '{key}' in {where}", path, _line_of(text, key, offset),
                                          _suggest(key, list(TOPIC_KEYS))))
        slug = item.get("slug")
        if not isinstance(slug, str) or not slug or slugify(slug) != slug:
            errors.append(ConfigError(f"{where} needs a slug of lowercase letters, digits and dashes, got {slug!r}",
                                      path, line, 'e.g. slug = "world"'))
            continue
        if slug in RESERVED:  # con, aux, nul...: Windows can make no folder topics/con/ (as entries' slugs)
            errors.append(ConfigError(f"{where}: slug '{slug}' is a name the site keeps for itself", path, line,
                                      f'choose another, e.g. slug = "{slug}-news"'))
            continue
        if any(t.slug == slug for t in topics):
            errors.append(ConfigError(f"{where}: slug '{slug}' is used by an earlier topic", path, line,
                                      "give each topic its own slug"))
            continue
        title = item.get("title", slug.replace("-", " ").title())
        aliases = item.get("aliases", [])
        if not isinstance(title, str) or not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            errors.append(ConfigError(f"topic '{slug}': title must be a string and aliases a list of strings",
                                      path, line, 'e.g. aliases = ["World News", "International"]'))
            continue
        if any(FORBIDDEN.search(text) for text in (title, *aliases)):
            errors.append(ConfigError(f"topic '{slug}': title or alias contains a control character or noncharacter",
                                      path, line, "remove it: such characters cannot appear in a page or feed"))
            continue
        for name in {_fold(slug), _fold(title), *map(_fold, aliases)}:
            owner = claimed.get(name)
            if owner is not None and owner != slug:
                errors.append(ConfigError(f"'{name}' is claimed by topics '{owner}' and '{slug}'", path, line,
                                          "give each alias to one topic only"))
            claimed[name] = slug
        topics.append(Topic(slug=slug, title=title, aliases=tuple(aliases)))
    return tuple(topics)
