"""Tag hygiene: one name per subject, and no word that is not a subject.

Sources tag their pages with whatever their CMS extracted: 'Russian' beside 'Russia', 'North
And South Korea', 'Supreme'. `clean_tags` is applied to each entry's tags by ingest (what it
writes) and by the build (what content/ holds, so older entries are cleaned too):

- a configured alias becomes its tag (`[tags] aliases`, case-insensitive), an ignored name goes;
- another name of a country becomes its usual name ('Russian Federation' -> 'Russia');
- a demonym becomes its country when the entry names that country in its title, summary or
  other tags ('Russian' -> 'Russia' on a story about Russia); elsewhere it is an adjective
  ('Japanese forces' in a story about Korea) and no tag;
- a single word that English uses only as an adjective, adverb or the like ('Supreme',
  'Electric'), a weekday or a month is no tag;
- small words inside a name are lowercase ('North And South Korea' -> 'North and South Korea'),
  a shouted name is title case ('UKRAINE WAR' -> 'Ukraine War'; 'NATO' stays);
- a tag repeated (by its URL name) is kept once, in first place.

`near_duplicates` finds the tags of a site that are likely one subject (a plural, a demonym, a
spelling), for `digest check` to list with a suggestion.

Word knowledge comes from libraries: lemminflect (the parts of speech English gives a word, and
noun lemmas for plurals) and countryinfo (countries, their demonyms and other names), read once
into tag_words.json (scripts/tag_words.py; a test keeps it equal to what they give), so a build
loads a small file instead of their tables.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii

from digest.config import Config
from digest.urls import drops_letters, slugify, with_symbols_spelled

# Joining words that are lowercase inside a name ("Bosnia and Herzegovina", "Trade in Goods").
_SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of",
                          "on", "or", "over", "per", "the", "to", "under", "upon", "via", "vs", "with"})
_CALENDAR = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
                       "february", "march", "april", "may", "june", "july", "august", "september", "october",
                       "november", "december", "today", "yesterday", "tomorrow", "news", "breaking"})
WORDS_FILE = Path(__file__).with_name("tag_words.json")  # made by scripts/tag_words.py
ACRONYM_LETTERS = 5  # an all-capitals word this short is an acronym ("NATO", "KCNA"), not shouting


def clean_tags(tags: Sequence[str], aliases: Mapping[str, str] | None = None, ignore: Iterable[str] = (),
               about: str = "") -> tuple[str, ...]:
    """An entry's tags, cleaned (see the module's docstring). `aliases` maps a folded name
    (`fold`) to the tag it means; `ignore` holds names never made tags; `about` is what the
    entry says it is about (its title and summary), where a demonym's country must be named."""
    if not tags:
        return ()
    aliases = aliases or {}
    ignored = {fold(name) for name in ignore} if ignore else set()
    names = [" ".join(raw.split()) for raw in tags]
    named = ""  # the entry's words, folded: made only when a demonym asks (a tenth of the time)
    kept: dict[str, str] = {}
    for name in names:
        key = fold(name)
        if not name or key in ignored:
            continue
        tag = aliases.get(key)
        if tag is None:
            country = word_data().demonyms.get(key)
            if country:
                if not named:
                    words = " ".join(re.findall(r"\w+", " ".join([about, *names])))  # "Russia’s" names Russia
                    named = f"-{slugify(words, limit=len(words) + 1)}-"
                tag = country if f"-{fold(country)}-" in named else None
            else:
                tag = tidy(name)
        if tag is None or fold(tag) in ignored:
            continue
        kept.setdefault(fold(tag), tag)
    return tuple(kept.values())


@functools.lru_cache(maxsize=1 << 16)
def fold(name: str) -> str:
    """The form names are compared in: case, spacing and punctuation aside (not a '+' or '#' that
    closes a word: C++ is not C), as are letters of another script (case and spacing aside)."""
    spelled = with_symbols_spelled(_latin_spelled(name))
    slug = slugify(spelled)
    if slug and not drops_letters(spelled):
        return slug
    # a name in another script, whole or in part ('COVID-19 в России' is not 'COVID-19'): its letters
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _latin_spelled(name: str) -> str:
    """The name case-folded, with the Latin letters that have no accent to take off spelled in ASCII: 'Straße'
    and 'STRASSE', 'Işık' and 'IŞIK' ('ı' -> i), 'Łódź' and 'Lodz' compare equal (these letters were
    dropped, not spelled). Letters of other scripts are left as they are."""
    if name.isascii():
        return name
    return "".join(anyascii(char) if not char.isascii() and not unicodedata.decomposition(char)
                   and unicodedata.name(char, "").startswith("LATIN") else char for char in name.casefold())


@functools.lru_cache(maxsize=1 << 14)
def tidy(name: str) -> str | None:
    """One tag (not a demonym) made a subject: a country's usual name for its other names, None
    when it is no subject, else the name with small words lowercase and shouting calmed."""
    country = word_data().names.get(fold(name))
    if country:
        return country
    words = name.split(" ")
    if len(words) == 1 and not is_subject_word(name):
        return None
    shouted = name.isupper() and any(len(w) > ACRONYM_LETTERS and w.isalpha() for w in words)
    out = []
    for i, word in enumerate(words):
        # In a shouted name an English word is calmed; a short unknown one is an acronym ("NATO").
        if shouted and word.isalpha() and (len(word) > ACRONYM_LETTERS or _parts_of_speech(word.casefold())):
            word = word.capitalize()
        if i and word.casefold() in _SMALL_WORDS and word[:1].isupper() and not word.isupper():
            word = word.lower()
        out.append(word)
    return " ".join(out)


def is_subject_word(word: str) -> bool:
    """Whether a single word can be a tag: a noun or a name, not only an adjective or adverb
    ('Supreme'), a joining word ('The'), a weekday or a month."""
    lower = word.casefold()
    if lower in _SMALL_WORDS or lower in _CALENDAR:
        return False
    if not word.isalpha() or (word.isupper() and len(word) > 1):
        return True  # "G7", "COVID-19", "NATO": acronyms and codes
    return lower not in word_data().not_subject  # a word English does not know is a name: "Kaub"


@functools.lru_cache(maxsize=1 << 14)
def _parts_of_speech(word: str) -> frozenset[str]:
    """Every part of speech lemminflect gives a word: only for a shouted name's short words and
    `digest check`, since its tables take 0.3-0.8 s to load."""
    from lemminflect import getAllLemmas

    return frozenset(getAllLemmas(word))


@dataclass(frozen=True)
class Words:
    """What tag_words.json holds (scripts/tag_words.py made it from lemminflect and countryinfo)."""

    not_subject: frozenset[str]  # lowercase words English uses only as adjectives, adverbs and the like
    demonyms: Mapping[str, str]  # folded demonym -> the country's usual name
    names: Mapping[str, str]  # folded other name ("Russian Federation") -> the usual name


@functools.lru_cache(maxsize=1)
def word_data() -> Words:
    data = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return Words(frozenset(data["not_subject"]), {fold(d): c for d, c in data["demonyms"].items()},
                 {fold(n): c for n, c in data["country_names"].items()})


@functools.lru_cache(maxsize=8)
def alias_table(aliases: tuple[tuple[str, tuple[str, ...]], ...]) -> Mapping[str, str]:
    """[tags] aliases ((tag, the names that mean it), as Config keeps them) as clean_tags takes
    them: folded name -> tag. A tag's own name maps to itself, so its spelling wins."""
    table: dict[str, str] = {}
    for tag, others in aliases:
        for name in (tag, *others):
            table[fold(name)] = tag
    return table


def clean_entry_tags(tags: Sequence[str], config: Config, about: str = "") -> tuple[str, ...]:
    """clean_tags with the site's [tags] settings."""
    return clean_tags(tags, alias_table(config.tag_aliases), config.tag_ignore, about)


@dataclass(frozen=True)
class NearDuplicate:
    name: str  # the tag that should go
    keep: str  # the tag it probably means
    why: str  # "plural", "demonym", "another name", "spelling"


def near_duplicates(counts: Mapping[str, int]) -> list[NearDuplicate]:
    """Pairs of a site's tags (name -> how many entries) that are probably one subject; the
    one with fewer entries is the one to merge. Sorted by name."""
    found: dict[str, NearDuplicate] = {}
    by_key: dict[str, list[str]] = {}
    for name in counts:
        by_key.setdefault(_singular_key(name), []).append(name)
    for group in by_key.values():
        if len(group) > 1:
            keep = _most_used(group, counts)
            for name in group:
                if name != keep:  # 'Россия' and 'россия' are two tags (hashed slugs), of one spelling
                    found[name] = NearDuplicate(name, keep, "spelling" if fold(name) == fold(keep) else "plural")
    folded = {fold(name): name for name in counts}
    for name in counts:
        for table, why in ((word_data().demonyms, "demonym"), (word_data().names, "another name")):
            country = table.get(fold(name))
            if country and fold(country) in folded and folded[fold(country)] != name:
                found.setdefault(name, NearDuplicate(name, folded[fold(country)], why))
    keys = sorted(folded)
    for key in keys:
        if len(key) < 6 or folded[key] in found:
            continue
        for other in difflib.get_close_matches(key, keys, n=3, cutoff=0.88):
            if other != key and folded[other] not in found:
                keep = _most_used([folded[key], folded[other]], counts)
                drop = folded[other] if keep == folded[key] else folded[key]
                found.setdefault(drop, NearDuplicate(drop, keep, "spelling"))
    return sorted(found.values(), key=lambda d: (fold(d.name), d.name))


def _singular_key(name: str) -> str:
    """The folded name with its last word as a singular noun ('Electric Vehicles' -> 'electric-vehicle')."""
    words = fold(name).split("-")
    if words and words[-1].isalpha():
        from lemminflect import getAllLemmas

        lemmas = getAllLemmas(words[-1], upos="NOUN").get("NOUN")
        if lemmas:
            words[-1] = lemmas[0]
    return "-".join(words)


def _most_used(names: Sequence[str], counts: Mapping[str, int]) -> str:
    return max(sorted(names), key=lambda n: (counts[n], any(c.isupper() for c in n)))


