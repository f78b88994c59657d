"""`digest new`: write a fresh entry file with the front matter filled in from the flags.

An entry is a draft unless asked otherwise: a placeholder must never reach the front page or the
feeds. The file's name (the entry's slug) is made from the headline, transliterated to ASCII
(anyascii: Cyrillic, Greek, Chinese, Arabic, emoji by name...); a headline with nothing to
transliterate (punctuation and symbols only) gets a short stable hash of itself, so two such
headlines never share a name.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import yaml
from anyascii import anyascii

from digest.config import Config
from digest.errors import ContentError
from digest.urls import RESERVED, safe_url, slugify

PLACEHOLDER = "Write the article here, in Markdown."


def entry_slug(title: str) -> str:
    """The file name (without .md) for a headline: its transliteration as a slug, else a hash; of the
    headline in NFC, so that one pasted in NFD (from a macOS file name) gets the same ('й', not 'и' and a breve)."""
    title = unicodedata.normalize("NFC", title)
    slug = slugify(anyascii(title))
    if slug and slug not in RESERVED:
        return slug
    return f"entry-{hashlib.sha1(title.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def new_entry(config: Config, title: str, *, topic: str | None = None, source: str | None = None,
              url: str | None = None, when: datetime | date | None = None, tags: Sequence[str] = (),
              slug: str | None = None, draft: bool = True) -> Path:
    title = " ".join(title.split())
    if not title:
        raise ContentError("the headline is empty", hint='digest new "What happened"')
    moment: datetime | date
    if isinstance(when, datetime) or when is None:
        instant = (when or datetime.now(config.tz)).replace(microsecond=0)
        moment = instant if instant.tzinfo is not None else instant.replace(tzinfo=config.tz)
    else:
        moment = when  # a plain date: midnight in the site's timezone, as the build reads it
    meta: dict[str, object] = {"title": title, "date": moment}  # YAML writes a date or a timestamp
    if draft:
        meta["draft"] = True
    if topic is not None:
        found = config.topic_for(topic)
        if found is None and not config.topics_from_entries:
            raise ContentError(f"unknown topic {topic!r}", config.site_root / "digest.toml",
                               hint=f"use one of: {', '.join(t.slug for t in config.topics)}")
        meta["topic"] = found.slug if found else topic
    if tags:
        meta["tags"] = list(tags)
    if source:
        meta["source"] = source
    if url is not None:
        if safe_url(url) is None:
            raise ContentError(f"--url {url!r} is not an http(s) URL", hint="e.g. --url https://example.org/story")
        meta["source_url"] = url
    folder = config.content_path / f"{moment:%Y/%m/%d}"
    path = folder / f"{slug or entry_slug(title)}.md"
    if path.exists():
        raise ContentError("an entry with this name exists already", path,
                           hint="give this one another name with --slug, or edit that file")
    folder.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    summary = "# summary: One or two sentences for the front page and the feeds.\n"
    path.write_text(f"---\n{front}{summary}---\n\n{PLACEHOLDER}\n", encoding="utf-8")
    return path
