"""What every reader hands on: one article's facts as the input states them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """One article read from an input. Every field is only what the input states."""

    title: str | None
    body: str  # Markdown
    date: str | None = None  # ISO 8601: "2022-08-15" or "2022-08-15T10:31:00-04:00"
    authors: tuple[str, ...] = ()
    source: str | None = None  # the publisher's name
    source_url: str | None = None
    sections: tuple[str, ...] = ()  # the source's own section names, general -> specific
    tags: tuple[str, ...] = ()
    summary: str | None = None  # standfirst as stated; derived from the body when absent
    key_points: tuple[str, ...] = ()
    image: str | None = None
    # Fields the reader is unsure of (front matter names: "title", "authors", "date"): an unsure
    # title is kept as the best guess (an entry needs one), unsure authors and dates are left out.
    review: tuple[str, ...] = ()
