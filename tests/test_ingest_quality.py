"""Regression floor for extraction quality on a few pages of the shared dev set.

The dev set lives beside the repository (../shared/ingest-devset, as in CI); the full
measurement is bench/ingest_quality.py. Floors sit a little below the measured figures.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from digest.ingest.article import Article
from digest.ingest.clean import decode, sanitize
from digest.ingest.html import read_html
from digest.ingest.text import read_text

DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "ingest-devset"
PAGES = ["06ee", "1ace", "2148", "374a", "57e2", "686b", "d1c5", "e593"]

# CI always has ../shared beside the clone: there a missing dev set fails the tests, never skips them.
pytestmark = pytest.mark.skipif(not (DEVSET / "truth.json").exists() and not os.environ.get("CI"),
                                reason="shared dev set not beside the repository")


def shingles(text: str) -> Counter[tuple[str, ...]]:
    toks = re.findall(r"\w+", text.lower())
    return Counter(tuple(toks[i:i + 4]) for i in range(max(0, len(toks) - 3)))


def precision_recall(pred: str, true: str) -> tuple[float, float]:
    p, t = shingles(pred), shingles(true)
    overlap = sum((p & t).values())
    if not overlap:
        return 0.0, 0.0
    return overlap / sum(p.values()), overlap / sum(t.values())


def f1(pred: str, true: str) -> float:
    precision, recall = precision_recall(pred, true)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def read(mode: str, page_id: str) -> Article:
    if mode == "text":
        raw = (DEVSET / "text-w3m" / f"{page_id}.txt").read_bytes()
        return read_text(sanitize(decode(raw)))
    raw = (DEVSET / "html" / f"{page_id}.html").read_bytes()
    return read_html(sanitize(decode(raw)))


def truth() -> dict[str, dict[str, object]]:
    return dict(sorted(json.loads((DEVSET / "truth.json").read_text(encoding="utf-8")).items()))


def pages() -> list[tuple[str, dict[str, object]]]:
    return [(k, v) for k, v in truth().items() if k[:4] in PAGES]


@pytest.mark.parametrize("mode", ["text", "html"])
def test_quality_floor(mode: str) -> None:
    scores, titles = [], []
    for page_id, label in pages():
        article = read(mode, page_id)
        scores.append(f1(article.body, str(label["articleBody"])))
        titles.append((article.title or "").casefold() == str(label["title"]).casefold())
    assert len(scores) == len(PAGES)
    mean = sum(scores) / len(scores)
    assert mean >= 0.95, scores  # measured 0.970 (text) / 0.981 (html)
    assert sum(titles) / len(titles) >= 0.85, titles  # measured 8 of 8


def _same_day(predicted: str | None, label: dict[str, object]) -> bool:
    accept = label.get("date_accept") or [label["date"]]
    return bool(predicted) and str(predicted)[:10] in accept  # type: ignore[operator]


def _author_hit(predicted: tuple[str, ...], label: object) -> bool:
    names = label if isinstance(label, list) else [label]
    want = {t for n in names for t in re.findall(r"\w+", str(n).lower())} - {"by", "and"}
    got = {t for n in predicted for t in re.findall(r"\w+", n.lower())} - {"by", "and"}
    both = len(want & got)
    return bool(both) and 2 * both / (len(want) + len(got)) >= 0.5


@pytest.mark.parametrize("mode", ["text", "html"])
def test_whole_devset_floor(mode: str) -> None:
    """All 46 pages, scored as score.py does (F1 of mean precision and mean recall); a field the
    reader lists under review is not asserted (it counts as no value)."""
    precisions, recalls = [], []
    hits: dict[str, list[bool]] = {"title": [], "author": [], "date": []}
    asserted: dict[str, list[bool]] = {"title": [], "author": [], "date": []}
    for page_id, label in truth().items():
        article = read(mode, page_id)
        precision, recall = precision_recall(article.body, str(label["articleBody"]))
        precisions.append(precision)
        recalls.append(recall)
        title = None if "title" in article.review else article.title
        right = " ".join((title or "").split()).casefold() == " ".join(str(label["title"]).split()).casefold()
        hits["title"].append(right)
        if title:
            asserted["title"].append(right)
        if label.get("author"):
            hits["author"].append(_author_hit(article.authors, label["author"]))
            if article.authors:
                asserted["author"].append(hits["author"][-1])
        if label.get("date"):
            hits["date"].append(_same_day(article.date, label))
            if article.date:
                asserted["date"].append(hits["date"][-1])
    precision, recall = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    body_f1 = 2 * precision * recall / (precision + recall)
    accuracy = {name: sum(v) / len(v) for name, v in hits.items()}
    right_when_asserted = {name: sum(v) / len(v) for name, v in asserted.items()}
    # Measured (bench/ingest_quality.py, all 46 pages): text 0.965, accuracy title 0.65, author 0.70,
    # date 0.82, precision 1.00 / 0.90 / 0.94; html 0.988, accuracy 0.93 / 0.78 / 1.00, precision
    # 1.00 / 0.95 / 1.00 (organisations named as authors are no longer asserted, so fewer right).
    floors = {"text": (0.955, (0.62, 0.65, 0.78), (0.97, 0.85, 0.90)),
              "html": (0.98, (0.90, 0.74, 0.97), (0.97, 0.90, 0.97))}[mode]
    assert body_f1 >= floors[0], (body_f1, precision, recall)
    for n, name in enumerate(("title", "author", "date")):
        assert accuracy[name] >= floors[1][n], accuracy
        assert right_when_asserted[name] >= floors[2][n], right_when_asserted
