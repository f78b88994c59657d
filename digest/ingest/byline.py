"""Who wrote it: the byline candidates of a text dump weighed by a small learned model.

text.py finds every line near the headline that names people the way bylines do ("By ...",
a lone "By" over a name, a wire agency's dateline, a name alone or with a date). Measured on
each: the kind of line, where it sits relative to the headline and the body, its shape,
what sits around it (a picture, a credit: a caption's names), and whether the page repeats
the names. Weights in `byline.json` (see linear.py); "none of these" is a choice too, and
below the model's threshold no author is asserted and the field goes to review, as it does for a
bare name that does not look like a person's signature (looks_signed: given_names.txt).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .blocks import Para
from .body import alt_and_caption, is_junk, is_prose, words
from .dates import find_date
from .linear import load_model, softmax

KINDS = ("by", "lone_by", "wire", "name")
_WORD = re.compile(r"[^\W\d_]+")
# The capital and small letters of every cased script (Latin with its accents, Greek, Cyrillic, Armenian ...),
# for names: a name is read in every language whose dates are read ("Łukasz", "Şule", "Ярослав", "Γιώργος").
CAPITALS = "".join(c for c in map(chr, range(0x41, 0x2000)) if c.isupper())
SMALL = "".join(c for c in map(chr, range(0x61, 0x2000)) if c.islower())
CREDIT = re.compile(r"(getty|images?|photo|foto|credit|reuters|afp|shutterstock|©|photograph|bild|"
                     r"imago|dpa|quelle|source|picture)", re.IGNORECASE)
_ROLE = re.compile(r"\b(editor|reporter|correspondent|writer|redakteur\w*|korrespondent\w*|autor\w*|"
                   r"journalist\w*|rédact\w*|columnist|contributor|staff|"
                   # the same in Spanish, Italian, French, Portuguese, Dutch
                   r"corresponsal\w*|periodista|redactor\w*|corrispondente|giornalista|redattor\w*|correspondant\w*|"
                   r"correspondente|jornalista|repórter|redator\w*|verslaggever)\b", re.IGNORECASE)


def is_role(text: str) -> bool:
    """Whether the text names a writer's role ("editor", "Korrespondentin", "corresponsal")."""
    return bool(_ROLE.search(text))


@dataclass(frozen=True)
class Candidate:
    index: int  # of the paragraph
    names: tuple[str, ...]
    kind: str  # one of KINDS


@dataclass(frozen=True)
class Byline:
    names: tuple[str, ...]
    probability: float  # that these are the authors
    none: float  # that none of the candidates is
    kind: str  # of evidence: see kind_of
    agreed: bool = True  # the model's committee picks these names too, sure enough (LinearModel.committee_agrees)
    person: bool = True  # the names look like a person's, or the line is signed as a byline is (see looks_signed)
    # Another candidate names someone else as a byline may (see contested): the interviewee, a picture's subject,
    # a teaser's writer and the article's writer look alike, and only where each sits tells them apart.
    contested: bool = False


def kind_of(features: dict[str, float]) -> str:
    """ "stated": the line says it is a byline ("By ...", a wire agency's dateline); "name": a name
    alone, a byline only by where it sits (an interviewee, a label or a caption look the same)."""
    return "name" if features.get("kind_name") else "stated"


def features(paras: list[Para], cands: list[Candidate], title_at: int | None, start: int,
             prior: tuple[str, ...]) -> list[dict[str, float]]:
    anchor = title_at if title_at is not None else start
    page = " ".join(p.text for p in paras).casefold()
    lower = _lower_words(paras)
    body = " ".join(p.text for p in paras[start:start + 30]).casefold()
    out = []
    for n, cand in enumerate(cands):
        i = cand.index
        para = paras[i]
        text = para.text
        k = words(text)
        to_title = i - anchor
        prev = paras[i - 1] if i > 0 else None
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        name_words = [len(name.split()) for name in cand.names]
        f = {f"kind_{kind}": float(cand.kind == kind) for kind in KINDS}
        f.update({
            "title_below_1_3": float(1 <= to_title <= 3),
            "title_below_4_8": float(4 <= to_title <= 8),
            "title_below_far": float(to_title > 8),
            "title_above": float(to_title < 0),
            "log_title_distance": math.log1p(abs(to_title)),
            "before_body": float(i < start),
            "in_body": float(i >= start),
            "words_le_3": float(k <= 3),
            "words_4_10": float(4 <= k <= 10),
            "words_over_10": float(k > 10),
            "date_on_line": float(find_date(text) is not None),
            "prose": float(is_prose(para)),
            "junk": float(is_junk(para)),
            "bullet": float(bool(para.bullet)),
            "after_image": float(prev is not None and prev.is_image),
            "credit_near": float(any(CREDIT.search(p.text) and words(p.text) <= 12
                                     for p in (prev, nxt) if p is not None)),
            "credit_self": float(bool(CREDIT.search(text))),
            "role": float(bool(_ROLE.search(text))
                          or nxt is not None and bool(_ROLE.search(nxt.text)) and words(nxt.text) <= 6),
            "names_one": float(len(cand.names) == 1),
            "names_more": float(len(cand.names) > 1),
            "single_word_name": float(min(name_words) == 1),
            "long_name": float(max(name_words) >= 4),
            "upper_name": float(any(name.isupper() for name in cand.names)),
            "repeated": float(sum(page.count(name.casefold()) for name in cand.names) > len(cand.names)),
            "in_title": float(title_at is not None and any(name.casefold() in paras[title_at].text.casefold()
                                                          for name in cand.names)),
            # The article's subject is named in its body; its writer rarely is.
            "named_in_body": float(any(len(w) >= 4 and w in body for name in cand.names
                                       for w in name.casefold().split() if i < start)),
            "first_candidate": float(n == 0),
            "first_after_title": float(to_title > 0 and all(c.index - anchor <= 0 for c in cands[:n])),
            "rules_pick": float(bool(prior) and set(prior) == set(cand.names)),
            # A person's name is not written in lower case; words of a label or a phrase are
            # ("Key Points", "Trading Nation": "key", "nation" occur in the page's prose).
            "lower_elsewhere": _lower_share(cand.names, lower),
            "alt_caption": float(alt_and_caption(paras, i)),  # the names of who is in a picture
            "list_next": float(nxt is not None and bool(nxt.bullet)),  # a box's label over its links
            "by_on_page": float(cand.kind != "by" and any(c.kind == "by" for c in cands)),
        })
        out.append(f)
    return out



@cache
def given_names() -> frozenset[str]:
    """The given names of digest/ingest/given_names.txt (scripts/given_names.py: Faker's, all locales)."""
    lines = (Path(__file__).with_name("given_names.txt").read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def opens_with_given_name(name: str) -> bool:
    """Whether the name's first word (two letters or more) is a known given name: "Jane Doe", not
    "Download PDF"; a name the text browser glued to a link ("Sarah LazareTwitter") still counts."""
    first = _WORD.match(name.strip())
    return first is not None and len(first.group(0)) >= 2 and first.group(0).casefold() in given_names()


def _lower_words(paras: list[Para]) -> set[str]:
    """The words the page writes in lower case."""
    return {w for p in paras for w in _WORD.findall(p.text) if w.islower()}


def _lower_share(names: tuple[str, ...], lower: set[str]) -> float:
    """The share of the names' words (of three letters or more) the page also writes in lower case."""
    tokens = [w for name in names for w in _WORD.findall(name) if len(w) >= 3 and not w.islower()]
    return sum(1 for w in tokens if w.casefold() in lower) / len(tokens) if tokens else 0.0


def choose(paras: list[Para], cands: list[Candidate], title_at: int | None, start: int,
           prior: tuple[str, ...]) -> Byline | None:
    """The likeliest byline and its chance (0 when "none of these" wins); None without candidates."""
    if not cands:
        return None
    model = load_model("byline")
    table = features(paras, cands, title_at, start, prior)
    probs = softmax([model.score(f) for f in table] + [model.score({"none": 1.0})])
    best = max(range(len(cands)), key=lambda k: probs[k])
    kind = kind_of(table[best])
    if probs[-1] > probs[best]:
        return Byline(cands[best].names, 0.0, probs[-1], kind)
    keys = [answer_key(c.names) for c in cands] + ["none"]
    chance = sum(p for key, p in zip(keys, probs, strict=False) if key == keys[best])
    return Byline(cands[best].names, chance, probs[-1], kind,
                  model.committee_agrees([*table, {"none": 1.0}], keys, kind),
                  looks_signed(cands[best], paras[cands[best].index].text),
                  contested(paras, cands, cands[best]))


def contested(paras: list[Para], cands: list[Candidate], chosen: Candidate) -> bool:
    """Whether another candidate names none of the chosen one's people and is signed as a byline is: for a bare
    name, any candidate looks_signed passes (a "By" line, or a name that opens with a given name); for a stated
    byline, another "By" line. A wire's dateline ("WASHINGTON (AP) —") contests nothing: it says where the story
    came from, and its writer is named too as often as not. Such choices are right too rarely to assert: on the
    tuned pages, of the names chosen against such a rival, 5 of 8 were right in sample, 3 of 8 in the site
    folds and 4 of 9 across dev sets (theguardian.com's interviewee "Kristen Wiig", freitag.de's teaser writer,
    mbl.is's, thenation.com's "Politics"), all held back there by the committee or the threshold; and a fold
    asserted liberation.fr's "Par Laurence Defranoux", the writer of a story under "Sur le même sujet" beside
    another "Par" line, on an AFP article."""
    mine = {name.casefold() for name in clean_names(chosen.names)}
    return any(not mine & {name.casefold() for name in clean_names(c.names)}
               and (looks_signed(c, paras[c.index].text) if chosen.kind == "name" else c.kind != "name")
               for c in cands if c is not chosen and c.kind != "wire")


_HANDLE = re.compile(r"@\w")
# The news agencies, whose name stands for the writer's on a wire story (text.py reads their datelines too).
AGENCIES = (r"AP|Associated Press|Reuters|AFP|Agence France-Presse|PTI|Press Trust of India|IANS|ANI|UPI|"
            r"dpa|DPA|Xinhua|EFE|ANSA|Kyodo|Yonhap|TASS|AAP|Bernama|Anadolu|The Canadian Press")
_AGENCY = re.compile(rf"(?:the\s+)?(?:{AGENCIES})", re.IGNORECASE)


def looks_signed(cand: Candidate, line: str) -> bool:
    """Whether a byline candidate is a person's signature: a stated byline ("By ...", a wire's dateline), or a
    bare name that opens with a known given name, or whose line goes on as a byline does, with a handle or
    a date or time ("Keris Lahiff@kerisalison", "Jonisayi Maromo|Published 1 day ago"), or a news agency
    ("The Associated Press"). A bare label of a name's shape with none of these ("Download PDF", "Zur
    Playlist Anhören", "KOMENTAR ISIS") is a button's, a menu's or a box's: on sites a model was not fitted
    on, such labels were its confident wrong authors; its sure answer goes to review."""
    if cand.kind != "name" or any(opens_with_given_name(name) or _AGENCY.fullmatch(name) for name in cand.names):
        return True
    rest = line.split(cand.names[0], 1)[-1] if cand.names[0] in line else ""
    return bool(_HANDLE.search(line) or re.search(r"\d", rest))


def answer_key(names: tuple[str, ...]) -> str:
    """The same names in any order are one answer, and so are the same names as the text browser ran a link
    into them ("Tobias MühlbauerTobias Mühlbauer", "Ulrich ExnerKorrespondent"): the names asserted (clean_names)."""
    return "|".join(sorted(clean_names(names)))


# A name glued by the text browser to the link after it ("Sarah LazareTwitter", "Ulrich ExnerKorrespondent",
# "Tobias MühlbauerTobias Mühlbauer"): a lower-case letter after three letters or more, then a capital, in
# a name's second word or later. (Not "MacDonald", "DeVito", "McCarthy": their first part is shorter.)
_GLUED = re.compile(rf"(?<=[^\W\d_]{{3}}[{SMALL}])(?=[{CAPITALS}])")
_ROLE_WORDS = {"editor", "reporter", "correspondent", "writer", "staff", "senior", "technologist", "columnist",
               "contributor", "journalist", "journalistin", "redakteur", "redakteurin", "korrespondent",
               "korrespondentin", "autor", "autorin", "kolumnist", "kolumnistin", "rédacteur", "rédactrice"}


def clean_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names a byline states, without what the text browser ran into them: a link glued to a name
    (its words cut off), a role alone ("Redakteurin", "Senior Staff Technologist"), and a single word
    beside a full name (a place or a section: "Jane Doe, Zürich", "Mike Wall, Astronomy")."""
    out: list[str] = []
    for name in names:
        glued = _GLUED.search(name)
        if glued and " " in name[:glued.start()]:  # a brand written as one word ("LinkNaija") stays
            name = name[:glued.start()].strip()
        if name and not all(w.casefold() in _ROLE_WORDS for w in name.split()):
            out.append(name)
    if any(len(n.split()) >= 2 for n in out):
        out = [n for n in out if len(n.split()) >= 2]
    return tuple(dict.fromkeys(out))


def one_word(found: Byline) -> bool:
    """A bare name (kind "name") of one word beside a date ("Politics August 08, 2018", "LinkNaija ..."): a
    section's label or a brand as often as a writer (the tuned pages have no such writer; a model not
    fitted on the page's site chose "Politics"), so never asserted; a stated byline of one word still is."""
    return found.kind == "name" and all(len(name.split()) == 1 for name in found.names)


def names_the_subject(found: Byline, title: str | None) -> bool:
    """A bare name (kind "name") that the headline names too: the article's subject (an interviewee, the
    person profiled), as likely as its writer; only a stated byline ("By ...") is taken then."""
    return found.kind == "name" and title is not None \
        and any(name.casefold() in title.casefold() for name in found.names)


def threshold(kind: str = "") -> float:
    """The chance a byline of this kind of evidence needs to be asserted."""
    return load_model("byline").threshold_for(kind)
