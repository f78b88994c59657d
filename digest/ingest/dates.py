"""Find a stated publication date in a line of text and write it as ISO 8601.

Only what the line states: no relative dates ("3 days ago"), no guessed year, no guessed
order for ambiguous numeric dates like 03/04/2019.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

_MONTHS = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # German, French, Spanish, Portuguese, Italian, Dutch, Indonesian (full names)
    "januar": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7, "oktober": 10,
    "dezember": 12, "janvier": 1, "février": 2, "mars": 3, "avril": 4, "juin": 6,
    "juillet": 7, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "janeiro": 1, "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12, "gennaio": 1,
    "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7, "settembre": 9,
    "ottobre": 10, "dicembre": 12, "januari": 1, "februari": 2, "maart": 3, "mei": 5,
    "juli_": 7, "augustus": 8, "maret": 3, "agustus": 8, "desember": 12, "nopember": 11,
    # Scandinavian, Romanian, Turkish, Finnish (full names not listed above)
    "augusti": 8, "maj": 5, "ianuarie": 1, "februarie": 2, "martie": 3, "aprilie": 4,
    "iunie": 6, "iulie": 7, "septembrie": 9, "octombrie": 10, "noiembrie": 11, "decembrie": 12,
    "ocak": 1, "şubat": 2, "mart": 3, "nisan": 4, "mayıs": 5, "haziran": 6, "temmuz": 7,
    "ağustos": 8, "eylül": 9, "ekim": 10, "kasım": 11, "aralık": 12, "tammikuuta": 1,
    "helmikuuta": 2, "maaliskuuta": 3, "huhtikuuta": 4, "toukokuuta": 5, "kesäkuuta": 6,
    "heinäkuuta": 7, "elokuuta": 8, "syyskuuta": 9, "lokakuuta": 10, "marraskuuta": 11,
    "joulukuuta": 12,
    # Polish and Czech (genitive, as in "19 listopada 2019"), Polish nominative
    "stycznia": 1, "lutego": 2, "marca": 3, "kwietnia": 4, "maja": 5, "czerwca": 6,
    "lipca": 7, "sierpnia": 8, "września": 9, "października": 10, "listopada": 11,
    "grudnia": 12, "styczeń": 1, "luty": 2, "marzec": 3, "kwiecień": 4, "czerwiec": 6,
    "lipiec": 7, "sierpień": 8, "wrzesień": 9, "październik": 10, "listopad": 11,
    "grudzień": 12, "ledna": 1, "února": 2, "března": 3, "dubna": 4, "května": 5,
    "června": 6, "července": 7, "srpna": 8, "září": 9, "října": 10, "listopadu": 11,
    "prosince": 12,
    # Russian and Ukrainian (genitive and nominative), Greek (genitive)
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12, "январь": 1,
    "февраль": 2, "март": 3, "апрель": 4, "май": 5, "июнь": 6, "июль": 7, "август": 8,
    "сентябрь": 9, "октябрь": 10, "ноябрь": 11, "декабрь": 12, "січня": 1, "лютого": 2,
    "березня": 3, "квітня": 4, "травня": 5, "червня": 6, "липня": 7, "серпня": 8,
    "вересня": 9, "жовтня": 10, "листопада": 11, "грудня": 12, "ιανουαρίου": 1,
    "φεβρουαρίου": 2, "μαρτίου": 3, "απριλίου": 4, "μαΐου": 5, "ιουνίου": 6, "ιουλίου": 7,
    "αυγούστου": 8, "σεπτεμβρίου": 9, "οκτωβρίου": 10, "νοεμβρίου": 11, "δεκεμβρίου": 12,
    # Danish, Icelandic, Hindi (the names not listed above)
    "marts": 3, "janúar": 1, "febrúar": 2, "apríl": 4, "maí": 5, "júní": 6, "júlí": 7, "ágúst": 8,
    "október": 10, "nóvember": 11, "जनवरी": 1, "फ़रवरी": 2, "फरवरी": 2, "मार्च": 3,
    "अप्रैल": 4, "मई": 5, "जून": 6, "जुलाई": 7, "अगस्त": 8, "सितंबर": 9, "सितम्बर": 9, "अक्टूबर": 10,
    "नवंबर": 11, "नवम्बर": 11, "दिसंबर": 12, "दिसम्बर": 12,
    # Common abbreviations in other languages ("19 dez. 2019", "19 févr. 2019", "19 ноя 2019")
    "mär": 3, "okt": 10, "dez": 12, "janv": 1, "févr": 2, "avr": 4, "juil": 7, "déc": 12,
    "ene": 1, "abr": 4, "ago": 8, "dic": 12, "fev": 2, "giu": 6, "lug": 7, "ott": 10, "mrt": 3, "янв": 1, "фев": 2,
    "апр": 4, "июн": 6, "июл": 7, "авг": 8, "сен": 9, "сент": 9, "окт": 10, "ноя": 11,
    "дек": 12,
}
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|º|°)?"  # "1er janvier", "1º de mayo"
_YEAR = r"(?P<y>(?:19|20)\d{2})(?!\d(?!\d?:\d\d))"  # "20194:29" (glued year+time) still reads 2019
# A time after the date, with its zone as stated: "8:03 am ET", "08:00 GMT", "10:21 GMT+5:30",
# "(UTC+01:00)", "10:21 +0100" (a bare offset only after a space: "10:00-11:00" is a range).
_TIME = (r"(?:[,\s]+(?:at\s+|à\s+|às\s+|um\s+|в\s+|o\s+|kl\.?\s+|-+\s+)?(?P<H>[0-2]?\d)[:.h](?P<M>[0-5]\d)"
         r"(?::(?P<S>[0-5]\d))?\s*(?P<ampm>[ap]\.?m\.?)?"
         r"(?:\s*\(?(?P<tz>[A-Z]{1,4}T?|Z|GMT|UTC)(?![a-z])(?P<off>[+-]\d{1,2}(?::?\d\d)?)?"
         r"|\s*(?<=\s)(?P<bare>[+-]\d\d:?\d\d)(?!\d))?)?")


def _patterns(names: list[str]) -> list[re.Pattern[str]]:
    """The shapes of a full date, with these months' names."""
    month = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return [
        re.compile(r"(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)"
                   r"(?:[T ](?P<H>[0-2]\d):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d)(?:\.\d+)?)?"
                   r"\s?(?P<off>Z|[+-]\d\d:?\d\d)?)?(?!\d)"),
        re.compile(rf"(?<![\w])(?P<mon>{month})\.?\s+{_DAY},?\s*{_YEAR}{_TIME}", re.IGNORECASE),
        # (Urdu's and Uyghur's patterns put an Arabic comma after the month: "30 مئی، 2024")
        re.compile(rf"(?<![\w]){_DAY}\.?(?:\s+|-)(?:de\s+)?(?P<mon>{month})\.?[,،]?(?:\s+|-)(?:de\s+)?{_YEAR}"
                   rf"(?:\s*(?:г\.|р\.|года|року|roku|r\.))?{_TIME}", re.IGNORECASE),
        # (a full stop may end the sentence after it: "am 21/02/2021."; "1.2.19.3" is a version)
        re.compile(r"(?<![\d./])(?P<a>[0-3]?\d)(?P<sep>[./])(?P<b>[0-3]?\d)(?P=sep)(?P<y>(?:19|20)?\d\d)(?!\d|\.\d)"
                   + _TIME, re.IGNORECASE),
        # Year first: "2019/11/19", "2019.11.19", "2019. 11. 19." (Korean), "2019年11月19日",
        # "2019년 11월 19일", "2019. november 19." (Hungarian): the order is never in doubt.
        re.compile(r"(?<![\d./])(?P<y>(?:19|20)\d{2})(?P<sep>[./])\s?(?P<m>[01]?\d)(?P=sep)\s?(?P<d>[0-3]?\d)"
                   r"(?![\d/])\.?" + _TIME, re.IGNORECASE),
        re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[年년]\s*(?P<m>[01]?\d)\s*[月월]\s*(?P<d>[0-3]?\d)\s*[日일]?"
                   r"(?:\s*\(?\w\)?)?" + _TIME, re.IGNORECASE),
        re.compile(rf"(?<!\d)(?P<y>(?:19|20)\d{{2}})\.\s+(?P<mon>{month})\s+(?P<d>[0-3]?\d)\.(?!\d)",
                   re.IGNORECASE),
    ]


_OWN = [m for m in _MONTHS if not m.endswith("_")]
_PATTERNS = _patterns(_OWN)
# The months' names in the scripts other than Latin, from the Unicode CLDR (scripts/month_names.py): Arabic's
# "مايو" and "أيار", Hebrew's "במאי", Bengali's "মে", Thai's "พ.ค." ... Two thousand names are slow to try, so
# only on a line with a letter of such a script; where the list above names one too, its month stands.
_OTHER_MONTHS = {name: month for name, month in json.loads(
    (Path(__file__).parent / "month_names.json").read_text(encoding="utf-8"))["months"].items() if name not in _MONTHS}
_ALL_PATTERNS = _patterns(_OWN + list(_OTHER_MONTHS))
_MONTHS = _OTHER_MONTHS | _MONTHS
_OTHER_SCRIPT = re.compile(r"[^\W\d_\x00-\u024f\u1e00-\u1eff]")


def _patterns_for(line: str) -> list[re.Pattern[str]]:
    return _ALL_PATTERNS if not line.isascii() and _OTHER_SCRIPT.search(line) else _PATTERNS


# A digit of another script than the ASCII one: Arabic-Indic "٣", Persian "۳", Devanagari "३", Bengali "৩" ...
_OTHER_DIGIT = re.compile(r"[^\D0-9]")


def _ascii_digits(line: str) -> str:
    """`line` with every script's digits written as ASCII ones, character for character (so of the same length)."""
    return line if line.isascii() else _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), line)


def _native(line: str, m: re.Match[str]) -> bool:
    """Whether the date `m` found in `line` with ASCII digits is written there in another script's digits."""
    return line[m.start():m.end()] != m.group(0)


_ZONES = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MT": "America/Denver", "MST": "America/Denver", "MDT": "America/Denver",
    "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "GMT": "UTC", "UTC": "UTC", "Z": "UTC", "BST": "Europe/London", "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin", "IST": "Asia/Kolkata", "JST": "Asia/Tokyo",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
}

_RELATIVE = re.compile(r"\b(ago|yesterday|today|hours?|minutes?)\b", re.IGNORECASE)


def _offset(text: str) -> str | None:
    """ "+5:30", "+0530", "-8", "Z" -> "+05:30", "+05:30", "-08:00", "+00:00"; None if not one."""
    if text == "Z":
        return "+00:00"
    m = re.fullmatch(r"([+-])(\d{1,2})(?::?(\d\d))?", text)
    if not m or int(m.group(2)) > 14 or int(m.group(3) or 0) > 59:
        return None
    return f"{m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}"


def _with_time(day: date, m: re.Match[str]) -> str:
    groups = m.groupdict()
    if not groups.get("H"):
        return day.isoformat()
    hour, minute = int(groups["H"]), int(groups["M"])
    ampm = (groups.get("ampm") or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23:
        return day.isoformat()
    tz_name = (groups.get("tz") or "").upper()
    stated = groups.get("off") or groups.get("bare")
    offset = _offset(stated) if stated else None
    stamp = datetime(day.year, day.month, day.day, hour, minute, int(groups.get("S") or 0))
    if offset and (tz_name in {"", "GMT", "UTC", "Z"}):
        return stamp.isoformat() + offset
    if tz_name in _ZONES and not stated:
        return stamp.replace(tzinfo=ZoneInfo(_ZONES[tz_name])).isoformat()
    return day.isoformat()  # a time without a (known) zone is not a full instant: keep the day


# Words that label the date right after them: "Published: 15 Aug 2022", "date 2022-08-15".
_LABEL = re.compile(
    r"(?<![\w-])(?P<label>(?:first )?published(?: on| at)?|publication date|posted(?: on)?|"
    r"date(?:line)?|dated|datum|publiziert(?: am)?|veröffentlicht(?: am)?|erschienen(?: am)?|"
    r"publié(?: le)?|publicado(?: el| em| en)?|pubblicato(?: il)?|gepubliceerd(?: op)?|"
    r"diterbitkan|опубликовано|created(?: on)?|"
    r"(?P<updated>(?:last )?(?:updated|modified)(?: on| at)?|aktualisiert(?: am)?|"
    r"mis à jour(?: le)?|actualizado(?: el)?|atualizado(?: em)?|aggiornato(?: il)?|"
    r"bijgewerkt(?: op)?|uppfært|güncelleme|opdateret|oppdatert|uppdaterad|päivitetty|zaktualizowano|"
    r"aktualizováno|обновлено|оновлено))"
    r"\s*[:\-–—|]?\s*(?:on\s+)?"
    # a time before the date: "Updated 5:27 am CST, Wednesday, November 20, 2019"
    r"(?:[0-2]?\d[:.][0-5]\d\s*(?:[ap]\.?m\.?)?\s*(?:[a-z]{1,2}[sd]t|utc|gmt|cet|cest|bst)?,?\s+"
    r"(?=(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d|[^\W\d_]{3,9}\.?\s+\d))?"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+|(?:mon|tue|wed|thu|fri|sat|sun)\.?,?\s+(?=\d))?",
    re.IGNORECASE,
)


# What a date on the line is said to be of, other than the page: a broadcast's, an event's, a product's release, a
# deadline, a person's birth or death ("Air Date: November 19, 2019", "Release date: 22 November 2019",
# "Deadline: ...", "born 12 May 1950"). "date" after such a word is no publication's label.
_OTHER_THING = (r"air|airing|aired|broadcast|event|release|launch|premiere|due|start|starting|end|ending|expiry|"
                r"expiration|closing|opening|effective|delivery|shipping|sale|birth|death|election|game|match")
_OTHER_DATE = re.compile(rf"(?<![\w-])(?:(?:{_OTHER_THING})\s+date|date\s+of\s+(?:birth|death|the\s+event|event|"
                         r"issue|release|expiry)|deadline|born|died)(?![\w-])", re.IGNORECASE)
_QUALIFIED = re.compile(rf"(?<![\w-])(?:{_OTHER_THING})\s+$", re.IGNORECASE)


def is_month_name(word: str) -> bool:
    """Whether a word names a month ("November", "März", "janv"), in any language the dates are read in."""
    return word.casefold().strip(".") in _MONTHS


def another_things_date(line: str) -> bool:
    """Whether the line says its date is another thing's than the page's: an air date, an event's, a release's,
    a deadline, a birth ("Air Date: November 19, 2019" under a video teaser)."""
    return bool(_OTHER_DATE.search(line))


# The labels written in English, where a numeric date may be month first (US) or day first.
_ENGLISH_LABEL = re.compile(r"(first )?published|publication|posted|date|dated|created|(last )?(updated|modified)",
                            re.IGNORECASE)


def labelled_date(line: str) -> tuple[str, str] | None:
    """A date stated right after a label word: ("published" | "updated", ISO) or None.

    The label makes even a date in a line of page furniture the page's own date
    ("Advertisement date 2022-08-15 Contributors"), so only a date that starts within a
    few characters of the label counts.
    """
    found: list[tuple[str, str]] = []
    plain = _ascii_digits(line)
    for m in _LABEL.finditer(plain):
        if m.group("label").lower().startswith("date") and _QUALIFIED.search(plain[max(0, m.start() - 20):m.start()]):
            continue  # "Air Date: November 19, 2019": a broadcast's date, not the page's
        rest = plain[m.end():m.end() + 60]
        # A label in a language whose dates are always written day first ("veröffentlicht am
        # 06/01/2026", "publié le 06/01/2026") settles the order a bare 06/01/2026 leaves open.
        day_first = not _ENGLISH_LABEL.match(m.group("label"))
        for pattern in _patterns_for(line):
            stated = pattern.match(rest)
            iso = _from_match(stated, day_first, _native(line[m.end():m.end() + 60], stated)) if stated else None
            if iso:
                found.append(("updated" if m.group("updated") else "published", iso))
                break
    first = _LABEL.search(line)
    if found and first is not None and first.group("updated"):
        # "Dec. 6, 2024, 10:00 PM UTC / Updated Dec. 7, 2024": a date stated before the line's first label,
        # an update's, is the one the page was first published on.
        before = find_date(line[:first.start()])
        if before:
            return ("published", before)
    # "Updated Nov 19, 2019; Posted Nov 18, 2019": the publication date wins.
    return min(found, key=lambda f: f[0] == "updated", default=None)


def opens_with_date_label(line: str) -> bool:
    """ "Published on 06/01/2026 - 13:55", "Updated 14:20": a date line by its label and figures, even where
    the date itself cannot be read (its day and month order is not known)."""
    m = _LABEL.match(line.strip())
    return m is not None and (bool(re.match(r"\S{0,3}\d", line.strip()[m.end():])) or labelled_date(line) is not None)


def starts_with_labelled_date(line: str) -> bool:
    """ "Published November 19, 2019 at 10:21 a.m. ...": a line that opens with a dated label."""
    return bool(_LABEL.match(line.strip())) and labelled_date(line) is not None


_CLOCK = re.compile(r"\b\d{1,2}[:.h]\d\d\b|\b(?:[ap]\.?m\.?|utc|gmt|[a-z]{1,2}[sd]t|cet|cest|uhr|"
                    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:mon|diens|donners|frei|sams|sonn)tag|mittwoch)(?!\w)",
                    re.IGNORECASE)


def only_dates(line: str) -> bool:
    """A line that states dates, times and their labels and nothing else ("Dec. 6, 2024, 10:00 PM UTC / Updated
    Dec. 7, 2024, 12:43 PM UTC"): a date line however long, never a sentence."""
    if find_date(line) is None:
        return False
    rest = _ascii_digits(line)
    for pattern in _patterns_for(line):
        rest = pattern.sub(" ", rest)
    rest = _CLOCK.sub(" ", _LABEL.sub(" ", rest))
    return not re.search(r"[^\W\d_]{2,}", rest)


_SPAN_JOIN = re.compile(r"\s*[/–—-]\s*")


def states_a_span(line: str) -> bool:
    """Whether `line` joins two dates into a span by a slash or a dash ("December 25, 2023/January 1, 2024,
    Issue"): an issue's or an event's days, not the day a page was published (a published and an updated date
    have their label or other words between them)."""
    found = sorted((m.start(), m.end()) for m in _full_dates(line))
    return any(_SPAN_JOIN.fullmatch(line[end:start]) for (_, end), (start, _) in zip(found, found[1:], strict=False)
               if start >= end)


def date_start(line: str) -> int | None:
    """Where the first full date stated in `line` begins, or None."""
    return min((m.start() for m in _full_dates(line)), default=None)


def _full_dates(line: str) -> Iterator[re.Match[str]]:
    """Every full date stated in `line`, pattern by pattern (matched with its digits as ASCII ones)."""
    plain = _ascii_digits(line)
    return (m for pattern in _patterns_for(line) for m in pattern.finditer(plain)
            if _from_match(m, native=_native(line, m)))


# A numeric date a text browser ran into the next text ("30.01.202430. Januar 2024": two spans, the
# date in figures and in words, with no space between).
_GLUED_YEAR = re.compile(r"(\b\d{1,2}[./]\d{1,2}[./](?:19|20)\d\d)(?=\d)")


def find_date(line: str) -> str | None:
    """The first full date (day, month, year) stated in `line`, as ISO 8601, or None."""
    line = _GLUED_YEAR.sub(r"\1 ", line)
    plain = _ascii_digits(line)
    best: tuple[int, str] | None = None
    for pattern in _patterns_for(line):
        for m in pattern.finditer(plain):
            iso = _from_match(m, native=_native(line, m))
            if iso and (best is None or m.start() < best[0]):
                best = (m.start(), iso)
                break
    return best[1] if best else None


# The United States' zones, where a numeric date is written month first; a date stated with any other zone
# or offset ("06/01/2026 - 13:55 GMT+1", "14:16 UTC+1", "10:00 CET") comes from where it is written day first.
_MONTH_FIRST_ZONES = {"ET", "EST", "EDT", "CT", "CST", "CDT", "MT", "MST", "MDT", "PT", "PST", "PDT", "AKST",
                      "AKDT", "HST"}
_DAY_FIRST_ZONES = {"CET", "CEST", "MEZ", "MESZ", "BST", "WET", "WEST", "EET", "EEST", "IST", "SAST", "WAT", "EAT",
                    "AEST", "AEDT"}


def _zone_writes_day_first(g: dict[str, str | None]) -> bool | None:
    """Whether the time zone stated after a numeric date settles its order: True day first, False month
    first (the US), None when no zone is stated or it tells nothing (a bare "UTC" or "GMT")."""
    tz = (g.get("tz") or "").upper()
    stated = g.get("off") or g.get("bare")
    offset = _offset(stated) if stated else None
    if tz in _MONTH_FIRST_ZONES:
        return False
    if tz in _DAY_FIRST_ZONES:
        return True
    if offset and tz in {"", "GMT", "UTC"}:
        return int(offset[:3]) >= -3  # the Americas north of Brazil lie west of UTC-3
    return None


def _from_match(m: re.Match[str], day_first: bool = False, native: bool = False) -> str | None:
    """The date `m` states, or None; `native`: written in another script's digits, where the year may be of
    another calendar than the Gregorian (Thailand's Buddhist "๖๗" for 2567, Nepal's Bikram Sambat "२०८१", 56
    years ahead), so only a four-digit year and a day not yet to come are read."""
    g = m.groupdict()
    try:
        if "mon" in g and g["mon"]:
            day = date(int(g["y"]), _MONTHS[g["mon"].lower()], int(g["d"]))
        elif "a" in g and g["a"]:
            a, b = int(g["a"]), int(g["b"])
            if g["sep"] == "." or a > 12 >= b or a == b:  # dotted numeric dates are day-first everywhere
                d, mo = a, b  # they are used; 02/02/2025 reads the same either way
            elif b > 12 >= a:
                d, mo = b, a
            elif day_first:
                d, mo = a, b
            else:
                zone_day_first = _zone_writes_day_first(g)
                if zone_day_first is None:
                    return None  # 03/04/2019: the order is a guess, so no date
                d, mo = (a, b) if zone_day_first else (b, a)
            if len(g["y"]) == 2 and g["sep"] == ".":
                return None  # "3.5.19" is as likely a version number
            year = int(g["y"]) if len(g["y"]) == 4 else 2000 + int(g["y"])  # "11/20/19"
            day = date(year, mo, d)
        else:
            if g.get("sep") == "." and not (len(g["m"]) == len(g["d"]) == 2 or ". " in m.group(0)):
                return None  # "2019.1.2" is as likely a version number
            day = date(int(g["y"]), int(g["m"]), int(g["d"]))
    except (ValueError, KeyError):
        return None
    if native and (len(g["y"]) != 4 or day > date.today() + timedelta(days=1)):
        return None
    return _with_time(day, m)


def is_relative(line: str) -> bool:
    return bool(_RELATIVE.search(line)) and find_date(line) is None
