"""Text dump -> paragraphs: unwrap lines a text browser wrapped, keep list items apart.

A dump from `w3m -dump -cols 100` wraps long paragraphs; a line ends early only where the
next word would not fit, so a line is a continuation exactly when that is the case.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_BULLET = re.compile(r"^(\s*)([•◦▪●○□☆■\-\*–]|\d{1,3}[.)])\s+(?=\S)")
_IMAGE = re.compile(r"^(\[[^\]]{0,80}\]\s*)+$")
_CELL_GAP = re.compile(r"(?<=\S) {2,}(?=\S)")  # w3m pads a table's columns with spaces


def _cells(line: str) -> tuple[str, ...]:
    """The cells of one line laid out as a table row with a number in it, else ()."""
    cells = tuple(_CELL_GAP.split(line.strip()))
    return cells if len(cells) >= 3 and any(c[:1].isdigit() for c in cells) else ()


@dataclass(frozen=True)
class Para:
    """One logical paragraph of the dump."""

    text: str  # unwrapped, whitespace collapsed, without the bullet marker
    line: int  # 1-based line of the dump where it starts
    bullet: str = ""  # "•", "1." ... for list items
    indent: int = 0
    gap_before: bool = True  # a blank line precedes it
    cells: tuple[str, ...] = ()  # a data table's row on one line: its cells (three or more)

    @property
    def is_image(self) -> bool:
        return bool(_IMAGE.match(self.text))


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _columns(ch: str) -> int:
    # A combining mark (a Hindi or Bengali vowel sign, an Arabic or Hebrew vowel point, a Thai tone mark) sits on
    # the letter before it: w3m gives it no column, so a line of such text wrapped at 99 columns has more characters.
    # w3m knows the marks of Unicode 3.2: a later one (Burmese's medial signs, U+103B-U+103E) takes a column there.
    if unicodedata.ucd_3_2_0.category(ch) in ("Mn", "Mc", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def width(text: str) -> int:
    """The columns a text browser gives the text: two for a wide (Chinese, Japanese) character, none for a
    combining mark."""
    if text.isascii():  # every ASCII character is narrow (most lines: the sum below was a fifth of reading a dump)
        return len(text)
    return sum(map(_columns, text))


def page_wrap(lines: list[str]) -> int | None:
    """The column the whole dump was wrapped at (e.g. 99 for w3m -cols 100), if any."""
    widths = [width(line.rstrip()) for line in lines if line.strip()]
    fitting = [w for w in widths if w <= 120]
    if not fitting:
        return None
    column = max(fitting)
    return column if sum(1 for w in fitting if w >= column - 5) >= 3 else None


def _block_wrap(lines: list[str], page: int | None) -> int | None:
    """The column a block of lines was wrapped at, or None when nothing shows wrapping.

    Layout tables give narrower columns than the page, so this is decided per block: the
    widest line sets the column, and it counts only when another line also reaches it.
    """
    widths = [width(line.rstrip()) for line in lines]
    column = max(widths, default=0)
    if column < 50 or column > 120:
        return None
    if page is not None and page - 20 <= column <= page:
        return page
    # A narrower column inside a wrapped page (a layout table) needs more evidence.
    if sum(1 for w in widths if w >= column - 10) >= (3 if page else 2):
        return column
    if page is None and column >= 60:
        # Short texts: one line broken mid-sentence where the next word could not fit.
        for line, nxt in zip(lines, lines[1:], strict=False):
            first = nxt.strip().split(" ", 1)[0]
            if (width(line.rstrip()) + 1 + width(first) > column
                    and not line.rstrip().endswith((".", "!", "?", ":", '"', "”"))
                    and not _BULLET.match(nxt)):
                return column
    return None


def paragraphs(text: str) -> list[Para]:
    lines = text.split("\n")
    page = page_wrap(lines)
    wraps: list[int | None] = []
    block: list[str] = []
    for raw in [*lines, ""]:
        if raw.strip():
            block.append(raw)
            continue
        wraps.extend([_block_wrap(block, page)] * len(block))
        wraps.append(None)
        block = []
    out: list[Para] = []
    current: list[str] = []
    raw_lines: list[str] = []
    start = 0
    bullet = ""
    indent = 0
    gap = True
    prev_raw = ""

    def flush() -> None:
        nonlocal current
        if current:
            joined = ""
            for piece in current:
                if not joined:
                    joined = piece
                elif joined.endswith("-") and not joined.endswith(" -"):
                    joined += piece  # a word w3m broke at its hyphen
                elif _wide(joined[-1]) and _wide(piece[0]):
                    joined += piece  # Chinese and Japanese put no spaces between words
                else:
                    joined += " " + piece
            joined = re.sub(r"\s+", " ", joined.replace("\u00a0", " ")).strip()
            if joined:
                cells = _cells(raw_lines[0]) if len(raw_lines) == 1 and not bullet else ()
                out.append(Para(joined, start + 1, bullet, indent, gap, cells))
        current = []
        raw_lines.clear()

    for number, raw in enumerate(lines):
        raw = raw.rstrip()
        if not raw.strip():
            flush()
            gap = True
            prev_raw = ""
            continue
        stripped = raw.strip()
        m = _BULLET.match(raw)
        first_word = stripped.split(" ", 1)[0]
        continues = (
            current
            and not m
            and not _IMAGE.match(stripped)
            and (wrap := wraps[number]) is not None
            and width(prev_raw) <= wrap < width(prev_raw) + 1 + width(first_word)
        )
        if continues:
            current.append(stripped)
            raw_lines.append(raw)
        else:
            had_current = bool(current)
            flush()
            if had_current:
                gap = False
            start = number
            if m:
                bullet = m.group(2)
                indent = len(m.group(1))
                current = [raw[m.end():].strip()]
            else:
                bullet = ""
                indent = len(raw) - len(raw.lstrip())
                current = [stripped]
            raw_lines.append(raw)
        prev_raw = raw
    flush()
    return out
