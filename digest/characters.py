"""The characters no page or feed may hold, defined once. Content and ingest remove them, the config
refuses them; two narrower sets say where a step needs less: what YAML cannot read and what XML
cannot hold."""

from __future__ import annotations

import re

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
