"""Regression floor for extraction quality on a few pages of the shared dev set.

The dev set lives beside the repository (../shared/ingest-devset, as in CI); the full
measurement is bench/ingest_quality.py. Floors sit a little below the measured figures.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from digest.ingest.clean import decode, sanitize
from digest.ingest.html import read_html
from digest.ingest.text import read_text

DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "ingest-devset"
PAGES = ["06ee", "1ace", "2148", "374a", "57e2", "686b", "d1c5", "e593"]

pytestmark = pytest.mark.skipif(not (DEVSET / "truth.json").exists(),
                                reason="shared dev set not beside the repository")


def shingles(text: str) -> Counter[tuple[str, ...]]:
    toks = re.findall(r"\w+", text.lower())
    return Counter(tuple(toks[i:i + 4]) for i in range(max(0, len(toks) - 3)))


def f1(pred: str, true: str) -> float:
    p, t = shingles(pred), shingles(true)
    overlap = sum((p & t).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def pages() -> list[tuple[str, dict[str, object]]]:
    truth = json.loads((DEVSET / "truth.json").read_text(encoding="utf-8"))
    return [(k, v) for k, v in sorted(truth.items()) if k[:4] in PAGES]


@pytest.mark.parametrize("mode", ["text", "html"])
def test_quality_floor(mode: str) -> None:
    scores, titles = [], []
    for page_id, truth in pages():
        if mode == "text":
            raw = (DEVSET / "text-w3m" / f"{page_id}.txt").read_bytes()
            article = read_text(sanitize(decode(raw)))
        else:
            raw = (DEVSET / "html" / f"{page_id}.html").read_bytes()
            article = read_html(sanitize(decode(raw)))
        scores.append(f1(article.body, str(truth["articleBody"])))
        titles.append((article.title or "").casefold() == str(truth["title"]).casefold())
    assert len(scores) == len(PAGES)
    mean = sum(scores) / len(scores)
    assert mean >= (0.93 if mode == "text" else 0.95), scores  # measured 0.967 / 0.981
    assert sum(titles) / len(titles) >= 0.85, titles  # measured 8 of 8
