"""Which stated date is the article's: features that hold across sites, a learned weighing.

Every line near the headline and the body's start that states a full date is a candidate
(its labelled publication date when it has one). Measured on each: where it sits relative to
the headline and to the body, whether a label ("Published", "Updated") or a byline goes with
it, the line's shape, and how the date compares with the page's other dates (the same day
stated again, the newest, the oldest). Weights in `dateline.json` (see linear.py); below the
model's threshold no date is asserted and the field goes to review.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from .blocks import Para
from .body import alt_and_caption, alt_and_caption_in_words, is_junk, is_prose, words
from .dates import another_things_date, find_date, labelled_date, starts_with_labelled_date, states_a_span
from .linear import load_model, softmax

_BEFORE = 40  # paragraphs above the headline (or the body's start) searched
_AFTER = 12  # paragraphs into the body
_TIME = re.compile(r"\b[0-2]?\d[:.h][0-5]\d\b")
_BYLINE_START = re.compile(r"^(by|von|por|par|door|di|av|posted by|written by)\s", re.IGNORECASE)
_GLUED_MENU = re.compile(r"[a-z][A-Z][a-z]+[A-Z]")  # "AboutContactPress"
_SIGNATURE = re.compile(r"^[—–]\s*[^\W\d]|\(@\w+\)")


@dataclass(frozen=True)
class Dateline:
    value: str  # ISO 8601 as stated
    probability: float  # that this is the page's date
    none: float  # that none of the stated dates is
    kind: str  # of evidence: see kind_of
    # The page states this day only as an update's ("Updated 5:27 am CST, Wednesday, November 20, 2019"), never
    # as its publication's: that was that day or earlier (of the 9 tuned pages stating an update's date, one
    # states it 13 days after the publication's, two the day after), so it is not asserted.
    update_only: bool = False
    # The lines around the head state another day too (a teaser's, a picture's, the edition's, an update's): which
    # is the page's rests on where each sits, which the tuned pages barely teach (on 76 of the 77 with a date
    # candidate the candidates state one day), so a date without a label or a byline on its line is not asserted.
    other_days: bool = False

    @property
    def contested(self) -> bool:
        """A bare date on a page whose head states other days: a guess to review."""
        return self.kind == "bare" and self.other_days


def kind_of(features: dict[str, float]) -> str:
    """ "stated": a label ("Published", "Updated") or the byline goes with the date on its line;
    "bare": a date alone, the page's only by where it sits."""
    stated = ("labelled_published", "labelled_updated", "starts_labelled", "byline")
    return "stated" if any(features.get(name) for name in stated) else "bare"


def _day(value: str) -> str:
    return value[:10]


def candidates(paras: list[Para], title_at: int | None, start: int, end: int,
               prior: str | None = None) -> list[tuple[int, str]]:
    """(paragraph, date) for every dated line around the article's head, and after its end the
    date the rules read there (a lone "Published ..." line; teasers' dates are not one)."""
    anchor = title_at if title_at is not None else start
    lo = max(0, min(anchor, start) - _BEFORE)
    hi = min(len(paras), max(anchor, start) + _AFTER, max(end, anchor + 1))
    spans = [range(lo, hi), range(max(hi, end), min(len(paras), end + 8))]
    out = []
    for i in dict.fromkeys(i for span in spans for i in span):
        text = paras[i].text
        if words(text) > 60:
            continue
        labelled = labelled_date(text)
        if is_prose(paras[i]) and not labelled and not _BYLINE_START.match(text):
            continue  # a date a sentence mentions, not the one the page is dated by
        if not labelled and (_GLUED_MENU.search(text) or _SIGNATURE.search(text)):
            continue  # a menu's words run together, or a quoted post's signature: not the page's date
        if not labelled and (alt_and_caption(paras, i) or alt_and_caption_in_words(paras, i)):
            continue  # a picture's alt text and caption ("... um Bachmut, 24. April 2023"): its date
        if not labelled and states_a_span(text):
            continue  # an issue's or an event's days ("December 25, 2023/January 1, 2024, Issue")
        if not labelled and another_things_date(text):
            continue  # a broadcast's, an event's, a release's date ("Air Date: November 19, 2019")
        value = labelled[1] if labelled else find_date(text)
        if value and (i < hi or prior is not None and _day(prior) == _day(value)):
            out.append((i, value))
    # A date labelled as the publication's wins over one labelled as an update.
    if any(_published(paras[i].text) for i, _ in out):
        out = [(i, v) for i, v in out if not _updated(paras[i].text)]
    return out


def _published(text: str) -> bool:
    labelled = labelled_date(text)
    return labelled is not None and labelled[0] == "published"


def _updated(text: str) -> bool:
    labelled = labelled_date(text)
    return labelled is not None and labelled[0] == "updated"


def features(paras: list[Para], title_at: int | None, start: int, end: int, prior: str | None,
             byline: Callable[[Para], bool]) -> list[tuple[str, dict[str, float]]]:
    cands = candidates(paras, title_at, start, end, prior)
    days = [_day(v) for _, v in cands]
    counts = {d: days.count(d) for d in days}
    ordered = sorted(set(days))
    anchor = title_at if title_at is not None else start
    out = []
    for n, (i, value) in enumerate(cands):
        para = paras[i]
        text = para.text
        day = _day(value)
        labelled = labelled_date(text)
        k = words(text)
        to_title = i - anchor
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        f = {
            "title_above_1_3": float(1 <= to_title <= 3),
            "title_above_4_8": float(4 <= to_title <= 8),
            "title_above_far": float(to_title > 8),
            "title_below": float(to_title < 0),
            "title_same": float(to_title == 0),
            "log_title_distance": math.log1p(abs(to_title)),
            "before_body": float(i < start),
            "in_body": float(start <= i < end),
            "after_body": float(i >= end),
            "labelled_published": float(labelled is not None and labelled[0] == "published"),
            "labelled_updated": float(labelled is not None and labelled[0] == "updated"),
            "starts_labelled": float(starts_with_labelled_date(text)),
            "byline": float(byline(para)),
            "byline_near": float(any(byline(p) for p in paras[max(0, i - 2):i + 3])),
            "words_le_4": float(k <= 4),
            "words_5_12": float(5 <= k <= 12),
            "words_13_30": float(13 <= k <= 30),
            "words_over_30": float(k > 30),
            "prose": float(is_prose(para)),
            "junk": float(is_junk(para)),
            "bullet": float(bool(para.bullet)),
            "time": float(bool(_TIME.search(text))),
            "with_zone": float("T" in value),
            "signature": float(bool(_SIGNATURE.search(text))),
            "repeated_day": float(counts[day] > 1),
            "newest": float(len(ordered) > 1 and day == ordered[-1]),
            "oldest": float(len(ordered) > 1 and day == ordered[0]),
            "only_day": float(len(ordered) == 1),
            "first_candidate": float(n == 0),
            "first_after_title": float(to_title > 0 and all(j - anchor <= 0 for j, _ in cands[:n])),
            "next_prose": float(nxt is not None and is_prose(nxt)),
            "rules_pick": float(prior is not None and _day(prior) == day),
            "alt_caption": float(alt_and_caption(paras, i)),  # a picture's date, not the page's
        }
        out.append((value, f))
    return out


def choose(paras: list[Para], title_at: int | None, start: int, end: int, prior: str | None,
           byline: Callable[[Para], bool]) -> Dateline | None:
    """The likeliest publication date and its chance; None when the page states none near its head."""
    table = features(paras, title_at, start, end, prior, byline)
    if not table:
        return None
    model = load_model("dateline")
    # Besides the dates, "none of these" (a page may state only other dates near its head).
    probs = softmax([model.score(f) for _, f in table] + [model.score({"none": 1.0})])
    best = max(range(len(table)), key=lambda k: probs[k])
    kind = kind_of(table[best][1])
    if probs[-1] > probs[best]:
        return Dateline(table[best][0], 0.0, probs[-1], kind)
    value = table[best][0]
    # The same day stated on several lines is one date: their chances add up.
    chance = sum(p for (v, _), p in zip(table, probs, strict=False) if _day(v) == _day(value))
    update_only = all(f["labelled_updated"] for v, f in table if _day(v) == _day(value))
    other_days = any(_day(v) != _day(value) for v, _ in table)
    return Dateline(value, chance, probs[-1], kind, update_only, other_days)


def threshold(kind: str = "") -> float:
    """The chance a date of this kind of evidence needs to be asserted."""
    return load_model("dateline").threshold_for(kind)
