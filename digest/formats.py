"""How pages and feeds write dates, time zones and text measures (pure; the templates' filters)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from digest.characters import UNSPACED

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def format_date(value: date | datetime, style: str = "long") -> str:
    """English dates whatever the locale: 'Monday 15 August 2022', '15 Aug 2022', '09:30'."""
    month = _MONTHS[value.month - 1]
    if style == "long":
        return f"{_DAYS[value.weekday()]} {value.day} {month} {value.year}"
    if style == "short":
        return f"{value.day} {month[:3]} {value.year}"
    if style == "month":
        return f"{month} {value.year}"
    if style == "time" and isinstance(value, datetime):
        return f"{value.hour:02d}:{value.minute:02d}"
    if style == "datetime" and isinstance(value, datetime):
        return f"{value.day} {month[:3]} {value.year}, {value.hour:02d}:{value.minute:02d}"
    return value.isoformat()


def zone_name(moment: datetime) -> str:
    """The zone a local time is in, as readers know it: 'BST', 'CET', 'UTC'; a zone with no
    common abbreviation (the tz database writes '+08') as 'UTC+08'."""
    name = moment.tzname() or ""
    if name[:1] in ("+", "-"):
        return f"UTC{name}"
    return name or "UTC"


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def echoes(summary: str, key_points: Sequence[str]) -> bool:
    """Whether a summary only repeats the key points (word for word, punctuation aside): then
    the page shows it once."""
    said, told = _words(" ".join(key_points)), _words(summary)
    return bool(said and told) and f" {told} " in f" {said} "


# Chinese and Japanese are written without spaces between words: read by the character, about 500 a minute
# (Hangul is written in spaced words, and counted as words)
_UNSPACED = re.compile(f"[{UNSPACED}]")
_CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+")  # 。、「」！？
CHARACTERS_PER_MINUTE = 500


def reading_time(text: str, words_per_minute: int = 230) -> int:
    """Minutes to read a text: its words at `words_per_minute`, its Chinese and Japanese characters at
    CHARACTERS_PER_MINUTE."""
    if text.isascii():
        return max(1, round(word_count(text) / words_per_minute))
    characters = len(_UNSPACED.findall(text))
    words = word_count(_CJK_PUNCTUATION.sub(" ", _UNSPACED.sub(" ", text))) if characters else word_count(text)
    return max(1, round(words / words_per_minute + characters / CHARACTERS_PER_MINUTE))


# ASCII whitespace as str.split() sees it (\t-\r, \x1c-\x1f, space) -> 0, any other byte -> 1
_WORD_BYTES = bytes(0 if chr(b).isspace() else 1 for b in range(128)) + bytes(128)


def word_count(text: str) -> int:
    """len(text.split()), without making a string of every word: for ASCII text, the words are the
    runs of non-space bytes, each one starting at the start or after a space."""
    if not text.isascii():
        return len(text.split())
    marks = text.encode("ascii").translate(_WORD_BYTES)
    return marks.count(b"\x00\x01") + (marks[:1] == b"\x01")
