"""Article -> the text of a Markdown entry: YAML front matter (safe_dump) and body."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from digest.model import Topic
from digest.urls import safe_url

from .article import Article

REQUIRED = ("title", "date")


def match_topic(sections: Sequence[str], topics: Sequence[Topic]) -> str | None:
    """The topic named by the most specific of the source's sections.

    Sections come general -> specific (breadcrumb order: Home > Politics > World), so the
    deepest one that is a topic's slug, title or alias decides.
    """
    for section in reversed(sections):
        name = section.strip().casefold()
        if not name:
            continue
        for topic in topics:
            names = {topic.slug.casefold(), topic.title.casefold(),
                     *(a.casefold() for a in topic.aliases)}
            if name in names:
                return topic.slug
    return None


def missing_fields(article: Article) -> tuple[str, ...]:
    return tuple(f for f in REQUIRED if not getattr(article, f))


def front_matter(article: Article, topics: Sequence[Topic]) -> dict[str, Any]:
    """Only the fields the input states (summary may be derived from the body)."""
    data: dict[str, Any] = {}
    if article.title:
        data["title"] = article.title
    if article.date:
        data["date"] = article.date
    else:
        data["draft"] = True  # the build skips the date check for drafts
    if article.authors:
        data["authors"] = list(article.authors)
    if article.source:
        data["source"] = article.source
    # Only links the build accepts: a feed's <link>javascript:...</link> would make an entry
    # that cannot be published.
    if safe_url(article.source_url):
        data["source_url"] = article.source_url
    topic = match_topic(article.sections, topics)
    if topic:
        data["topic"] = topic
    if article.tags:
        data["tags"] = list(article.tags)
    if article.summary:
        data["summary"] = article.summary
    if article.key_points:
        data["key_points"] = list(article.key_points)
    if safe_url(article.image):
        data["image"] = article.image
    return data


def render_entry(article: Article, topics: Sequence[Topic]) -> str:
    data = front_matter(article, topics)
    # Dates stay strings so an offset ("-05:00") is kept exactly as the source stated it.
    head = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{head}---\n\n{article.body.strip()}\n"
