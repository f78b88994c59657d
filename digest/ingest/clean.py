"""Pure text hygiene for untrusted input: decoding, control characters, whitespace."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii
from charset_normalizer import from_bytes

from digest.characters import without_forbidden

# Zero-width and direction marks that only hide junk in copied text; keep ZWJ for emoji.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200e\u200f\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e"))


def looks_binary(data: bytes) -> bool:
    """An image, archive or other non-text file: NUL bytes or many control bytes up front."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text has NULs in every other byte
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > len(head) * 0.05


def decode(data: bytes) -> str:
    """Bytes -> text: BOM honoured, UTF-8 first, then cp1252, then a detected charset."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    multibyte = sum(1 for ch in lenient if "\u0080" <= ch < "\ufffd")
    if multibyte and multibyte >= bad:
        # Mostly UTF-8 with a few broken bytes: keep the text, mark the damage.
        return lenient.replace("\ufffd", "")
    try:
        # cp1252 covers Latin-1 text plus the curly quotes Windows tools write.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", errors="replace")


def sanitize(text: str) -> str:
    """Normalise line ends, drop control and zero-width characters, NFC-compose."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_INVISIBLE)
    text = without_forbidden(text)  # (it keeps a carriage return: line ends were made \n above)
    return unicodedata.normalize("NFC", text)


def one_line(text: str) -> str:
    """Collapse all whitespace (including no-break spaces) to single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII slug: 'Putin & Kim: a pact' -> 'putin-kim-a-pact'. Letters beyond accented Latin are
    transliterated as digest new does ('Straße' -> strasse, '157 миллионов' -> 157-millionov, where
    they were dropped: a Russian headline made 157.md); accents and punctuation go as before."""
    ascii_text = "".join(
        char if char.isascii() else "" if unicodedata.category(char)[0] in "MP" else anyascii(char)
        for char in unicodedata.normalize("NFKD", text))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug
