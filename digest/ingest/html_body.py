"""The HTML reader's body checked against the page's structure: the article's own element.

trafilatura may take in a short line from around the article (a teaser's headline, a credit label
such as "Agencies", a standfirst set apart from the text). The article's paragraphs of prose all sit in
one element of the page; a short block that is no sentence and whose words the page has only outside
that element is furniture around the article, whatever its wording or language.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

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


def _text_of(element: Any) -> str:
    """The element's visible text: scripts, styles, templates and comments left out."""
    parts: list[str] = []
    stack: list[Any] = [element]
    while stack:  # not recursive: a hostile page may nest elements deeply
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)  # a child's tail, the parent's text again
            continue
        if isinstance(node.tag, str) and node.tag not in _SKIPPED:
            parts.append(node.text or "")
            for child in reversed(node):
                stack.append(child.tail or "")
                stack.append(child)
    return " ".join(parts)


class _Words:
    """A text's words, to ask whether a block's words are in it."""

    def __init__(self, text: str) -> None:
        tokens = _tokens(text)
        self.joined = f" {' '.join(tokens)} "
        self.shingles = _shingles(tokens)

    def holds(self, block: str) -> bool:
        tokens = _tokens(block)
        if len(tokens) < 4:  # too short for shingles: the words in a row
            return f" {' '.join(tokens)} " in self.joined
        own = _shingles(tokens)
        return len(own & self.shingles) * 2 >= len(own)


def _counted_shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _tokens(text)
    return Counter(tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3))


def _article_element(root: Any, prose: list[str]) -> Any:
    """The smallest element under `root` that holds the paragraphs of prose: nine tenths of their
    shingles, each as often as they have it (two alike paragraphs are not both in one of them)."""
    wanted = sum((_counted_shingles(b) for b in prose), Counter())
    need = HELD * sum(wanted.values())
    element = root
    while True:
        for child in element:
            if isinstance(child.tag, str) and child.tag not in _SKIPPED:
                text = _text_of(child)
                if len(text) < need:  # fewer characters than the shingles it should hold
                    continue
                held = _counted_shingles(text)
                if sum(min(n, held[s]) for s, n in wanted.items()) >= need:
                    element = child
                    break
        else:
            return element


def _is_sentence(block: str) -> bool:
    text = _MARKUP.sub("", block.strip()).strip()
    return not block.lstrip().startswith("#") and bool(_SENTENCE_END.search(text))


def without_outside_lines(body: str, tree: Any) -> str:
    """The body without its short blocks (a heading, a label, a line ending no sentence) whose words
    the page has outside the element that holds all of the article's paragraphs of prose, and not in
    it. A block the page does not hold as it is (reworded by the extraction) stays."""
    if tree is None:
        return body
    blocks = body.split("\n\n")
    prose = [b for b in blocks if len(_tokens(b)) >= PROSE_WORDS]
    if len(prose) < MIN_PROSE:
        return body
    root = next(iter(tree.xpath("//body")), tree)
    article = _article_element(root, prose)
    if article is root:
        return body
    inside, page = _Words(_text_of(article)), _Words(_text_of(root))

    def outside(block: str) -> bool:
        return 0 < len(_tokens(block)) <= SHORT_WORDS and not _is_sentence(block) \
            and page.holds(block) and not inside.holds(block)

    return "\n\n".join(b for b in blocks if not outside(b))
