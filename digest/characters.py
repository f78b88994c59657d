"""The characters no page or feed may hold, defined once. Content and ingest remove them, the config
refuses them; two narrower sets say where a step needs less: what YAML cannot read and what XML
cannot hold. And where a text may be cut: between what a reader sees as one character. And which
characters are written without spaces between words."""

from __future__ import annotations

import functools
import re
from typing import Any

_C0 = "\x00-\x08\x0b\x0c\x0e-\x1f"  # C0 controls but tab, line feed and carriage return
_C1 = "\x7f-\x9f"  # DEL and the C1 controls
_SURROGATES = "\ud800-\udfff"  # lone ones: no encoding can write them
_LAST_TWO = "\ufffe\uffff"  # the noncharacters XML forbids
_BMP_NONCHARACTERS = "\ufdd0-\ufdef" + _LAST_TWO
_ASTRAL_NONCHARACTERS = "".join(f"{chr(p + 0xFFFE)}{chr(p + 0xFFFF)}" for p in range(0x10000, 0x110000, 0x10000))

# Characters no page or feed may hold: C0 controls but tab and newline (a carriage return is made a
# newline first), DEL, C1 controls, lone surrogates and the noncharacters (XML forbids U+FFFE/U+FFFF;
# HTML parsers flag them all).
FORBIDDEN = re.compile(f"[{_C0}{_C1}{_SURROGATES}{_BMP_NONCHARACTERS}{_ASTRAL_NONCHARACTERS}]")

# The same rule, found faster: most text is ASCII without control characters (checked in C with
# these bytes: entry_file.py), and re scans text tens of times slower against a class that holds astral
# characters than against one that holds none: FORBIDDEN is needed only for text that holds one.
FORBIDDEN_ASCII = bytes([*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])
FORBIDDEN_IN_BMP = re.compile(f"[{_C0}{_C1}{_SURROGATES}{_BMP_NONCHARACTERS}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def without_forbidden(text: str) -> str:
    """The text with every FORBIDDEN character removed."""
    text = FORBIDDEN_IN_BMP.sub("", text)
    return FORBIDDEN.sub("", text) if _ASTRAL.search(text) else text


# Removed from an entry file before YAML parses it: the forbidden characters but the noncharacters
# YAML reads as text (they are removed from the values afterwards: removing them first could turn
# 'title: \ufdd0&x' into an anchor).
YAML_UNREADABLE = re.compile(f"[{_C0}{_C1}{_SURROGATES}{_LAST_TWO}]")

# What XML 1.0 cannot hold at all (outside its Char production): the forbidden characters but DEL,
# the C1 controls and all noncharacters except U+FFFE/U+FFFF. Feeds remove it from every text they
# write, whatever its source, as feedgen would otherwise write a feed no reader parses.
XML_FORBIDDEN = re.compile(f"[{_C0}{_SURROGATES}{_LAST_TWO}]")


# Unicode's explicit directional formatting: embeddings and overrides (LRE, RLE, LRO, RLO) closed by PDF,
# isolates (LRI, RLI, FSI) closed by PDI. One left open reorders whatever follows on its line: a title
# "\u202egnp.exe" turned the site's name after it in <title>, a feed reader's list or an e-mail's subject
# right to left ("... · QA" shown "AQ · ...").
_EMBEDDINGS, _ISOLATES, _PDF, _PDI = "\u202a\u202b\u202d\u202e", "\u2066\u2067\u2068", "\u202c", "\u2069"
BIDI_CONTROLS = re.compile(f"[{_EMBEDDINGS}{_ISOLATES}{_PDF}{_PDI}]")


def with_bidi_closed(text: str) -> str:
    """The text with each line's embeddings, overrides and isolates closed where it ends, and the closing
    marks that close nothing removed: it shows as before, and nothing after it is reordered by it."""
    return "\n".join(_closed(line) if BIDI_CONTROLS.search(line) else line for line in text.split("\n"))


def _closed(line: str) -> str:
    out: list[str] = []
    opened: list[str] = []  # the openers in force, innermost last
    for char in line:
        if char in _EMBEDDINGS or char in _ISOLATES:
            opened.append(char)
        elif char == _PDF:
            if not opened or opened[-1] not in _EMBEDDINGS:
                continue  # closes nothing (an isolate's embeddings are closed by its PDI)
            opened.pop()
        elif char == _PDI:
            if not any(o in _ISOLATES for o in opened):
                continue
            while opened.pop() not in _ISOLATES:  # a PDI closes the embeddings opened inside its isolate too
                pass
        out.append(char)
    out.extend(_PDI if o in _ISOLATES else _PDF for o in reversed(opened))
    return "".join(out)


@functools.lru_cache(maxsize=1)
def _grapheme() -> Any:
    """The pattern of one grapheme, made on first use: the `regex` module it needs took 11 ms of every
    build's start (a tenth of an edit's imports at 10,000 entries) and most builds cut no text."""
    import regex

    return regex.compile(r"\X")


def cut_between_graphemes(text: str, limit: int) -> str:
    """The text's first `limit` characters at most, never cutting through what a reader sees as one
    character: an emoji of several joined ('👨‍👩‍👧‍👦' cut after its second is another emoji), a letter
    and its accents ('e' and a combining acute), a flag."""
    if len(text) <= limit:
        return text
    pair = text[limit - 1:limit + 1] if limit > 0 else ""
    if pair.isascii() and len(pair) == 2 and pair != "\r\n":
        return text[:limit]  # two ASCII characters but CR LF always have a boundary between them (UAX #29)
    end = 0
    for grapheme in _grapheme().finditer(text):
        if grapheme.end() > limit:
            break
        end = grapheme.end()
    return text[:end]


# Chinese and Japanese characters (kana, the CJK ideographs and their extensions): text written without
# spaces between words, each character as wide as two letters (Hangul is written in spaced words). A regex
# character class's ranges: reading time, ingest's summaries and the stories' words each read such text.
UNSPACED = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"


# The marks that end a sentence in scripts other than Latin's and Chinese's, each followed by a space as a full stop
# is: the danda and double danda (Hindi, Bengali, Nepali, Marathi, Punjabi ...), the Urdu full stop, the Armenian
# full stop, the Ethiopic full stop, the Myanmar section mark and the Khmer khan; and the Arabic and Ethiopic
# question marks. Regex character classes' characters: ingest reads a paragraph that ends in one as prose.
FULL_STOPS = "\u0964\u0965\u06d4\u0589\u1362\u104b\u17d4"
SENTENCE_STOPS = FULL_STOPS + "\u061f\u1367"

# Languages written right to left, and scripts (a tag's script subtag, 'pa-Arab', wins over its language: 'ks-Deva'
# is written left to right): CLDR's, as Babel's Locale.character_order gives them (tests/test_theme.py compares).
_RIGHT_TO_LEFT_LANGUAGES = frozenset({
    "apc", "ar", "arc", "ary", "bal", "bgn", "bqi", "brh", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "lrc", "mzn",
    "nqo", "ps", "rhg", "sd", "sdh", "skr", "syr", "trw", "ug", "ur", "yi"})
_RIGHT_TO_LEFT_SCRIPTS = frozenset({"adlm", "arab", "hebr", "mand", "mend", "nkoo", "rohg", "samr", "syrc", "thaa"})


def direction(language: str) -> str:
    """'rtl' for a BCP 47 tag of a language or script written right to left ('ar', 'he-IL', 'pa-Arab'),
    else 'ltr': the direction of a page of the site (<html dir>)."""
    language, *rest = language.lower().split("-")
    script = next((part for part in rest if len(part) == 4 and part.isalpha()), None)
    if script is not None:
        return "rtl" if script in _RIGHT_TO_LEFT_SCRIPTS else "ltr"
    return "rtl" if language in _RIGHT_TO_LEFT_LANGUAGES else "ltr"
