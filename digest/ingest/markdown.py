"""Paragraphs -> Markdown text, and the summary derived from a body."""

from __future__ import annotations

import re
from collections.abc import Sequence

from digest.characters import SENTENCE_STOPS, UNSPACED, cut_between_graphemes

from .blocks import Para

_MD_START = re.compile(r"^(#|>|[-+*]\s|\d+[.)]\s|=+$|-+$|```|~~~|\|)")


def escape(text: str) -> str:
    """Keep a line of plain text from being read as Markdown structure."""
    if _MD_START.match(text):
        text = "\\" + text
    return text


def _is_heading(para: Para, nxt: Para | None) -> bool:
    return (
        not para.bullet
        and len(para.text.split()) <= 12
        and not para.text.endswith((".", ",", ";", ":", "!", "?", '"', "”"))
        and nxt is not None
        and not nxt.bullet
        and len(nxt.text.split()) > 12
    )


def render_body(paras: Sequence[Para]) -> str:
    out: list[str] = []
    prev_bullet = False
    for i, para in enumerate(paras):
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        if para.bullet:
            marker = para.bullet if para.bullet[:1].isdigit() else "-"
            marker = marker.replace(")", ".")
            line = f"{'  ' if para.indent >= 4 else ''}{marker} {para.text}"
            if prev_bullet:
                out[-1] += "\n" + line
            else:
                out.append(line)
            prev_bullet = True
            continue
        prev_bullet = False
        if _is_heading(para, nxt) and i > 0:
            out.append("## " + para.text)
        else:
            out.append(escape(para.text))
    return "\n\n".join(out).strip() + ("\n" if out else "")


# Chinese and Japanese characters: text written without spaces between words, each character as wide as two
# letters (a six-word paragraph of them has no space at all)
_UNSPACED = re.compile(f"[{UNSPACED}]")
# A sentence ends at . ! ? (or another script's stop: SENTENCE_STOPS) before a space, or at a Chinese or Japanese
# full stop (no space follows one)
_SENTENCE_END = re.compile(rf"(?<=[.!?{SENTENCE_STOPS}])\s+|(?<=[。！？])\s*")


def _width(text: str) -> int:
    return len(text) + len(_UNSPACED.findall(text))


def summary_from(body: str, limit: int = 300) -> str | None:
    """The first sentence(s) of a Markdown body, up to about `limit` characters (a Chinese or Japanese
    character counting as two)."""
    for block in body.split("\n\n"):
        if block.startswith(("#", "-", "\\", ">")) or block[:1].isdigit() and ". " in block[:4]:
            continue
        text = " ".join(block.split())
        if len(text.split()) < 6 and len(_UNSPACED.findall(text)) < 12:
            continue
        sentences = [sentence for sentence in _SENTENCE_END.split(text) if sentence]
        out = ""
        for sentence in sentences:
            if out and _width(out) + _width(sentence) > limit:
                break
            out = f"{out}{'' if out.endswith(('。', '！', '？')) else ' '}{sentence}".strip()
        return cut_between_graphemes(out, limit * 2)
    return None
