"""Article -> the text of a Markdown entry: YAML front matter (safe_dump) and body."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import yaml

from digest.entry_file import FIRST_YEAR, LAST_YEAR
from digest.model import Topic
from digest.tags import clean_tags
from digest.urls import drops_letters, safe_url, slugify

from .article import Article
from .markdown import summary_from

REQUIRED = ("title", "date")


def match_topic(sections: Sequence[str], topics: Sequence[Topic]) -> str | None:
    """The topic named by the most specific of the source's sections.

    Sections come general -> specific (breadcrumb order: Home > Politics > World), so the
    deepest one that is a topic's slug, title or alias decides.
    """
    names = [(topic.slug, {_section_key(n) for n in (topic.slug, topic.title, *topic.aliases)} - {""})
             for topic in topics]
    for section in reversed(sections):
        # One section may list several ("general-news,government"); written as pages do: in any
        # case, with '&' for 'and', and often with 'News' after it ("Business News").
        for part in reversed(section.split(",")):
            key = _section_key(part)
            for candidate in (key, key.removesuffix("-news")):
                for slug, keys in names:
                    if candidate and candidate in keys:
                        return slug
    return None


def _section_key(name: str) -> str:
    """'Science & Technology' and 'science-and-technology' alike: 'science-and-technology'. A name in
    another script, whole or in part, by its own letters: 'Спорт' is 'спорт', where slugify left nothing
    (an alias 'Спорт' never matched) or only the ASCII part ('COVID-19 в России' matched 'COVID-19')."""
    spelled = name.replace("&", " and ")
    if drops_letters(spelled):
        return "-".join(re.findall(r"[^\W_]+", unicodedata.normalize("NFC", spelled).casefold()))
    return slugify(spelled)


def with_title(article: Article) -> Article:
    """An article the input gives no headline (a feed item without a title) with its first sentence as
    a guess to review: an entry needs a title, and one without any stopped every build of the site."""
    if article.title:
        return article
    text = article.summary or summary_from(article.body) or next(
        (re.sub(r"^(\\|#+|>|[-*+]|\d+[.)])\s*", "", line).strip() for line in article.body.splitlines()
         if line.strip()), "")
    sentence = re.split(r"(?<=[.!?\u3002])\s+", " ".join(text.split()), maxsplit=1)[0]
    words = sentence.split()
    guess = sentence if len(words) <= 15 else " ".join(words[:12]) + "\u2026"
    if not guess:
        return article
    return dataclasses.replace(article, title=guess, review=("title", *article.review))


# More tags than a news article is given (a handful, rarely twenty): a feed item with 3,000 <category>
# elements made an entry of 3,000 tags, and the site 3,000 tag pages (25 MB) from one item.
MAX_TAGS = 20


def with_few_tags(article: Article) -> Article:
    """The article with its first MAX_TAGS tags when it has more, the tags to review: the entry is a
    draft until the curator has looked at them (the input keeps them all)."""
    tags = tuple(dict.fromkeys(article.tags))
    if len(tags) <= MAX_TAGS:
        return article
    return dataclasses.replace(article, tags=tags[:MAX_TAGS], review=(*article.review, "tags"))


def with_readable_date(article: Article) -> Article:
    """The article without a date the build would refuse (a feed's placeholder year 9999): the entry is
    written undated, a draft, as for an input that states no date, not as one that stops every build."""
    if not article.date:
        return article
    try:
        if FIRST_YEAR <= datetime.fromisoformat(article.date.strip().replace("Z", "+00:00")).year <= LAST_YEAR:
            return article
    except ValueError:
        pass
    return dataclasses.replace(article, date=None)


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
    # Cleaned as the build cleans them (digest/tags.py), without the site's [tags] settings.
    tags = clean_tags(article.tags, about=f"{article.title or ''}\n{article.summary or ''}")
    if tags:
        data["tags"] = list(tags)
    if article.summary:
        data["summary"] = article.summary
    if article.key_points:
        data["key_points"] = list(article.key_points)
    if safe_url(article.image):
        data["image"] = article.image
    if article.review:
        # What ingest is unsure of, for the curator to confirm: the build keeps the entry
        # unpublished (as a draft) until this list is removed.
        data["review"] = list(article.review)
    return data


def render_entry(article: Article, topics: Sequence[Topic]) -> str:
    data = front_matter(article, topics)
    review = data.pop("review", None)
    # Dates stay strings so an offset ("-05:00") is kept exactly as the source stated it.
    head = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    if review:  # one line, "review: [title, date]": the curator clears it by deleting that line
        head += "review: " + yaml.safe_dump(review, default_flow_style=True, width=1000)
    return f"---\n{head}---\n\n{article.body.strip()}\n"
