"""Ingest: raw articles (copied page text, saved HTML, RSS/Atom feeds) -> Markdown entries.

One reader per input format (text.py, html.py, feed.py) hands on an Article; entry.py
writes its front matter; run.py decides what may be written and save.py writes it safely.
"""

from __future__ import annotations

from .article import Article
from .inputs import inputs_under, is_input
from .run import IngestResult, ingest_paths, read_articles

__all__ = ["Article", "IngestResult", "ingest_paths", "inputs_under", "is_input", "read_articles"]
