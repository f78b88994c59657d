"""Which line of a text dump is the headline: features that hold across sites, a learned weighing.

Every short line near the body's start is a candidate. What it is measured on holds on any
news page whatever its language: where it sits relative to the body (and among the other
candidates), whether the page repeats it, whether the body's opening shares its words,
whether a byline or a date follows it, its shape (length, final punctuation, capitals), and
what sits around it (a picture above, a credit below: a caption). The weights come from
`headline.json` (see linear.py). How sure the choice is: the chance that the best line beats the
strongest line saying something else that could be a headline at all (the logistic of their scores'
margin, linear.margin_chance; a line of a shape no headline has, unlike_headline, is no rival and is
never asserted); below the model's threshold the title is kept only as a guess to review. (The best line's share of
the softmax over all candidates was used first: it shrinks with the number of weak candidates a
page has, and its threshold chosen by cross-validation moved from fold to fold.)
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from digest.characters import FULL_STOPS

from .blocks import Para
from .body import PICTURE_CONTROL, alt_and_caption, captions, is_boundary, is_junk, is_prose, words
from .dates import find_date, opens_with_date_label
from .linear import load_model, margin_chance, softmax

_BEFORE = 60  # paragraphs above the body's start searched
_AFTER = 8  # and below it (a headline worded as a sentence can open the scored run)
_WORD = re.compile(r"\w+")
_CREDIT = re.compile(r"(getty|images?|photo|foto|credit|reuters|afp|ap photo|shutterstock|©|"
                     r"photograph|bild|imago|dpa)", re.IGNORECASE)
_GLUED_MENU = re.compile(r"[a-z][A-Z][a-z]+[A-Z]")
_BREADCRUMB = re.compile(r"\s(?:>|›|»|/|\\|\|)\s")
_FURNITURE = re.compile(r"\b(search|newsletter|subscribe|sign in|log ?in|cookie|menu|skip to|"
                        r"read more|comments?|kommentare?|suche|anmelden|abonn\w*|compte|"
                        r"advert\w*|anzeige|share|teilen|min read|\d+ min)\b", re.IGNORECASE)


# Never a headline: a form's field as a text browser draws it ("Search for: [ ] Search"), or a
# caption that states its picture's credit ("... Photograph: Jane Doe for the Paper").
_NEVER = re.compile(r"\[[ _]*\]|[.!?)»”\"]\s*(photograph|photo|foto|bild|image|picture|credit|crédit|quelle)s?"
                    r"\s*:\s*\S", re.IGNORECASE)


@dataclass(frozen=True)
class Headline:
    index: int  # of the paragraph
    probability: float  # that it is the headline, among the candidates (the softmax's share)
    kind: str  # of evidence: see kind_of
    confidence: float = 1.0  # that it beats the strongest other wording: compared with threshold()
    shaped: bool = True  # as a headline can be (not unlike_headline): else it is only a guess
    set_apart: bool = True  # the page sets the line apart as its headline (see set_apart): else only a guess


KINDS = ("repeated_cued", "other")


def kind_of(features: dict[str, float]) -> str:
    """ "repeated_cued": two pieces of evidence that hold across sites agree, the page states these
    words on another line too (a text browser prints the headline again in a breadcrumb, a share
    line, a list of the most read) and a byline or a date follows within a few lines; "other": the
    choice rests on less (a repeated line alone may be a box's label or a teaser)."""
    repeated = features.get("repeated_once") or features.get("repeated_more")
    return "repeated_cued" if repeated and features.get("cue_after") else "other"


def set_apart(features: dict[str, float]) -> bool:
    """Whether the page itself sets the line apart, as it does its headline: it states these words on
    another line too (a breadcrumb, a share line, a list of the most read), or the line opens a part of
    the page (nothing above it, or a list item, page furniture, a line run on from the one above). A
    line with neither (a teaser's headline, a subheading, a quote among the paragraphs) may score high
    on sites not trained on: checked across dev sets, a model fitted on one dev set's sites asserted 59
    right titles of 70 on the other's; of those set apart, 49 of 51. (Under a short label that opens a
    part, "World" or "Dubai Airshow", is not enough: the label may be a kicker the headline includes.)"""
    return bool(features.get("repeated_once") or features.get("repeated_more") or features.get("section_start"))


_CRUMB_SEP = re.compile(r"\s[>»›]\s")


def under_section(paras: list[Para], i: int, cue: Callable[[Para], bool]) -> bool:
    """Whether the line sits under the name of its section, as a page sets its headline apart: a label of
    one to four words that the page also states on another line (the section's entry in the site's menu:
    "World", "Iindaba"), or a breadcrumb ("News > Economy > Companies", or run together: run_together_crumbs).
    A kicker over a headline ("Wahlkampf in Thüringen", "Emotionales Interview") names the story, once, and
    the labelled headline often includes it: a short label alone is not enough (tried and dropped in an
    earlier round)."""
    prev = paras[i - 1] if i > 0 else None
    if prev is None or prev.bullet or is_boundary(prev) or is_prose(prev) or cue(prev):
        return False
    text = prev.text.strip()
    if _CRUMB_SEP.search(text) and words(text) <= 12:
        return all(1 <= words(part) <= 4 for part in _CRUMB_SEP.split(text))
    key = _key(text)
    return 1 <= words(text) <= 4 and bool(key) and any(_key(p.text) == key for j, p in enumerate(paras) if j != i - 1) \
        or run_together_crumbs(paras, i - 1)


_GLUED_WORDS = re.compile(r"(?<=[^\W\d_])(?=[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ])")  # "NewsWorld": "News World"


def run_together_crumbs(paras: list[Para], at: int) -> bool:
    """Whether line `at` is a breadcrumb the text browser ran together ("News World", "NewsWorld", "My Europe
    Europa News"): two to four capitalised words, no figure or mark, each of which the page's navigation above
    it also states (its lines that are no prose). A kicker names the story ("Hamburg-Marathon 2024", "Just
    Coup It"), a tag is often in lower case ("taliban"), a box's label ends in a colon ("More:"): none is one."""
    tokens = _GLUED_WORDS.sub(" ", paras[at].text.strip()).split()
    if not 2 <= len(tokens) <= 4 or not all(t.isalpha() and t[:1].isupper() for t in tokens):
        return False
    menu = {w.casefold() for p in paras[:at] if not is_prose(p) for w in _WORD.findall(_GLUED_WORDS.sub(" ", p.text))}
    return all(t.casefold() in menu for t in tokens)


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"\w{4,}", text.casefold())}


def candidates(paras: list[Para], start: int, cue: Callable[[Para], bool]) -> list[int]:
    """Short lines near the body's start; past it, a sentence only with a byline under it (a
    headline worded as a sentence)."""
    lo, hi = max(0, start - _BEFORE), min(len(paras), start + _AFTER)
    return [i for i in range(lo, hi)
            if not paras[i].is_image and 1 <= words(paras[i].text) <= 60 and len(paras[i].text) <= 350
            and not _NEVER.search(paras[i].text)
            and not (i > start and is_prose(paras[i]) and not (i + 1 < len(paras) and cue(paras[i + 1])))]


def features(paras: list[Para], start: int, prior: int | None,
             cue: Callable[[Para], bool]) -> dict[int, dict[str, float]]:
    """Features of every candidate line. `prior` is the hand-written rules' pick; `cue` tells a
    byline or date line."""
    keys = [_key(p.text) for p in paras]
    counts: dict[str, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    opening = _content(" ".join(p.text for p in paras[start:start + 12]))
    first_body = _content(" ".join(p.text for p in paras[start:start + 3]))
    cands = candidates(paras, start, cue)
    caption_at = captions(paras[max(0, start - _BEFORE):start + _AFTER])
    offset = max(0, start - _BEFORE)
    # Rank among the headline-shaped lines above the body, counted from the body upwards.
    shaped = [i for i in cands if i < start and 3 <= words(paras[i].text) <= 40
              and not is_junk(paras[i]) and not paras[i].bullet and not is_prose(paras[i])]
    rank_of = {i: r for r, i in enumerate(reversed(shaped))}
    out: dict[int, dict[str, float]] = {}
    for i in cands:
        para = paras[i]
        text = para.text
        n = words(text)
        key = keys[i]
        own = _content(text)
        overlap = len(own & opening) / len(own) if own else 0.0
        head_overlap = len(own & first_body) / len(own) if own else 0.0
        contained = sum(1 for j, other in enumerate(keys) if j != i and key and key in other and other != key)
        tokens = text.split()
        caps = sum(1 for t in tokens if t[:1].isupper()) / len(tokens) if tokens else 0.0
        after = paras[i + 1:i + 5]
        before = paras[max(0, i - 3):i]
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        prev = paras[i - 1] if i > 0 else None
        distance = start - i
        rank = rank_of.get(i)
        f = {
            "above": float(i < start),
            "log_distance": math.log1p(abs(distance)),
            "below_start": float(i >= start),
            "rank0": float(rank == 0),
            "rank1": float(rank == 1),
            "rank2": float(rank == 2),
            "rank_far": float(rank is not None and rank > 2),
            "unranked": float(rank is None),
            "page_position": i / max(1, len(paras)),
            "words_1_2": float(n <= 2),
            "words_3_5": float(3 <= n <= 5),
            "words_6_15": float(6 <= n <= 15),
            "words_16_25": float(16 <= n <= 25),
            "words_over_25": float(n > 25),
            "ends_period": float(text.endswith(".")),
            "ends_question": float(text.endswith(("?", "!"))),
            "ends_colon": float(text.endswith((":", ",", ";"))),
            "ends_ellipsis": float(text.endswith(("...", "…"))),
            "prose": float(is_prose(para)),
            "junk": float(is_junk(para)),
            "boundary": float(is_boundary(para)),
            "bullet": float(bool(para.bullet)),
            "numbered": float(para.bullet[:1].isdigit()),
            "repeated_once": float(counts[key] == 2),
            "repeated_more": float(counts[key] > 2),
            "contained_elsewhere": float(min(contained, 3)) / 3,
            "opening_overlap": overlap,
            "opening_overlap_words": min(len(own & opening), 6) / 6,
            "first_para_overlap": head_overlap,
            "cue_after": float(any(cue(p) for p in after)),
            "cue_next": float(nxt is not None and cue(nxt)),
            "cue_before": float(any(cue(p) for p in before)),
            "cue_self": float(cue(para)),
            "date_in": float(find_date(text) is not None),
            "quote_start": float(text[:1] in "\"“‘'«„»"),
            "colon_inside": float(": " in text or " : " in text),
            "dash_inside": float(" - " in text or " – " in text),
            "pipe_inside": float(" | " in text),
            "digit": float(bool(re.search(r"\d", text))),
            "capitals": caps,
            "all_capitals": float(bool(tokens) and caps == 1.0 and n <= 5),
            "upper_case": float(text.isupper()),
            "glued_menu": float(bool(_GLUED_MENU.search(text))),
            "breadcrumb": float(len(_BREADCRUMB.findall(text)) >= 1),
            "furniture": float(bool(_FURNITURE.search(text))),
            "field": float("[" in text or "]" in text),
            "after_image": float(prev is not None and prev.is_image),
            "before_image": float(nxt is not None and nxt.is_image),
            "credit_next": float(nxt is not None and bool(_CREDIT.search(nxt.text)) and words(nxt.text) <= 10),
            "credit_self": float(bool(_CREDIT.search(text))),
            "caption": float(i - offset in caption_at),
            # A picture's alt text over its caption: the next line says the same and goes on (a
            # credit, a place), or this one goes on from the line above.
            "alt_caption": float(alt_and_caption(paras, i)),
            "section_start": float(prev is None or bool(prev.bullet) or is_junk(prev) or prev.gap_before is False),
            "prose_next": float(nxt is not None and is_prose(nxt)),
            "prose_prev": float(prev is not None and is_prose(prev)),
            "short_next": float(nxt is not None and 4 <= words(nxt.text) <= 40 and not is_prose(nxt)
                                and not cue(nxt)),
            "rules_pick": float(i == prior),
            "prev_bullet": float(prev is not None and bool(prev.bullet)),
            "kicker": float(nxt is not None and n <= 5 and words(nxt.text) > n + 2
                            and i + 1 in rank_of and not is_prose(nxt)),
            "under_kicker": float(prev is not None and words(prev.text) <= 5 and n > words(prev.text) + 2
                                  and i - 1 in rank_of and not prev.bullet),
            "under_shaped": float(prev is not None and 4 <= words(prev.text) <= 25 and not is_prose(prev)
                                  and not is_junk(prev) and not prev.bullet and not cue(prev)),
            "rank0_overlap": float(rank == 0) * overlap,
            "cue_after_overlap": float(any(cue(p) for p in after)) * overlap,
            "longest_near": float(rank is not None and rank <= 4 and n == max(
                (words(paras[j].text) for j in rank_of if rank_of[j] <= 4), default=0)),
            **cue_below(paras, i, cue),
        }
        out[i] = f
    # Compared with the other candidates of the page: the best agreement with the opening.
    shaped_overlaps = [f["opening_overlap"] for i, f in out.items() if 3 <= words(paras[i].text) <= 40]
    top = max(shaped_overlaps, default=0.0)
    for i, f in out.items():
        n = words(paras[i].text)
        f["overlap_best"] = float(top > 0 and 3 <= n <= 40 and f["opening_overlap"] >= top)
        f["overlap_gap"] = f["opening_overlap"] - top
    return out


_CUE_REACH = 8  # lines under a headline searched for its byline or date


def cue_below(paras: list[Para], i: int, cue: Callable[[Para], bool]) -> dict[str, float]:
    """How near under line i the first byline or date line is, within _CUE_REACH lines: "cue_dist" 1 right
    under it, falling by an eighth a line, 0 for none; "cue_far" when it is five lines under or more. A page
    may set its deck, its lead picture's caption and credit, a section's label or share buttons between the
    headline and its byline: of the tuned pages' labelled headlines with a byline or date within eight lines,
    7 of 65 have it five to eight lines under, beyond the four lines "cue_after" reads."""
    at = next((k for k in range(1, _CUE_REACH + 1) if i + k < len(paras) and cue(paras[i + k])), None)
    if at is None:
        return {"cue_dist": 0.0, "cue_far": 0.0}
    return {"cue_dist": 1.0 - (at - 1) / _CUE_REACH, "cue_far": float(at > 4)}


def choose(paras: list[Para], start: int, prior: int | None,
           cue: Callable[[Para], bool]) -> Headline | None:
    """The likeliest headline and its chance; None when there is no candidate at all."""
    table = features(paras, start, prior, cue)
    if not table:
        return None
    model = load_model("headline")
    order = list(table)
    scores = [model.score(table[i]) for i in order]
    probs = softmax(scores)
    best = max(range(len(order)), key=lambda k: probs[k])
    # The same words on several lines are one headline: their chances add up.
    keys = [_key(paras[i].text) for i in order]
    same = keys[best]
    # Sure against the lines that could be a headline at all (a menu, a date line, a sentence is none):
    # on sites not trained on, the runner-up is as often such a line as another wording of the story.
    rivals = could_be_headline(paras, order, cue)
    return Headline(order[best], sum(p for k, p in zip(keys, probs, strict=True) if k == same),
                    kind_of(table[order[best]]), margin_chance(scores, keys, rivals), rivals[best],
                    page_sets_apart(paras, order[best], table[order[best]], cue))


def could_be_headline(paras: list[Para], order: list[int], cue: Callable[[Para], bool]) -> list[bool]:
    """Per candidate line, whether it could be the headline at all: not unlike_headline, and not
    another candidate's words under a breadcrumb's root ("Home News World <headline>": the text
    browser runs a breadcrumb's links together, the last one being the article)."""
    keys = {_key(paras[i].text) for i in order}
    return [not unlike_headline(paras[i], cue) and not _rooted_copy(paras[i].text, keys) for i in order]


def around_a_picture_control(paras: list[Para], i: int) -> bool:
    """Whether line i is a picture's alt text or caption known by the picture's control between them: the
    same words over the control ("Bild vergrößern", "Enlarge Image") and under it, past the picture itself.
    On the tuned pages two pictures print so (theguardian.com's, spiegel.de's), neither's words the headline;
    spiegel.de's was the title a model fitted on the other dev set asserted wrongly. Such a line is never
    asserted as the headline, but it stays a rival to another choice (margin_chance): without it there,
    spiegel.de's kicker run into its headline, which the label words otherwise, was asserted in sample."""
    def control(k: int) -> bool:
        return 0 <= k < len(paras) and not paras[k].bullet and bool(PICTURE_CONTROL.fullmatch(paras[k].text.strip()))

    def past_pictures(k: int, step: int) -> int:
        while 0 <= k < len(paras) and paras[k].is_image:
            k += step
        return k

    key = _key(paras[i].text)
    if control(i + 1):  # the alt text over the control
        j = past_pictures(i + 2, 1)
        return j < len(paras) and _key(paras[j].text) == key
    k = past_pictures(i - 1, -1)  # the caption under it
    return control(k) and k > 0 and _key(paras[k - 1].text) == key


def page_sets_apart(paras: list[Para], i: int, features: dict[str, float], cue: Callable[[Para], bool]) -> bool:
    """Whether the page sets line i apart as its headline: set_apart, under_section, ends_a_breadcrumb or
    under_its_cue."""
    return set_apart(features) or under_section(paras, i, cue) or ends_a_breadcrumb(paras, i) \
        or under_its_cue(paras, i, cue)


def under_its_cue(paras: list[Para], i: int, cue: Callable[[Para], bool]) -> bool:
    """Whether line i sits right under a byline or date line that opens the article's head, as some pages set
    it ("Von Moritz Bachmann publiziert am 30. Juli 2018" over the headline, "Innlent | mbl | 11.2.2025 | 23:55"
    over it): the line above is no picture or list item, and no byline or date line is right under line i too
    (a teasers' list states each headline with its own date or writer, under the one before's)."""
    if i == 0 or i + 1 >= len(paras):
        return False
    prev, nxt = paras[i - 1], paras[i + 1]
    return cue(prev) and not prev.bullet and not prev.is_image and not paras[i].bullet and not cue(nxt)


def ends_a_breadcrumb(paras: list[Para], i: int) -> bool:
    """Whether the page states the line again as the last part of a breadcrumb run together under its root
    ("Home News Business News <headline>"): set apart as a repeated line is (set_apart)."""
    key = _key(paras[i].text)
    return len(key.split()) >= 4 and any(_rooted_copy(p.text, {key}) for j, p in enumerate(paras) if j != i)


# The first entry of a breadcrumb: the site's root, in the languages whose dates are read.
_ROOT = re.compile(r"^(?:home|homepage|start|startseite|inicio|início|portada|accueil|forside|forsíða|hem|etusivu|"
                   r"strona główna|ana ?sayfa|úvod|kezdőlap|αρχική|главная|головна)$", re.IGNORECASE)


def breadcrumb_headline(paras: list[Para], start: int, cue: Callable[[Para], bool]) -> int | None:
    """The line where a breadcrumb set as a list above the body names the article, the way its markup names its
    headline: a list that opens with the site's root ("Home", "Startseite", "Accueil") and goes on with sections'
    names of one to four words, then either its last entry is a line that could be a headline ("1. Home
    2. Politik 3. Deutschland 4. Landtagswahl in Thüringen: Voigt, Höcke und ...") or, for a short one (two to
    five entries), the line right under it is ("• Accueil › • Monde" over "Un troisième Français mort dans ...").
    On the tuned pages such a breadcrumb is on 9 pages of 6 publishers (7 pages of 4 ending in the headline, 2 over
    it), and the line is the labelled headline on all 9; on 5 of them (3 publishers) the page displays its headline
    in other words (a kicker run in or left off, the SEO wording) and the model chose the displayed one, on one a
    teaser below.
    A longer list opened by "Home" is the site's menu (the line under it a teaser: chron.com, timesunion.com).
    None when the page has no such breadcrumb, or two naming different headlines."""
    found: dict[str, int] = {}
    for i in range(min(start, len(paras))):
        if not paras[i].bullet or (i > 0 and paras[i - 1].bullet and not paras[i].gap_before) \
                or not _ROOT.match(paras[i].text.strip(" >›»/|")):
            continue
        j = i  # the run's last entry
        while j + 1 < len(paras) and paras[j + 1].bullet and not paras[j + 1].gap_before:
            j += 1
        if j > i and all(1 <= words(paras[k].text) <= 4 for k in range(i + 1, j)):
            named = j if words(paras[j].text) > 4 else j + 1
            if named == j + 1 and (j - i > 4 or words(paras[j].text) > 4 or named >= len(paras) or paras[named].bullet
                                   or named < start - _BEFORE):
                continue  # under it: only a short breadcrumb, over a line where the headline's candidates are
            if named <= start and not unlike_headline(paras[named], cue):
                found.setdefault(_key(paras[named].text), named)
    return next(iter(found.values())) if len(found) == 1 else None


def said_with_and_without_kicker(paras: list[Para], i: int) -> bool:
    """Whether the page states line i's headline in a second wording, a short kicker joined to it by a colon
    or left off ("Landtagswahl in Thüringen: Voigt, Höcke und ..." and "Voigt, Höcke und ..."): which of the two
    the page's markup names its headline is a toss-up (on the tuned pages the other one three times in four),
    so neither is asserted."""
    text = paras[i].text
    return any(_kicker_joined(p.text, text) or _kicker_joined(text, p.text) for j, p in enumerate(paras) if j != i)


_KICKER = re.compile(r"^(?P<kicker>[^:：]{1,80}?)\s*[:：]\s+(?P<rest>\S.*)$")


def _kicker_joined(longer: str, shorter: str) -> bool:
    """Whether `longer` is a kicker of one to six words, a colon and `shorter` (of four words or more)."""
    m = _KICKER.match(longer.strip())
    return m is not None and 1 <= words(m.group("kicker")) <= 6 and words(shorter) >= 4 \
        and _key(m.group("rest")) == _key(shorter)


def _rooted_copy(text: str, keys: set[str]) -> bool:
    m = _CRUMB_ROOT.match(text)
    if m is None:
        return False
    rest = _key(m.group("rest"))
    return any(len(k.split()) >= 4 and rest.endswith(k) for k in keys)


# The scripts of the headlines the model learnt from, the dev sets' tuned pages (Latin 91, Cyrillic 2,
# Korean 1: tests/test_ingest_models.py counts them again). Its features read a line's shape and place,
# which other scripts set otherwise (no capitals in Hindi, Arabic, Thai or Chinese; no spaces in Chinese
# or Japanese): on a page written in one of those its confidence was never measured, and the headline it
# chooses goes to review.
TRAINED_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "HANGUL"})


def script_of(text: str) -> str | None:
    """The script most of the text's letters are written in, by the first word of their Unicode names
    ("LATIN", "DEVANAGARI", "ARABIC"; a full-width letter's by its script), or None for a text without letters."""
    counts = Counter(unicodedata.name(ch, "").removeprefix("FULLWIDTH ").removeprefix("HALFWIDTH ").partition(" ")[0]
                     for ch in text if ch.isalpha())
    return counts.most_common(1)[0][0] if counts else None


def in_trained_script(text: str) -> bool:
    """Whether the model learnt from headlines written as this one is (see TRAINED_SCRIPTS)."""
    script = script_of(text)
    return script is None or script in TRAINED_SCRIPTS


def unlike_headline(para: Para, cue: Callable[[Para], bool]) -> bool:
    """A line of a shape no headline of the dev sets' tuned part has: too short (too_short), over 25
    words, ending as a sentence or a label does (a full stop, in any script: "।" in Hindi, a colon, a
    comma), stating a date, a byline or date line itself (`cue`), page furniture, a "Related" heading,
    or parts joined by a breadcrumb's or a title tag's separator ("News > World", "Headline | Site").
    Such a line is never asserted as the headline, and it is no rival to the one chosen (margin_chance)."""
    text = para.text
    return (too_short(text) or words(text) > 25 or text.endswith((".", ":", ",", ";", *FULL_STOPS))
            or find_date(text) is not None or cue(para) or is_junk(para) or is_boundary(para)
            or bool(_BREADCRUMB.search(text)) or page_chrome(text))


# A row of share buttons ("Facebook Twitter Flipboard Linkedin Instagram"), a menu glued by bars
# ("Servicios|Edición Impresa|Club"), an address or a file name ("Esper-says-US-...-14848382.php"), a
# picture's caption closed by its credit ("... ever had.' Photograph: Jane Doe") or stating its copyright
# ("Swedish police officer - Copyright Jane Roe/AP", "© BELGA"), sentences the text
# browser ran together ("... isn't easy.Kathrin Ziegler/Getty"), a date line by its label ("Published on
# 06/01/2026 - 13:55", where the date's order is unknown).
_SHARE_WORDS = {"facebook", "twitter", "x", "linkedin", "instagram", "whatsapp", "telegram", "flipboard",
                "pinterest", "reddit", "email", "e-mail", "mail", "print", "share", "tumblr", "xing",
                "mastodon", "bluesky", "threads", "youtube", "tiktok", "messenger", "copy", "link", "sms"}
_CRUMB_ROOT = re.compile(r"^(?:home|startseite|inicio|portada|accueil|forside|главная)\s+(?P<rest>\S.*)$",
                         re.IGNORECASE)
_GLUED_BARS = re.compile(r"[^\s|]\|[^\s|]")
_SLUG = re.compile(r"^\S*(?:[\w]+-){3,}\S*$|^\S+\.(?:s?html?|php|aspx?|jsp)\b\S*$", re.IGNORECASE)
_GLUED_SENTENCE = re.compile(r"[a-z][.!?][A-Z][a-z]")  # "... isn't easy.Kathrin Ziegler/Getty"
_QUOTE_CREDIT = re.compile(r"['’‘]\s*(photograph|photo|foto|bild|image|picture|credit|crédit|quelle)s?\s*:\s*\S",
                           re.IGNORECASE)
# A picture's caption or credit by its copyright: "Swedish police officer - Copyright Jane Roe/AP",
# "(Image: © NASA/ESA)", "... — © BELGA".
_COPYRIGHT = re.compile(r"©|\s[-–—|]\s*copyright\s+\S", re.IGNORECASE)


def page_chrome(text: str) -> bool:
    """A line of the page around the article that has a headline's length (see above)."""
    tokens = text.casefold().split()
    return (len(tokens) >= 2 and all(t in _SHARE_WORDS for t in tokens)) or bool(
        _GLUED_BARS.search(text) or _SLUG.match(text.strip()) or _QUOTE_CREDIT.search(text) or _COPYRIGHT.search(text)
        or _GLUED_SENTENCE.search(text)) or opens_with_date_label(text)


def too_short(text: str) -> bool:
    """Four words or fewer: a section's label or a kicker ("Krieg in der Ukraine") has the shape of such
    a headline, and on sites not trained on the model takes one for the other with confidence (as it
    did in cross-validation); such a headline is kept as a guess to review."""
    return words(text) <= 4


def threshold(kind: str = "") -> float:
    """The confidence (Headline.confidence) a headline of this kind of evidence needs to be asserted."""
    return load_model("headline").threshold_for(kind)
