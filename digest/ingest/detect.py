"""Decide what kind of input a file is from its content (the extension is only a hint)."""

from __future__ import annotations

import json
import re
from pathlib import Path

_FEED = re.compile(r"<(rss|feed|rdf:RDF)\b", re.IGNORECASE)
_HTML = re.compile(r"<!doctype\s+html|<html\b|<head\b|<body\b|<article\b|<div\b|<p\b", re.IGNORECASE)


# The document's first element, after an XML declaration, comments and a doctype.
_ROOT = re.compile(r"\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!doctype[^>]*>\s*)*<([\w:.-]+)", re.IGNORECASE | re.DOTALL)


def xml_root(text: str) -> str | None:
    """The root element of an XML document that is neither a feed nor a page (an OPML list of feeds,
    a sitemap): no article of its own. None for anything else."""
    if not text.lstrip().startswith("<?xml"):
        return None
    root = _ROOT.match(text[:20000])
    name = root.group(1) if root is not None else None
    return name if name and name.lower() not in ("rss", "feed", "rdf:rdf", "html") else None


def detect_kind(path: Path, text: str) -> str:
    """Return "feed", "html" or "text"."""
    root = _ROOT.match(text[:20000])
    if root is not None and root.group(1).lower() in ("rss", "feed", "rdf:rdf"):
        return "feed"  # whatever its items hold ("<html>" in a CDATA description)
    head = text.lstrip()[:4000]
    if head.startswith("<"):
        if _FEED.search(head) and not re.search(r"<html\b", head, re.IGNORECASE):
            return "feed"
        if _HTML.search(head):
            return "html"
    if head.startswith("{") and ('"items"' in text[:20000] and '"version"' in text[:2000] or _is_json(text)):
        # A JSON Feed (feed.py reads it; feedparser 6.0 reads XML feeds only); other JSON (a news API's
        # answer) is no copied text either: feed.py says it is no JSON Feed.
        return "feed"
    if path.suffix.lower() in {".rss", ".atom"} and _FEED.search(head):
        return "feed"
    if path.suffix.lower() in {".html", ".htm"} and _HTML.search(text[:20000]):
        return "html"
    return "text"


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True
