"""`digest new`: write a fresh entry file with the front matter filled in from the flags."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from digest.config import Config
from digest.errors import ContentError
from digest.urls import safe_url, slugify


def new_entry(config: Config, title: str, *, topic: str | None = None, source: str | None = None,
              url: str | None = None, when: datetime | None = None) -> Path:
    title = " ".join(title.split())
    if not title:
        raise ContentError("the headline is empty", hint='digest new "What happened"')
    moment = (when or datetime.now(config.tz)).replace(microsecond=0)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=config.tz)
    meta: dict[str, object] = {"title": title, "date": moment.isoformat()}
    if topic is not None:
        found = config.topic_for(topic)
        if found is None and not config.topics_from_entries:
            raise ContentError(f"unknown topic {topic!r}", config.site_root / "digest.toml",
                               hint=f"use one of: {', '.join(t.slug for t in config.topics)}")
        meta["topic"] = found.slug if found else topic
    if source:
        meta["source"] = source
    if url is not None:
        if safe_url(url) is None:
            raise ContentError(f"--url {url!r} is not an http(s) URL", hint="e.g. --url https://example.org/story")
        meta["source_url"] = url
    meta["summary"] = ""
    folder = config.content_path / f"{moment:%Y/%m/%d}"
    path = folder / f"{slugify(title) or 'entry'}.md"
    if path.exists():
        raise ContentError("an entry with this name exists already", path,
                           hint="choose another headline, or edit that file")
    folder.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(f"---\n{front}---\n\nWrite the article here.\n", encoding="utf-8")
    return path
