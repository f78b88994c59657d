"""The HTML reader's body checked against the page's structure: the article's own element.

trafilatura may take in a short line from around the article (a teaser's headline, a credit label
such as "Agencies", a standfirst set apart from the text). The article's paragraphs of prose all sit in
one element of the page; a short block that is no sentence and whose words the page has only outside
that element is furniture around the article, whatever its wording or language.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from typing import Any

from lxml import etree

# A paragraph of prose: this many words or more; blocks of SHORT_WORDS or fewer (headings, labels,
# credits) are the ones checked; an element holding HELD of the prose's shingles holds the article.
# Chosen by cross-validation over five folds of the dev sets' tuned sites (docs/ingest.md, session 39).
PROSE_WORDS = 20
SHORT_WORDS = 20
HELD = 0.9
# At least this many paragraphs of prose fix the article's element: one alone may be a teaser's.
MIN_PROSE = 2

_SKIPPED = {"script", "style", "noscript", "template"}
_TOKEN = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]»]*$")
_MARKUP = re.compile(r"^#{1,6}\s+|\*+")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


def _shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    if len(tokens) < 4:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3)}


class _Page:
    """The page's visible words in order (scripts, styles, templates and comments left out), and
    where each element's words begin and end among them: an element's text is one run of them."""

    def __init__(self, root: Any) -> None:
        self.tokens: list[str] = []
        self.spans: dict[Any, tuple[int, int]] = {}
        starts: dict[Any, int] = {}
        walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
        for event, node in walker:
            if event == "start":
                if node.tag in _SKIPPED:
                    walker.skip_subtree()
                    continue
                starts[node] = len(self.tokens)
                self.tokens += _tokens(node.text or "")
                continue
            if event == "end" and node in starts:
                self.spans[node] = (starts.pop(node), len(self.tokens))
            if node is not root:  # what follows an element (or a comment) is its parent's text again
                self.tokens += _tokens(node.tail or "")

    def words(self, element: Any) -> _Words:
        start, end = self.spans[element]
        return _Words(self.tokens[start:end])


class _Words:
    """A run of the page's words, to ask whether a block's words are in it."""

    def __init__(self, tokens: list[str]) -> None:
        self.joined = f" {' '.join(tokens)} "
        self.shingles = _shingles(tokens)

    def holds(self, block: str) -> bool:
        tokens = _tokens(block)
        if len(tokens) < 4:  # too short for shingles: the words in a row
            return f" {' '.join(tokens)} " in self.joined
        own = _shingles(tokens)
        return len(own & self.shingles) * 2 >= len(own)


def _article_element(page: _Page, root: Any, prose: list[str]) -> Any:
    """The smallest element under `root` that holds the paragraphs of prose: nine tenths of their
    shingles, each as often as they have it (two alike paragraphs are not both in one of them)."""
    wanted: Counter[tuple[str, ...]] = Counter()
    for block in prose:
        tokens = _tokens(block)
        wanted.update(tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3))
    at: dict[tuple[str, ...], list[int]] = {}  # where on the page each of them starts
    for i in range(len(page.tokens) - 3):
        shingle = tuple(page.tokens[i:i + 4])
        if shingle in wanted:
            at.setdefault(shingle, []).append(i)
    need = HELD * sum(wanted.values())
    # A shingle the page has no more often than the prose counts once wherever it is; the others
    # (a phrase the page repeats) count at most as often as the prose has them.
    counted = [s for s, starts in at.items() if len(starts) > wanted[s]]
    pooled = sorted(i for s, starts in at.items() if len(starts) <= wanted[s] for i in starts)

    def held(start: int, end: int) -> int:
        return bisect_right(pooled, end - 4) - bisect_left(pooled, start) \
            + sum(min(wanted[s], bisect_right(at[s], end - 4) - bisect_left(at[s], start)) for s in counted)

    element = root
    while True:
        for child in element:
            span = page.spans.get(child)
            if span and span[1] - span[0] >= need and held(*span) >= need:
                element = child
                break
        else:
            return element


def _is_sentence(block: str) -> bool:
    text = _MARKUP.sub("", block.strip()).strip()
    return not block.lstrip().startswith("#") and bool(_SENTENCE_END.search(text))


def without_outside_lines(body: str, tree: Any) -> str:
    """The body without its short blocks (a heading, a label, a line ending no sentence) whose words
    the page has outside the element that holds the article's paragraphs of prose, and not in it. A
    block the page does not hold as it is (reworded by the extraction) stays; so does the body when
    it has fewer than MIN_PROSE paragraphs of prose, or when only the whole page holds them."""
    if tree is None:
        return body
    blocks = body.split("\n\n")
    prose = [b for b in blocks if len(_tokens(b)) >= PROSE_WORDS]
    if len(prose) < MIN_PROSE:
        return body
    root = next(iter(tree.xpath("//body")), tree)
    page = _Page(root)
    article = _article_element(page, root, prose)
    if article is root:
        return body
    short = [b for b in blocks if 0 < len(_tokens(b)) <= SHORT_WORDS and not _is_sentence(b)]
    if not short:
        return body
    inside, everywhere = page.words(article), page.words(root)
    dropped = {b for b in short if everywhere.holds(b) and not inside.holds(b)}
    return "\n\n".join(b for b in blocks if b not in dropped)
