"""Reader for text copied from a web page (or dumped by a text browser) -> Article.

The page's own words decide everything: the headline is the title-like line nearest the
body (repeated headlines win), the byline and date are read from the lines between the
headline and the body, and nothing is filled in that the page does not state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.urls import web_address

from . import byline, dateline, headline
from .article import Article
from .blocks import Para, paragraphs
from .body import (
    alt_over_captions,
    body_span,
    captions,
    chart_descriptions,
    echoed_lines,
    gallery_slides,
    glued_figures,
    headline_lists,
    inline_boxes,
    is_boundary,
    is_junk,
    is_placeholder,
    is_prose,
    lost_its_stop,
    picture_controls,
    reworded_captions,
    sign_up_boxes,
    signed_captions,
    video_player,
    words,
)
from .clean import one_line
from .dates import another_things_date, date_start, find_date, labelled_date, only_dates, starts_with_labelled_date
from .markdown import render_body, summary_from

_HEAD_WINDOW = 60  # paragraphs before the body searched for the headline
# "By Jane Doe", and "byJane Doe": a text browser prints "by" and the link to the writer's page with no space
# between when the page's markup has none ("[avatar]byJane Doe").
# "Author:" and its words in the languages whose dates are read: a label a byline opens with, as "By" is.
_AUTHOR_LABEL = (r"author|authors|autor|autorin|autoren|autorinnen|auteur|auteurs|autrice|autore|autori|autora|"
                 r"autores|autorka|forfatter|författare|kirjoittaja|szerző|yazar|автор|авторы|авторка|"
                 r"συντάκτης")
_BY = re.compile(
    r"(?:(?:^|(?<=[\s|·—–-])|(?<=[a-z]))(?:by|von|por|par|door|di|av|written by|posted by|words by|"
    rf"story by|reporting by)\s*:?\s+|(?:^|(?<=[\s\]]))(?-i:by(?=[{byline.CAPITALS}][{byline.SMALL}]))"
    rf"|^(?:{_AUTHOR_LABEL})\s*:\s*)"
    r"(?P<names>.+)$",
    re.IGNORECASE,
)
_NAME_WORD = rf"(?:[{byline.CAPITALS}][\w'’.-]*|de|da|van|von|der|den|del|la|le|bin|al|el|du|dos)"
_NAME = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}")
_NOT_NAMES = {"admin", "getty", "images", "image", "photo", "share",
              "home", "news", "menu", "close", "updated", "published", "posted", "and",
              "file", "last", "read", "more", "comments", "advertisement", "monday", "tuesday",
              "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "wed",
              "thu", "fri", "sat", "sun", "contributing", "writer", "follow", "view", "video",
              # the same labels in other languages (a line "Publiziert 17. Mai 2026" is no name)
              "publiziert", "veröffentlicht", "aktualisiert", "geschrieben", "autor", "autorin", "stand",
              "publié", "publicado", "actualizado", "atualizado", "pubblicato", "aggiornato",
              "subscribe", "newsletter", "abonnieren", "teilen", "kommentare", "lesezeit",
              # a page's buttons and pictures ("Download PDF", "Partager Discussion", "Logo Euronews")
              "download", "herunterladen", "pdf", "logo", "print", "drucken", "imprimer", "imprimir", "stampa",
              "partager", "compartir", "condividi", "email", "e-mail", "facebook", "twitter", "whatsapp",
              "linkedin"}
_PUBLISH_WORD = re.compile(r"\b(published|posted|publiziert|veröffentlicht|publié|publicado|"
                           r"pubblicato|updated|aktualisiert|date|on)\b", re.IGNORECASE)
_UPDATED = re.compile(r"\b(updated|aktualisiert|modified|mis à jour|atualizado)\b", re.IGNORECASE)
_GLUED_MENU = re.compile(r"[a-z][A-Z][a-z]+[A-Z]")  # "ContributorsPublishersAdvertisers"
_CREDIT = re.compile(r"(getty|images?|photo|credit|reuters|afp|ap photo|shutterstock|©|\|)",
                     re.IGNORECASE)
_BREADCRUMB = re.compile(r"\s(?:>|›|»|/|\\)\s")
_HASHTAGS = re.compile(r"^#\w.*#\w")
_IMAGE_URL = re.compile(r"^https?://\S+(?:\.(?:jpe?g|png|gif|webp|avif)\S*|image\S*)$", re.I)
_KEY_POINTS = re.compile(r"^(key points|key takeaways|highlights|in brief|summary|"
                         r"the big picture|at a glance)\s*:?$", re.IGNORECASE)


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


@dataclass(frozen=True)
class Head:
    """Where the article sits in the dump: its body, headline and the lines around them."""

    paras: list[Para]
    start: int  # the body's first paragraph
    end: int  # and the one after its last
    title_at: int | None
    title_sure: bool  # the headline is asserted
    head: list[Para]  # from the headline to a little into the body
    above: list[Para]  # the few lines above the headline
    title_placed: bool = True  # the model is sure of where the headline is (if not of its wording)
    opening: int | None = None  # where the body's text starts, when above `start` (an unsure headline inside it)
    named: str | None = None  # the headline as the page's breadcrumb names it (headline.breadcrumb_headline): sure


def read_head(text: str) -> Head:
    paras = paragraphs(text)
    start, end = body_span(paras)
    crumb = headline.breadcrumb_headline(paras, start, headline_cue)
    title_at = _find_title(paras, start)
    pick = headline.choose(paras, start, title_at, headline_cue)
    title_sure = title_placed = True
    if pick is not None:
        title_at = pick.index
        clean = _clean_copy(paras, pick)
        title_placed = pick.confidence >= headline.threshold(pick.kind) and pick.shaped \
            and not headline.around_a_picture_control(paras, pick.index) or clean
        title_sure = title_placed and (pick.set_apart or clean) \
            and not headline.said_with_and_without_kicker(paras, pick.index)
    opening = start
    if title_at is not None and start <= title_at < end - 1:
        start = title_at + 1  # what precedes the headline is not the article ...
        if title_sure or not _prose_above(paras, opening, title_at):
            opening = start  # ... unless a headline not asserted sits under its opening: a subheading
    title = paras[title_at].text if title_at is not None else None
    first_copy = _first_copy(paras, title_at, start)
    anchor = first_copy if first_copy is not None else max(0, start - 8)
    # The head: from the headline to a little into the body (bylines often sit under a
    # lead image whose caption reads like prose).
    head = [p for i, p in enumerate(paras[anchor + 1:min(start + 6, end)], anchor + 1)
            if not (title and _norm(p.text) == _norm(title)) and not _named_picture(paras, i)]
    head = [p for i, p in enumerate(head) if i < 4 or p.line < paras[start].line or not is_prose(p)]
    above = paras[max(0, anchor - 3):anchor]
    named = paras[crumb].text if crumb is not None else None
    return Head(paras, start, end, title_at, title_sure, head, above, title_placed, opening, named)


def _prose_above(paras: list[Para], start: int, title_at: int) -> bool:
    """Whether the run scored as the body holds forty words of prose or more above the line chosen as its
    headline: an article's opening, which an unsure headline inside it (a subheading) does not cut off."""
    return sum(words(p.text) for p in paras[start:title_at] if is_prose(p) and not p.bullet) >= 40


def _clean_copy(paras: list[Para], pick: headline.Headline) -> bool:
    """An article copied on its own: the text opens with the chosen headline and its byline or date
    follows (the models learnt from whole pages, where nothing is that plain)."""
    return pick.index == 0 and pick.probability >= 0.5 and any(headline_cue(p) for p in paras[1:3])


# The page's address on the text's first line, alone or labelled, as a curator pastes it above what
# they copied: "https://example.org/news/1", "Source: https://...", "<https://...>".
_STATED_ADDRESS = re.compile(r"(?:(?:source|url|link|from|via)\s*:\s*)?<?(https?://\S+?)>?", re.IGNORECASE)


def stated_address(text: str) -> tuple[str | None, str]:
    """(the web address the text's first line states, the text after it); (None, text) when that
    line is anything else."""
    first, _, rest = text.lstrip().partition("\n")
    found = _STATED_ADDRESS.fullmatch(first.strip())
    address = web_address(found.group(1)) if found else None
    return (address, rest) if address else (None, text)


# What else the text browser set among the article's paragraphs, each found in the article's window
_INSERTS = (inline_boxes, echoed_lines, gallery_slides, video_player, glued_figures, signed_captions, headline_lists,
            reworded_captions, picture_controls, alt_over_captions, sign_up_boxes, chart_descriptions)


def read_text(text: str) -> Article:
    source_url, text = stated_address(text)
    layout = read_head(text)
    paras, start, end, title_at = layout.paras, layout.start, layout.end, layout.title_at
    head, above = layout.head, layout.above
    title = paras[title_at].text if title_at is not None else None
    # The words the page's breadcrumb names the article with are its headline, whichever line the model placed
    # it on (the displayed wording may differ: a kicker run in or left off); the layout stays the model's.
    headline_text = layout.named or title
    sure = layout.title_sure or layout.named is not None
    # A headline in a script the model never learnt from is written for the curator to confirm
    review = [] if sure and (headline_text is None or headline.in_trained_script(headline_text)) else ["title"]

    authors, source = _byline(head, above)
    # The rules' picks are one feature among many for the models; a wrong value is worse than
    # none, so below a model's threshold the field is left out and the curator is asked.
    cands = author_candidates(paras, layout)
    named = byline.choose(paras, cands, title_at, start, authors)
    authors = byline.clean_names(named.names) if named is not None \
        and named.probability >= byline.threshold(named.kind) and named.agreed and named.person \
        and not named.contested \
        and not byline.names_the_subject(named, title) and not byline.one_word(named) else ()
    if named is not None and not authors and named.none < byline.threshold():
        review.append("authors")
    published = _date(head, above, paras[end:end + 8])
    stated = dateline.choose(paras, title_at, start, end, published, _is_byline)
    published = stated.value if stated is not None and stated.probability >= dateline.threshold(stated.kind) \
        and not stated.update_only and not stated.contested else None
    if stated is not None and not published and stated.none < dateline.threshold():
        review.append("date")
    key_points = _key_points(head, paras)
    standfirst = _standfirst(head, key_points)
    # Image captions, "Related" boxes and the other inserts inside the article are not its words.
    first = layout.opening if layout.opening is not None else start
    window = paras[first:end]
    inserts = {first + i for i in captions(paras[first:end + 2]).union(*(find(window) for find in _INSERTS))}
    body_paras = _body_paras([p for i, p in enumerate(window, first) if i not in inserts], title, authors, key_points)
    if standfirst and len(body_paras) > 1 and body_paras[0].text == one_line(standfirst) \
            and _set_apart(paras, body_paras[0]):
        body_paras = body_paras[1:]  # the standfirst over the byline: the summary, not the body
    body = render_body(body_paras)
    return Article(
        title=headline_text,
        body=body,
        date=published,
        authors=authors,
        source=source,
        sections=_sections(paras, title_at),
        tags=_tags(paras[end:] + paras[start:end]),
        summary=standfirst or (" ".join(key_points) if key_points else summary_from(body)),
        key_points=key_points,
        image=next((p.text for p in head if _IMAGE_URL.match(p.text)), None),
        source_url=source_url,
        review=tuple(review),
    )


def _named_picture(paras: list[Para], i: int) -> bool:
    """A short undated line between a picture and prose: the caption naming who is in it."""
    return 0 < i < len(paras) - 1 and paras[i - 1].is_image and is_prose(paras[i + 1]) \
        and words(paras[i].text) <= 6 and find_date(paras[i].text) is None


def _first_copy(paras: list[Para], title_at: int | None, start: int) -> int | None:
    """The first of the headline's repeats in the run of lines just above the body."""
    if title_at is None:
        return None
    key = _norm(paras[title_at].text)
    first = title_at
    caption = captions(paras[max(0, title_at - 40):title_at + 1])
    for i in range(title_at - 1, max(-1, title_at - 40), -1):
        para = paras[i]
        if _norm(para.text) == key and not para.bullet:
            first = i
        elif is_prose(para) and i - max(0, title_at - 40) not in caption:
            break  # text of some other part of the page; an image caption does not count
    return first


def _title_like(para: Para) -> bool:
    n = words(para.text)
    return (
        2 <= n <= 40
        and 10 <= len(para.text) <= 250
        and not is_junk(para)
        and not is_boundary(para)
        and not _BY.match(para.text)
        and find_date(para.text) is None
        and not para.text.endswith((".", ",", ":"))
        or (para.text.endswith((".", "?", "!")) and n <= 20 and not is_junk(para)
            and find_date(para.text) is None)
    )


def _deck(para: Para, headline: Para) -> bool:
    """Whether `para`, right under `headline`, reads as its deck: another headline-like line, not
    prose, not a byline (even one glued to a picture's name: "Jane DoeBy Jane Doe"), not a list item,
    not the headline again."""
    return (_title_like(para) and not para.bullet and not is_prose(para) and not _BY.search(para.text)
            and _norm(para.text) != _norm(headline.text) and words(para.text) >= 4)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w{4,}", text.casefold())}


_NOT_TITLE = re.compile(r"^(share this( with\b.*)?|image \d+ of.*|you are here\b.*|.*\bnewsletter\b.*|"
                        r"skip to .*|click here\b.*|read later|save for later)$", re.IGNORECASE)


def _find_title(paras: list[Para], start: int) -> int | None:
    """The headline: a title-like line before the body that the body is about.

    Signals, all general: its words recur in the body's opening, it is repeated on the page
    (breadcrumb, share text, "most read" lists), a byline or date follows it, a page
    section starts with it, and it is near the body. Names and brands (a few capitalised
    words) and pull quotes count against.
    """
    keys = [_norm(p.text) for p in paras]
    opening = _content_words(" ".join(p.text for p in paras[start:start + 12]))
    byline_names = {_norm(n) for p in paras[max(0, start - _HEAD_WINDOW):start + 3]
                    if (m := _BY.match(p.text)) for n in _names(m.group("names"))}
    byline_names |= {keys[i + 1] for i in range(max(0, start - _HEAD_WINDOW), start)
                     if paras[i].text.strip().lower() in {"by", "von", "por", "par"}}
    candidates: list[tuple[float, int]] = []
    lo = max(0, start - _HEAD_WINDOW)
    for i in range(lo, min(len(paras), start + 4)):
        para = paras[i]
        if not _title_like(para) or para.bullet and not para.bullet[:1].isdigit():
            continue
        if i > start and is_prose(para) and not (i + 1 < len(paras) and _long_byline(paras[i + 1])):
            continue  # a sentence in the body, unless its byline follows it: a headline worded as one
        key = keys[i]
        if _NOT_TITLE.match(para.text) or _GLUED_MENU.search(para.text) or key in byline_names \
                or len(_BREADCRUMB.findall(para.text)) >= 2:
            continue
        distance = start - i
        repeated = sum(1 for j, other in enumerate(keys) if j != i and key and key in other)
        own = _content_words(para.text)
        overlap = len(own & opening) / len(own) if own else 0.0
        value = 4.0 * overlap * min(len(own), 4) / 4 + 1.5 * min(repeated, 1) - 0.04 * abs(distance)
        after = paras[i + 1:i + 6]
        if any(not is_prose(p) and (_is_byline(p) or find_date(p.text)) or _long_byline(p) for p in after):
            value += 1.5
        elif i > start:
            continue  # past the body's start only a headline with its byline will do
        if any(not is_prose(p) and (_is_byline(p) or find_date(p.text))
               for p in paras[max(0, i - 3):i]) and value > 0:
            value -= 1.0  # headlines come before their byline, not after it
        before = paras[i - 1] if i > 0 else None
        if before is None or before.bullet or is_junk(before) or keys[i - 1] == key:
            value += 0.5  # a section of the page starts with it
        if i == start:
            value -= 4.0 if is_prose(para) else 1.0
        if para.bullet:
            value -= 1.0
        if para.text.endswith((".", "!", ")")) and repeated < 1:
            value -= 1.5
        if i + 1 < len(paras) and _deck(paras[i + 1], para):
            value += 0.5  # a deck (standfirst) under it: the headline comes first
        if para.text[:1] in "\"“‘'«":
            value -= 1.5  # a pull quote
        nxt = paras[i + 1].text if i + 1 < len(paras) else ""
        if nxt.startswith(("—", "–")) and _QUOTE_SIGNATURE.search(nxt):
            value -= 2.0  # a quotation over its speaker's signature ("— Jane Doe on Sunday ...")
        if nxt and _CREDIT.search(nxt) and words(nxt) <= 8:
            value -= 2.0  # an image caption, followed by its credit
        n = words(para.text)
        value += 0.5 if 4 <= n <= 25 else -0.5
        if n <= 4 and all(w[:1].isupper() for w in para.text.split()):
            value -= 1.5  # a name or a brand
        candidates.append((value, i))
    if not candidates:
        return None
    return max(candidates)[1]


def headline_cue(para: Para) -> bool:
    """A byline or a date line, as comes right under a headline."""
    return not is_prose(para) and (_is_byline(para) or find_date(para.text) is not None) or _long_byline(para)


def _long_byline(para: Para) -> bool:
    """ "By Jane Doe, John Roe on Monday, November 18th, 2019 at 11:08 a.m.": long as a sentence."""
    m = _BY.match(para.text)
    return m is not None and words(para.text) <= 30 and bool(_names(m.group("names")))


def _is_byline(para: Para) -> bool:
    """ "By Jane Doe", or a lone "By" with the name on the next line."""
    return bool(_BY.match(para.text)) or para.text.strip().lower() in _LONE_BY


_LONE_BY = {"by", "von", "por", "par", "door", "di", "av",
            *(f"{label}{colon}" for label in _AUTHOR_LABEL.split("|") for colon in (":", " :"))}
# "Photo by", "Illustration by", "Reviewed by", "Edited by": someone other than the writer.
_NOT_WRITER = re.compile(r"(\(|photo|image|illustration|graphic|video|foto|reviewed|edited|fact-?checked|"
                         r"translated|sponsored|presented|powered)\W*$", re.IGNORECASE)


_OTHER_ROLE = re.compile(r"\((?:photo\w*|foto\w*|illustrat\w*|graphics?|grafik\w*|video\w*|bild\w*|images?|"
                         r"pictures?|design|data|daten)\)", re.IGNORECASE)


# "Kolumne von Carla Siepmann - 28.04.2024", "Ein Kommentar von Jane Doe": a byline under its kind of article's
# label ("by" after other words already is one; "von" is also a name's particle: "Otto von Bismarck").
_LABELLED_BY = re.compile(rf"(?P<label>[{byline.CAPITALS}][\w-]*(?:\s+[\w-]+)?)\s+(?:von|door)\s+"
                          rf"(?P<name>[{byline.CAPITALS}][\w'’.-]*(?:\s+{_NAME_WORD}){{1,3}})\s*(?:$|[-—–|,/]\s*)")


def _labelled_by(text: str) -> bool:
    """A line of one or two words of label, "von" and a full name, the name ending the line or a part of it
    (not "Die FDP von Parteichef Christian Lindner ist ..."); not a given name's particle, not a picture's credit."""
    m = _LABELLED_BY.match(text.strip())
    return m is not None and not byline.opens_with_given_name(m.group("label")) \
        and not byline.CREDIT.search(m.group("label"))


def _names(text: str) -> tuple[str, ...]:
    text = re.split(r"\s+(?:on|am|le|el|em|il|op|at|-|—|–|\||/)\s+|@|,\s*(?:[A-Z]{2,}\b|\w+ \w+ (?:writer|"
                    r"correspondent|editor|reporter))", text, maxsplit=1)[0]
    parts = re.split(r"\s*(?:,|\band\b|&|\bund\b|\by\b|\be\b|\bet\b)\s*", text)
    out = []
    for part in parts:
        m = _NAME.match(part.strip())
        if not m or _OTHER_ROLE.search(part):
            continue  # "Jane Doe (reporting) and John Roe (photography)": John Roe took the pictures
        name = m.group(0).strip(" .,")
        if _NOT_NAMES & set(name.casefold().split()) or find_date(name) or len(name) < 3:
            continue
        out.append(name)
    return tuple(dict.fromkeys(out))


def _names_under_by(paras: list[Para], at: int) -> tuple[str, ...]:
    """The names on the line after a lone "By"; when that line is a list item, the names of the whole
    list ("By" over "• Jane Doe,", "• John Roe &", "• …", "• Ann Poe"): each author a link of a list."""
    first = paras[at]
    if not first.bullet:
        return _names(first.text)
    found: list[str] = []
    for para in paras[at:at + 12]:
        if not para.bullet or para.indent != first.indent:
            break
        if not re.sub(r"[\W_]+", "", para.text):
            continue  # "…": the names a page folds away
        names = _names(para.text)
        if not names:
            break
        found.extend(names)
    return tuple(dict.fromkeys(found))


def author_candidates(paras: list[Para], layout: Head) -> list[byline.Candidate]:
    """Every line around the headline that names people as a byline does (see byline.py)."""
    anchor = layout.title_at if layout.title_at is not None else max(0, layout.start - 8)
    lo, hi = max(0, anchor - 3), min(layout.start + 8, layout.end, len(paras))
    # A "Related" box between the article's first paragraphs: its teasers' bylines are not this one's.
    boxed = {layout.start + i for i in inline_boxes(paras[layout.start:hi])}
    out = []
    for i in range(lo, hi):
        para = paras[i]
        text = para.text
        if i == layout.title_at or para.is_image or _named_picture(paras, i) or i in boxed:
            continue  # a name under a picture is its caption
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        if text.strip().lower() in _LONE_BY and nxt is not None:
            names = _names_under_by(paras, i + 1)
            if names:
                out.append(byline.Candidate(i, names, "lone_by"))
            continue
        if _GLUED_MENU.search(text) and not re.search(r"[a-z]By ", text):
            continue
        by_start = text.lower().startswith(("by ", "posted by", "written by"))
        m = _BY.search(text)
        if m and not (is_prose(para) and not by_start) \
                and not _NOT_WRITER.search(text[:m.start()]) \
                and (m.start() == 0 or m.group(0)[:2].lower() == "by" or _labelled_by(text)):
            names = _names(m.group("names"))
            if names:
                out.append(byline.Candidate(i, names, "by"))
                continue
        wire = _WIRE_DATELINE.match(text.strip())
        if wire and not para.bullet:
            out.append(byline.Candidate(i, (wire.group("agency"),), "wire"))
            continue
        if layout.title_placed and layout.title_at is not None and i < layout.title_at:
            continue  # a name alone above a sure headline is a menu's or a box's label ("Zum Aboshop")
        # Junk, unless it is a name with its handle ("Jane Doe @janedoe" reads as a share line; a text
        # browser may glue the two links: "Jane Doe@janedoe").
        pictured = _names_after_pictures(para)
        if pictured:
            out.append(byline.Candidate(i, pictured, "name"))
            continue
        name = None if is_junk(para) and not re.search(r"(\s|(?<=[a-z]))@\w+$", text) else _lone_name(para)
        if name and i > 0 and _CREDIT_LABEL.fullmatch(paras[i - 1].text.strip()):
            continue  # "Foto:" over "Andrew Harnik / AP": the picture's photographer
        if name:
            out.append(byline.Candidate(i, _row_of_names(para, name), "name"))
    return out


_ROW_JOIN = re.compile(r"\s*(?:[,|&·]|\s(?:and|und|et|y|e|en|og|och)\s)\s*")


def _row_of_names(para: Para, first: str) -> tuple[str, ...]:
    """Every name of a line of names alone ("Jane Doe | John Roe", "Jane Doe, John Roe and Ann Poe", a date may
    end it), or only its `first` when anything else shares the line ("Jane Doe, Berlin", "Jane Doe @janedoe")."""
    at = date_start(para.text)
    text = para.text[:at] if at else para.text
    names = [part.strip() for part in _ROW_JOIN.split(text) if part.strip()]
    if len(names) < 2 or any(not _NAME.fullmatch(name) or not 2 <= len(name.split()) <= 4
                             or _NOT_NAMES & set(name.casefold().split()) or _CREDIT.search(name) for name in names):
        return (first,)
    return tuple(dict.fromkeys(names))


_PICTURE = re.compile(r"\[[^\]\n]*\]")


def _names_after_pictures(para: Para) -> tuple[str, ...]:
    """The names on a line of writers' pictures, each name after its picture's alt text as a text browser prints
    it ("[jdoe-avatar] Jane Doe [jroe] John Roe 8 January, 17:46", the last maybe with a day or time): names alone
    but for the pictures, so a byline's as a lone name is. Nothing unless the line opens with a picture."""
    parts = _PICTURE.split(para.text)
    if len(parts) < 2 or parts[0].strip() or para.bullet:
        return ()
    names = []
    for n, part in enumerate(parts[1:], 1):
        tries = [part.strip(), re.sub(r"\s+\d.*$", "", part.strip())] if n == len(parts) - 1 else [part.strip()]
        name = next(filter(None, (_lone_name(Para(t, para.line, para.bullet, para.indent, para.gap_before))
                                  for t in tries)), None)
        if name is None:
            return ()
        names.append(name)
    return tuple(dict.fromkeys(names))


# A picture's credit label alone on its line, the photographer's name on the next ("Foto:", "Photo:").
_CREDIT_LABEL = re.compile(r"(photos?|fotos?|photographs?|bild|bildquelle|bildrechte|credits?|crédits?|"
                           r"crédito|images?|picture|quelle)\s*:", re.IGNORECASE)


def _lone_name(para: Para) -> str | None:
    """A name alone on its line, or with a handle or a date: "Jane Doe August 08, 2018"."""
    text = para.text
    if is_prose(para) or para.bullet:
        return None
    at = date_start(text)
    dated = at is not None and at > 0
    m = _NAME.match(text[:at].strip() if dated else text)
    if not m:
        return None
    rest = text[m.end():].strip()
    if rest and not (rest[0] in "@-—–|/," or _date_follows(rest)) or _clause_follows(rest):
        return None
    name = m.group(0).strip()
    n = len(name.split())
    # One word is a name only when a date shares its line (a brand or label otherwise).
    if (2 <= n <= 4 or n == 1 and dated and len(name) >= 3) \
            and not _NOT_NAMES & set(name.casefold().split()) \
            and not _CREDIT.search(name) and not name.endswith((".com", ".org")):
        return name
    return None


# A word of four letters or more in lower case: "kuriose", "exode" (not "und", "von", "de").
_LOWER_WORD = re.compile(rf"(?<![\w'’-])[{byline.SMALL}][{byline.SMALL}]{{3,}}(?![\w'’-])")


def _clause_follows(rest: str) -> bool:
    """What follows a name after a comma goes on in lower-case words, as a sentence or a caption does ("Überlegener
    Sieger, kuriose Kostüme und ...", "A Katmandou, exode sous pression"): the capitals were a phrase's, not a
    name's. A place, a publisher or a role stays ("Jane Doe, Berlin", "Robert Burns, AP National Security
    Writer", "Jane Doe, senior editor"), and so does a date ("Jane Doe, updated 3 May 2024")."""
    if not rest.startswith(",") or date_start(rest) is not None:
        return False
    return _LOWER_WORD.search(rest) is not None and not byline.is_role(rest)


def _date_follows(rest: str) -> bool:
    """What follows a name is its date ("August 08, 2018", "Monday, August 08, 2018"), not words that
    go on to a date ("Ukrainian tanks near Bakhmut, 24 April 2023" is a caption)."""
    at = date_start(rest)
    return at is not None and len(rest[:at].split()) <= 1


def _byline(head: list[Para], above: list[Para]) -> tuple[tuple[str, ...], str | None]:
    source = None
    for where in (head, above):
        for i, para in enumerate(where):
            text = para.text
            if _GLUED_MENU.search(text) and not re.search(r"[a-z]By ", text):
                continue
            if is_prose(para) and not text.lower().startswith(("by ", "posted by", "written by")):
                continue  # "made available by NASA" in a caption is no byline
            m = _BY.search(text)
            if m and _NOT_WRITER.search(text[:m.start()]):
                m = None  # a picture credit, not the article's byline
            if m and (m.start() == 0 or m.group(0)[:2].lower() == "by" or _labelled_by(text)):
                names = _names(m.group("names"))
                if not names and text.strip().lower() in {"by", "von", "por", "par"} and i + 1 < len(where):
                    names = _names_under_by(where, i + 1)
                if names:
                    after = where[i + 1] if i + 1 < len(where) else None
                    nxt = after.text if after is not None and not after.bullet and not is_junk(after) else ""
                    if 1 <= words(nxt) <= 4 and _NAME.fullmatch(nxt) and not find_date(nxt):
                        source = nxt  # "By Jane Doe" over "The Daily Paper" (not a share button)
                    return names, source
            if text.strip().lower() in {"by", "von", "por", "par"} and i + 1 < len(where):
                names = _names_under_by(where, i + 1)
                if names:
                    return names, None
    for para in head:  # "PTI, Washington,": a news agency's story, datelined (share buttons may come first)
        wire = _WIRE_DATELINE.match(para.text.strip())
        if wire and not para.bullet:
            return (wire.group("agency"),), None
    # A name alone (or with a handle / date) right under the headline.
    for para in head[:8]:
        text = para.text
        if is_prose(para) or para.bullet:
            continue
        # "Jane Doe August 08, 2018": the name is what precedes the date.
        at = date_start(text)
        dated = at is not None and at > 0
        m = _NAME.match(text[:at].strip() if dated else text)
        if not m:
            continue
        rest = text[m.end():].strip()
        if rest and not (rest[0] in "@-—–|/," or _date_follows(rest)) or _clause_follows(rest):
            continue
        name = m.group(0).strip()
        n = len(name.split())
        # One word is a name only when a date shares its line (a brand or label otherwise).
        if (2 <= n <= 4 or n == 1 and dated and len(name) >= 3) \
                and not _NOT_NAMES & set(name.casefold().split()) \
                and not _CREDIT.search(name) and not name.endswith((".com", ".org")):
            return (name,), None
    return (), None


# A wire story's credit and dateline on one line: "PTI, Washington,", "Reuters, LONDON:". Only the
# agencies (their names are not read as a person's, and alone on a line they are often a picture's
# credit); the place and the trailing comma or colon make it a dateline.
_WIRE_DATELINE = re.compile(
    rf"(?P<agency>{byline.AGENCIES}),\s+"
    r"[A-Z][\w'’.-]*(?:[ -][A-Z][\w'’.-]*){0,3}\s*[,:]$")


# The signature under a quote or an embedded post: "— Jane Doe (@jane) November 18, 2019",
# "— A. Senator on Sunday, October 13th, 2019 in a newspaper": the quote's date, not the page's.
_QUOTE_SIGNATURE = re.compile(r"^[—–]\s*[^\W\d]|\(@\w+\)")


def _date(head: list[Para], above: list[Para], tail: list[Para]) -> str | None:
    """The publication date the header states: labelled first, the head before above it.

    A date right after a label ("Published", "date", "Posted on") or on the byline ("By Jane
    Doe on November 18, 2019") counts even in a line of page furniture or a long byline; an
    unlabelled one only in a short line that is not a glued menu or a quote's signature.
    Failing those, a "Published ..." line right after the body (some pages put it there).
    """
    found: list[tuple[int, str]] = []
    for rank, where in enumerate((head, above)):
        for para in where:
            byline = bool(_BY.match(para.text)) and words(para.text) <= 30
            # "Published November 19, 2019 at 10:21 a.m. Updated ..." reads like a sentence
            dateline = starts_with_labelled_date(para.text) and words(para.text) <= 30
            if is_prose(para) and not (byline or dateline):
                continue
            labelled = labelled_date(para.text)
            if labelled:
                found.append((rank * 3 + (2 if labelled[0] == "updated" else 0), labelled[1]))
                continue
            if _GLUED_MENU.search(para.text) or _QUOTE_SIGNATURE.search(para.text) or another_things_date(para.text):
                continue
            if rank == 1 and not (_PUBLISH_WORD.search(para.text) or words(para.text) <= 8):
                continue
            for piece in re.split(r";|\s\|\s|(?=\bPosted\b)|(?=\bPublished\b)", para.text):
                iso = find_date(piece)
                if iso:
                    kind = 2 if _UPDATED.search(piece) else 0 if byline else 1
                    found.append((rank * 3 + kind, iso))
        if found:
            return min(found, key=lambda f: f[0])[1]
    stated = set()
    for para in tail:
        labelled = labelled_date(para.text)
        if labelled and labelled[0] == "published":
            stated.add(labelled[1])
        elif is_boundary(para) or not is_junk(para) and words(para.text) >= 4:
            break  # "Related", or another story's headline: its date is not this one's
    return stated.pop() if len(stated) == 1 else None


def _key_points(head: list[Para], paras: list[Para]) -> tuple[str, ...]:
    """A bullet list of sentences between the headline and the body (the page's own), read on
    past the head: a long last point reads like the body's first paragraph. Under its label ("Key
    Points") the list is read from the paragraphs, where the head may have lost its points to the body."""
    at = {para.line: i for i, para in enumerate(paras)}
    for para in head:
        if _KEY_POINTS.match(para.text) and at[para.line] + 1 < len(paras):
            para = paras[at[para.line] + 1]
        if para.bullet and words(para.text) >= 6 and para.text.endswith((".", '"', "”", "!", "?")):
            items = []
            for item in paras[at[para.line]:]:
                if not item.bullet or item.indent != para.indent:
                    break
                if not is_junk(item):  # "Visit Business Insider's homepage for more stories."
                    items.append(item.text)
            if len(items) >= 1 and all(words(t) >= 6 for t in items):
                return tuple(items)
    return ()


def _standfirst(head: list[Para], key_points: tuple[str, ...]) -> str | None:
    """The line under the headline that sums the article up (not an image caption)."""
    for i, para in enumerate(head[:3]):
        if para.bullet or para.is_image or _KEY_POINTS.match(para.text):
            continue
        n = words(para.text)
        nxt = head[i + 1].text if i + 1 < len(head) else ""
        prev_image = i > 0 and head[i - 1].is_image
        if 6 <= n <= 60 and not is_junk(para) and not _BY.match(para.text) \
                and not find_date(para.text) and not prev_image \
                and not (nxt and _CREDIT.search(nxt) and words(nxt) <= 8) \
                and not _CREDIT.search(para.text[-40:]):
            return para.text
        if n > 3:
            break
    return None


def _sections(paras: list[Para], title_at: int | None) -> tuple[str, ...]:
    """The site's section names around the headline: breadcrumbs and a label line."""
    if title_at is None:
        return ()
    out: list[str] = []
    lo = max(0, title_at - 8)
    crumbs = [p for p in paras[lo:title_at] if p.bullet[:1].isdigit() and words(p.text) <= 4]
    out.extend(p.text for p in crumbs)
    for para in paras[lo:title_at + 3]:
        if _BREADCRUMB.search(para.text) and words(para.text) <= 12:
            out.extend(s.strip() for s in re.split(r"[>›»/\\]", para.text) if s.strip())
        elif not para.bullet and 1 <= words(para.text) <= 3 and len(para.text) <= 30 \
                and not is_junk(para) and abs(paras.index(para) - title_at) <= 2:
            out.append(para.text)
        m = re.match(r"^(?:filed (?:to|under)|section|category|kategorie|rubrik)\s*:\s*(.+)$",
                     para.text, re.IGNORECASE)
        if m:
            out.append(m.group(1))
    return tuple(dict.fromkeys(s for s in out if s.casefold() not in {"home", "start", "main"}))


def _tags(paras: list[Para]) -> tuple[str, ...]:
    for para in paras:
        if _HASHTAGS.match(para.text):
            return tuple(t.strip() for t in para.text.split("#") if t.strip())
        m = re.match(r"^tags?\s*:\s*(.+,.+)$", para.text, re.IGNORECASE)
        if m:
            return tuple(t.strip() for t in m.group(1).split(",") if t.strip())
    return ()


def _set_apart(paras: list[Para], first: Para) -> bool:
    """Whether a byline, a date or a picture comes between this paragraph and the next prose."""
    at = next((i for i, p in enumerate(paras) if p.line == first.line), None)
    if at is None or at + 1 >= len(paras):
        return False
    nxt = paras[at + 1]
    return bool(_BY.match(nxt.text) or nxt.is_image or find_date(nxt.text) and not is_prose(nxt)
                or _byline([nxt], [])[0])


def _short_lede(para: Para) -> bool:
    return words(para.text) >= 6 and para.text.endswith((".", "!", "?", '"', "”")) \
        and not _BY.match(para.text) and not find_date(para.text) and not _CREDIT.search(para.text)


def _body_paras(paras: list[Para], title: str | None, authors: tuple[str, ...],
                key_points: tuple[str, ...]) -> list[Para]:
    title_key = _norm(title) if title else None
    out = []
    for para in paras:
        if para.bullet and para.text in key_points:
            continue
        if is_junk(para) or is_boundary(para) or is_placeholder(para):
            continue
        if title_key and _norm(para.text) == title_key:
            continue
        if not is_prose(para) and (_BY.match(para.text) or find_date(para.text)) or only_dates(para.text):
            continue  # a byline or a date line (one of dates alone may read as sentences: "Dec. 6, 2024, ...")
        if authors and _long_byline(para) and any(a in para.text for a in authors):
            continue  # "By Jane Doe, John Roe on Monday, November 18th, 2019 at 11:08 a.m."
        if authors and not is_prose(para) and _norm(para.text) in {_norm(a) for a in authors}:
            continue
        out.append(Para(one_line(para.text), para.line, para.bullet, para.indent, para.gap_before))
    # Trim leading and trailing lines that are not prose (labels, credits, widgets); a short
    # sentence that opens the article ("Coty is breaking out — in a good way.") stays.
    while out and not is_prose(out[0]) and not out[0].bullet and not (
            len(out) > 1 and _short_lede(out[0]) and is_prose(out[1])):
        out.pop(0)
    # (A long sentence that only lost its full stop is the article's last paragraph, as body_span counts it.)
    while out and not is_prose(out[-1]) and not out[-1].bullet and not lost_its_stop(out[-1]):
        out.pop()
    return out
