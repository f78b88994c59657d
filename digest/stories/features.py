"""Entry -> EntryFeatures: the words an entry's story is recognised by (pure, cacheable).

Features depend on one entry only, so the build can cache them by the entry's content hash
(together with FEATURES_VERSION). Everything that depends on the whole corpus (word rarity,
similarity) happens later, in `vectors` and `linkage`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from urllib.parse import unquote, urlsplit

from digest.characters import UNSPACED
from digest.model import Entry
from digest.stories.function_words import FUNCTION_WORDS

# Bump when the extraction changes, so cached features of old versions are not reused.
FEATURES_VERSION = 7

# How the words of an entry are read: raw word -> (normalised word, capitalised), or None for a function word.
WordReader = Callable[[str], "tuple[str, bool] | None"]

# Only the opening of a long body is read: news puts the story in its first paragraphs, and
# reading 1,000-word bodies in full would dominate the time of grouping.
BODY_WORDS_READ = 60
# Of an entry's text, only its most frequent words are kept: enough to recognise the story.
TEXT_WORDS_KEPT = 30

# A link's path segment of fewer words than this is a section or an id ("world", "news_local").
LINK_MIN_WORDS = 3
_LINK_WORD_BREAK = re.compile(r"[-_+.,]+")
_LINK_EXTENSION = re.compile(r"\.[A-Za-z]{2,5}$")
_LINK_BREAK_CHAR = re.compile(r"[-_+.,]")  # what _LINK_WORD_BREAK splits at, one by one

# Function words and headline cruft ("UPDATE 3-", "VIDEO:") that say nothing about a story.
STOPWORDS = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
        "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
        "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few",
        "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
        "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "more",
        "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
        "our", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that",
        "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to",
        "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
        "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
        "s", "t", "d", "ll", "m", "re", "ve", "y", "via", "vs", "amp", "says", "said", "say",
        "update", "updated", "exclusive", "breaking", "video", "videos", "photo", "photos", "watch",
        "live", "read", "full", "story", "more", "click", "here", "new", "news", "report", "reports",
    ]
)
# Function words of other languages (function_words), and the words that tell a text is in one.
_FOREIGN_ONLY = FUNCTION_WORDS - STOPWORDS
_ENGLISH_ONLY = STOPWORDS - FUNCTION_WORDS
# French and Italian write an article or pronoun that loses its vowel as one word with the next:
# "l'État" is "État", "qu'il" is "il" (a function word), "dell'Italia" is "Italia".
_ELIDED = frozenset(["c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu",
                     "dall", "dell", "all", "nell", "sull", "un"])

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # Markdown link or image -> its text
_URL = re.compile(r"(?:https?://|www\.)\S+")
_HTML_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# Chinese and Japanese write no spaces between words: a run of their characters is read as its overlapping
# pairs of characters ("北京宣布" -> 北京, 京宣, 宣布), as search engines index such text
_UNSPACED_RUN = re.compile(f"[{UNSPACED}]+")
# A sentence ends at a line end, or at punctuation followed by space. The punctuation is taken
# with the break (it is part of no word); starting with a class lets re skip to candidates.
_SENTENCE_BREAK = re.compile(r"[\n.!?:;\"“”](?:(?<=\n)|\s+)")
_BOILERPLATE = re.compile(
    r"\b(read (the )?(full|whole|original|rest of the) (story|article)|read more|"
    r"originally (published|appeared)|click here|continue reading|subscribe)\b",
    re.IGNORECASE,
)
# Every _BOILERPLATE phrase holds one of these. re tries a case-insensitive pattern at every
# position, slowly; an ASCII text (no 'ſ' or Kelvin sign, which IGNORECASE matches too) whose
# lower case holds none of them cannot match, and most paragraphs are such texts.
_BOILERPLATE_CLUES = ("read ", "originally ", "click here", "continue reading", "subscribe")
# Markdown punctuation -> spaces; runs of spaces are collapsed afterwards.
_MARKUP_TO_SPACES = str.maketrans(dict.fromkeys("#>*_`|", " "))
# A paragraph this short that holds a link is a pointer to the source, not the story.
_LINK_PARAGRAPH_WORDS = 15


@dataclass(frozen=True)
class EntryFeatures:
    """What grouping needs to know about one entry's text. Picklable."""

    title_terms: tuple[str, ...]  # the title's and link's content words and adjacent word pairs, distinct
    title_names: tuple[str, ...]  # title words that look like names or places (a subset)
    text_words: tuple[tuple[str, int], ...]  # (word, weight) of summary + body opening, sorted
    text_word_count: int  # content words read from summary and body (not only those kept)
    terms: tuple[str, ...]  # every distinct title term and text word: for counting word rarity
    version: int = FEATURES_VERSION  # cached features of another version are recomputed


def entry_features(entry: Entry) -> EntryFeatures:
    """The normalised words of an entry's title and text, boilerplate left out."""
    text = story_text(entry)
    marked_word = _reader(f"{entry.title}\n{text}")
    title = _words_with_names(entry.title, marked_word, title=True)
    words = [w for w, _ in title]
    terms = dict.fromkeys(words)
    terms.update(dict.fromkeys(f"{a} {b}" for a, b in zip(words, words[1:], strict=False)))
    # The link's headline words count as the title's: often the story's fuller headline.
    linked = link_words(entry.source_url, marked_word)
    terms.update(dict.fromkeys(linked))
    terms.update(dict.fromkeys(f"{a} {b}" for a, b in zip(linked, linked[1:], strict=False)))
    title_terms = tuple(terms)
    title_names = tuple(dict.fromkeys(w for w, is_name in title if is_name))
    if not text:  # a title and a link only: the text's words are none
        return EntryFeatures(title_terms, title_names, (), 0, title_terms)
    marked_words = [marked for marked in _words_with_names(text, marked_word) if not marked[0].isdigit()]
    # Names and places (capitalised inside a sentence) say most about which story it is.
    counts = Counter([w for w, _ in marked_words])
    counts.update([w for w, is_name in marked_words if is_name])
    # The most frequent words, ties to the first in alphabetical order; sorted by key, not by
    # (word, count) tuples, which compare more slowly.
    ranked = sorted(counts.items(), key=itemgetter(0))
    ranked.sort(key=itemgetter(1), reverse=True)
    kept = sorted(ranked[:TEXT_WORDS_KEPT], key=itemgetter(0))
    return EntryFeatures(
        title_terms=title_terms,
        title_names=title_names,
        text_words=tuple(kept),
        text_word_count=len(marked_words),
        terms=tuple(dict.fromkeys([*terms, *(w for w, _ in kept)])),
    )


def link_words(url: str | None, marked_word: WordReader | None = None) -> list[str]:
    """The content words of the part of a link's path that reads as a headline: the segment of
    most words (at least LINK_MIN_WORDS, of letters only) joined by hyphens or underscores
    (".../2014/03/31/michael-jackson-xscape-album_n_5062777.html" -> michael, jackson, xscape, album).
    Publishers put the story's own headline there, often longer than the title digest shows.
    `marked_word`: how the entry's words are read (_reader); a link's words are too few to tell."""
    if not url:
        return []
    best: list[str] = []
    for segment in unquote(urlsplit(url).path).split("/"):
        # A segment splits into at most one word more than it has break characters: one with
        # too few cannot be the best (most segments, "2014", "news"), and is not split.
        if len(_LINK_BREAK_CHAR.findall(segment)) < max(LINK_MIN_WORDS, len(best) + 1) - 1:
            continue
        # Words of letters only: "n_5062777", "article_b2e34c0e-2e55" are ids.
        raws = [w for w in _LINK_WORD_BREAK.split(_LINK_EXTENSION.sub("", segment)) if len(w) > 1 and w.isalpha()]
        if len(raws) >= max(LINK_MIN_WORDS, len(best) + 1):
            best = raws
    return [m[0] for m in map(marked_word or _marked_word, best) if m]


def story_text(entry: Entry) -> str:
    """Summary, key points and the opening of the body, as plain text without boilerplate."""
    parts = [entry.summary or "", *entry.key_points]
    words_read = 0
    for paragraph in _paragraphs(entry.body):
        if words_read >= BODY_WORDS_READ:
            break
        plain = plain_paragraph(paragraph, entry.title)
        if plain:
            words = plain.split()
            plain = " ".join(words[: BODY_WORDS_READ - words_read])
            parts.append(plain)
            words_read += len(words)
    return "\n\n".join(p for p in parts if p.strip())


def _paragraphs(body: str) -> Iterator[str]:
    """The body's paragraphs, as re.split gives them, but found one at a time: only the
    opening is read, and a body is often far longer."""
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(body):
        yield body[start:match.start()]
        start = match.end()
    yield body[start:]


def plain_paragraph(markdown: str, title: str = "") -> str:
    """One Markdown paragraph as plain text; "" when it is boilerplate or a bare link."""
    has_link = "](" in markdown or _has_url(markdown)
    plain = _LINK.sub(r"\1", _HTML_TAG.sub(" ", markdown))
    if _has_url(plain):
        plain = _URL.sub(" ", plain)
    plain = " ".join(plain.translate(_MARKUP_TO_SPACES).split())
    if not plain or _is_boilerplate(plain):
        return ""
    if has_link and plain.count(" ") + 1 <= _LINK_PARAGRAPH_WORDS:  # words, single-spaced
        return ""
    if title and plain.casefold() == " ".join(title.split()).casefold():
        return ""  # the title repeated in the body would count it twice
    return plain


def _has_url(text: str) -> bool:
    # Every URL _URL matches holds one of these: str's search rules most texts out faster.
    return ("://" in text or "www." in text) and _URL.search(text) is not None


def _is_boilerplate(plain: str) -> bool:
    if plain.isascii():
        lowered = plain.lower()
        if not any(clue in lowered for clue in _BOILERPLATE_CLUES):
            return False
    return _BOILERPLATE.search(plain) is not None


def normalise_words(text: str) -> list[str]:
    """Lower-cased content words, possessives and plurals stripped ("Snowden's" -> "snowden")."""
    return [w for w, _ in _words_with_names(text, _reader(text))]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stemmer: possessive 's, plural -s/-es/-ies. Enough to match headline variants."""
    word = word.replace("’", "'")
    word = word.removesuffix("'s")
    word = word.replace("'", "")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words_with_names(text: str, marked_word: WordReader, title: bool = False) -> list[tuple[str, bool]]:
    """Content words of running text, each marked if it looks like a name or place: capitalised
    where a sentence would not capitalise it. A headline in Title Case says nothing that way."""
    found: list[tuple[str, bool]] = []
    first_capitals = 0
    for sentence in _SENTENCE_BREAK.split(unicodedata.normalize("NFKC", text)):
        raws = _WORD.findall(sentence)
        if not sentence.isascii() and _UNSPACED_RUN.search(sentence):
            raws = [part for raw in raws for part in _character_pairs(raw)]
        if not raws:
            continue
        first = marked_word(raws[0])
        if first:  # capitalised because it starts the sentence: not a name
            first_capitals += first[1]
            found.append((first[0], False))
        # The rest in C (map, filter, a cached _marked_word): a Python step per word was most
        # of the time of this function.
        found.extend(filter(None, map(marked_word, islice(raws, 1, None))))
    if title and first_capitals + sum(upper for _, upper in found) > 0.6 * len(found):
        return [(w, False) for w, _ in found]
    return found


def _character_pairs(raw: str) -> list[str]:
    """A word of running text, with each run of Chinese or Japanese characters in it as its pairs of
    characters (a run of one as itself); other words as they are."""
    parts: list[str] = []
    start = 0
    for run in _UNSPACED_RUN.finditer(raw):
        if run.start() > start:
            parts.append(raw[start:run.start()])
        chars = run.group()
        parts.extend([chars] if len(chars) == 1 else [chars[i:i + 2] for i in range(len(chars) - 1)])
        start = run.end()
    if start < len(raw):
        parts.append(raw[start:])
    return parts


@lru_cache(maxsize=65536)
def _marked_word(raw: str) -> tuple[str, bool] | None:
    """The normalised word and whether it is capitalised, or None for a function word."""
    word = stem(raw.casefold())
    return (word, raw[0].isupper()) if word and word not in STOPWORDS else None


@lru_cache(maxsize=65536)
def _marked_foreign_word(raw: str) -> tuple[str, bool] | None:
    """_marked_word of a word in a text of another language: its function words are none either
    (compared before stemming, which would make one of an English word: "sans" -> "san", as in San
    Francisco), nor an elided article or pronoun ("l'État" is "État", "qu'il" is "il")."""
    folded = raw.casefold()
    if "'" in folded or "’" in folded:
        elided, _, rest = folded.replace("’", "'").partition("'")
        if elided in _ELIDED:
            raw, folded = raw[len(elided) + 1:], rest
    return None if folded in FUNCTION_WORDS else _marked_word(raw)


def _reader(text: str) -> WordReader:
    """How to read the words of an entry: as English (_marked_word) unless it writes more function
    words of other languages than of English in lower case, and at least two. A headline in English
    capitalises its words, where French, German or Spanish ones write "le", "der", "de" in lower case:
    "UN", "ALS", "Op-Ed", "Le Pen", "Los Angeles" are words of an English headline. Entries are read
    alike on every site: a site's `language` does not say which language one entry is in."""
    present = set(text.split())  # words between spaces: a function word seldom touches punctuation
    foreign = len(present & _FOREIGN_ONLY)
    return _marked_foreign_word if foreign >= 2 and foreign > len(present & _ENGLISH_ONLY) else _marked_word
