"""Pure text hygiene for untrusted input: decoding, control characters, whitespace."""

from __future__ import annotations

import codecs
import re
import unicodedata

from anyascii import anyascii
from charset_normalizer import from_bytes

from digest.characters import without_forbidden

# Zero-width and direction marks that only hide junk in copied text; keep ZWJ for emoji.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200e\u200f\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e"))


# What an editor drops into seeds/ that is no article's text: each named, with what to do instead.
_FILE_KINDS = (
    ((b"%PDF-",), "a PDF document", "copy the article's text from it into a .txt file and ingest that"),
    ((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*"), "a picture",
     "a picture is no article: give an entry its picture with the image: key (a web address)"),
    ((b"PK\x03\x04",), "a zip archive (or a Word or OpenDocument file)",
     "copy the article's text into a .txt file, or unzip it and ingest the files it holds"),
    ((b"\xd0\xcf\x11\xe0",), "an old Word or Office document", "copy the article's text into a .txt file"),
    ((b"\x1f\x8b",), "a compressed (gzip) file", "gunzip it and ingest the file it holds"),
)


def binary_kind(data: bytes) -> tuple[str, str]:
    """What a binary input is, by its first bytes, and a hint of what to do with it."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _FILE_KINDS[1][1], _FILE_KINDS[1][2]
    for magics, what, hint in _FILE_KINDS:
        if data.startswith(magics):
            return what, hint
    return "binary data", "ingest reads copied article text, saved pages and RSS/Atom feeds"


def utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for UTF-16 text saved without its byte-order mark (by some Windows
    tools): the NUL of each Latin letter's code falls on one side of every pair, never on the other.
    It was refused as binary data."""
    head = data[:8192]
    head = head[:len(head) - len(head) % 2]
    if len(head) < 8:
        return None
    evens, odds = head[0::2], head[1::2]
    for nuls, letters, codec in ((odds, evens, "utf-16-le"), (evens, odds, "utf-16-be")):
        if nuls.count(0) >= len(nuls) * 0.3 and letters.count(0) == 0:
            return codec
    return None


def looks_binary(data: bytes) -> bool:
    """An image, archive or other non-text file: NUL bytes or many control bytes up front."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head):
        return False  # UTF-16 text has NULs in every other byte
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > len(head) * 0.05


# A page's or feed's own statement of its charset: <meta charset>, <meta http-equiv> or <?xml encoding>.
_DECLARED = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""",
                       re.IGNORECASE)
# As browsers read them (WHATWG Encoding): a page that says Latin-1 or ASCII means Windows-1252.
_AS_BROWSERS_READ = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819"}


def _declared_charset(data: bytes) -> str | None:
    """The charset the input declares near its top, when Python knows it (never UTF-8 or UTF-16 here:
    UTF-8 is tried first anyway, and a byte stream that reads as ASCII is no UTF-16)."""
    match = _DECLARED.search(data[:16384])
    if match is None:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii", "replace").strip().lower()
    name = "cp1252" if name in _AS_BROWSERS_READ else name
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return None if codec.startswith(("utf-8", "utf-16", "utf-32")) else codec


def _mostly_other_script(text: str) -> bool:
    """Whether most letters beyond ASCII are of a script other than Latin (Cyrillic, Greek, ...)."""
    letters = [ch for ch in text if ord(ch) > 127 and ch.isalpha()]
    other = sum(1 for ch in letters if not unicodedata.name(ch, "").startswith("LATIN"))
    return bool(letters) and other > len(letters) / 2


def decode(data: bytes) -> str:
    """Bytes -> text: BOM honoured, UTF-8 first, then the charset the input declares, then cp1252 unless
    a detected charset reads it as another script (Windows-1251 Russian, KOI8-R, Windows-1253 Greek)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    without_bom = utf16_without_bom(data)
    if without_bom is not None:
        return data.decode(without_bom, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data)
    if declared is not None:
        return data.decode(declared, errors="replace")
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    multibyte = sum(1 for ch in lenient if "\u0080" <= ch < "\ufffd")
    if multibyte and multibyte >= bad:
        # Mostly UTF-8 with a few broken bytes: keep the text, mark the damage.
        return lenient.replace("\ufffd", "")
    best = from_bytes(data).best()
    detected = str(best) if best is not None else None
    if detected is not None and _mostly_other_script(detected):
        return detected
    try:
        # cp1252 covers Latin-1 text plus the curly quotes Windows tools write (a detector reads such
        # text as Central European cp1250 as often as not: "à" became "ŕ").
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return detected if detected is not None else data.decode("utf-8", errors="replace")


def sanitize(text: str) -> str:
    """Normalise line ends, drop control and zero-width characters, NFC-compose."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_INVISIBLE)
    text = without_forbidden(text)  # (it keeps a carriage return: line ends were made \n above)
    return unicodedata.normalize("NFC", text)


def one_line(text: str) -> str:
    """Collapse all whitespace (including no-break spaces) to single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _spelled(char: str, before: str) -> str:
    """One character of a headline in ASCII, for its file name: accents off a letter ('é' -> e, 'й' -> i),
    punctuation dropped; a mark that no letter takes as its accent (a Hindi or Thai vowel sign, an Arabic
    vowel) is spelled, as is a letter of another script."""
    if char.isascii():
        return char
    kind = unicodedata.category(char)[0]
    if kind == "M":
        return "" if before.isascii() else anyascii(char)
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if unicodedata.category(c)[0] != "M")
    if bare.isascii():
        return bare  # 'é' -> e, '…' -> ..., 'ﬁ' -> fi
    return "" if kind == "P" else anyascii(bare)


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII slug: 'Putin & Kim: a pact' -> 'putin-kim-a-pact'. Letters beyond accented Latin are
    transliterated as digest new does ('Straße' -> strasse, '157 миллионов' -> 157-millionov, where
    they were dropped: a Russian headline made 157.md); accents and punctuation go as before. A mark after a
    letter of another script is spelled too: in Hindi or Thai it is a vowel."""
    composed = unicodedata.normalize("NFC", text)
    ascii_text = "".join(_spelled(char, composed[i - 1] if i else " ") for i, char in enumerate(composed))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug
