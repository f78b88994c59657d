"""Reader for saved HTML pages -> Article: trafilatura for the body, page markup for facts.

Title, authors and date come from what the page declares (JSON-LD, meta tags, <h1>), in
that order of trust; trafilatura's own metadata fills in only what those leave empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import lxml.html
import trafilatura

from digest.urls import web_address

from .article import Article
from .body import BOUNDARY, JUNK, PROMO, comment_rules, headline_list, is_consent, words
from .clean import one_line
from .dates import find_date, is_month_name, labelled_date
from .markdown import summary_from

# An XHTML page's XML declaration: lxml refuses text (already decoded) that declares an encoding.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_html(html: str, url: str | None = None) -> Article:
    html = _XML_DECLARATION.sub("", html, count=1)
    tree = lxml.html.fromstring(html) if html.strip() else None
    ld = list(_json_ld(tree)) if tree is not None else []
    article_ld = next((d for d in ld if _is_article(d)), {})
    meta = _meta(tree) if tree is not None else {}
    extracted = trafilatura.bare_extraction(html, url=url, with_metadata=True,
                                            include_comments=False, include_tables=True)
    doc: dict[str, Any] = {}
    if isinstance(extracted, dict):
        doc = extracted
    elif extracted is not None:
        doc = extracted.as_dict()
    page = _page_for_extraction(tree, html) if tree is not None else html
    options: dict[str, Any] = {"url": url, "output_format": "markdown", "include_comments": False,
                               "include_tables": True, "include_formatting": True}
    body = trafilatura.extract(page, **options) or ""
    # What trails the text and trafilatura's stricter reading of the page leaves out is not the article's.
    body = _without_unconfirmed_tail(body, trafilatura.extract(page, favor_precision=True, **options) or "")
    title, title_sure = _title(tree, article_ld, meta, doc, body)
    description = meta.get("description") or meta.get("og:description")
    named = _authors(article_ld, meta)
    # trafilatura's guess at the byline, from the page's markup: after what the page declares or labels.
    guessed = _split_names(doc.get("author"))
    authors = named or guessed
    review: list[str] = [] if title_sure or not title else ["title"]
    # A byline that names the publisher, not a person ("mdr.de", "n-tv NACHRICHTEN"): not an author.
    declared_publishers = (_text(_name(article_ld.get("publisher"))), meta.get("og:site_name"), doc.get("sitename"),
                           meta.get("application-name"))
    publisher = next((p for p in declared_publishers[:3] if p), None)
    # Every name the page gives its publisher ("Axel Springer" as the JSON-LD's, "WELT" as og:site_name).
    publishers = tuple(dict.fromkeys(p for p in declared_publishers if isinstance(p, str) and p))

    def persons(names: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(person for a in names for person in _people(a, article_ld, publishers,
                                                                               doc.get("hostname"))))

    people = persons(named)
    labelled_people = persons(_labelled_authors(tree))
    guessed_people = persons(guessed)
    if not people:
        # The markup names no person: the byline the page's text labels ("Von: ...", "By ..."); else, when it
        # declares no one at all (not an organisation either), trafilatura's guess.
        people = labelled_people or (() if named else guessed_people)
        authors = authors or people
    # The page's own evidence disagreeing on who wrote it (its markup names one person, its byline another): not sure.
    disputed = any(others and not _name_words(others) & _name_words(people)
                   for others in (labelled_people, guessed_people))
    if authors and not people or any(map(_unsure_name, people)) or people and disputed:
        review.append("authors")
    published, declared = _date(article_ld, meta, doc)
    labelled = _labelled_date(tree) if not declared else None
    if labelled and (not published or labelled[:10] != published[:10]):
        # The page's text labels its date ("Datum 28.04.2023"): that, not a date trafilatura found
        # elsewhere on the page (a teaser's).
        published = labelled
    elif published and not declared and not _stated(tree, published):
        # Only trafilatura's guess, and the page's own text does not state that day: not asserted.
        published = None
        review.append("date")
    address = _address(tree, meta, doc, url)
    # The top of the text: a kicker over the headline, the headline, the standfirst, then a byline
    # or a date line under them; then furniture anywhere and what trails the article.
    # The page's headline in every wording it declares: a heading at the top saying any of them is it.
    headlines = _headlines(tree, article_ld, meta, title)
    body = _without_headline(_without_kicker(_inline_text(body), headlines), headlines)
    body = _without_kicker(_without_byline(_without_standfirst(body, description), authors), headlines)
    body = _tidy_markdown(_without_tail(_without_furniture(body)))
    return Article(
        title=title,
        body=body,
        date=published,
        authors=people,
        source=publisher,
        source_url=address,
        # General -> specific: the page's category links, then the section it declares.
        sections=tuple(dict.fromkeys(s for s in (*(doc.get("categories") or []), meta.get("article:section"),
                                                 _text(article_ld.get("articleSection"))) if s)),
        tags=tuple(dict.fromkeys(t for t in (meta.get("article:tag_list") or []) if t)),
        summary=description or summary_from(body),
        image=web_address(meta.get("og:image") or _text(_image(article_ld.get("image"))) or doc.get("image"),
                          address or _base_href(tree)),
        review=tuple(review),
    )


# A post from a social network that the article quotes, as the network's embed code marks it.
_EMBEDDED_POST = ('//blockquote[contains(@class, "twitter-tweet") or contains(@class, "instagram-media")'
                  ' or contains(@class, "tiktok-embed")]')
_WIDGET_CLASS = re.compile(r"\S*(social|embed|share)\S*", re.IGNORECASE)


# What the page hides from screen readers (icons, a video player's menus, a copy of a teaser): not
# text a reader is meant to read, as Readability.js also treats it.
_HIDDEN = '//body//*[@aria-hidden="true"]'


def _page_for_extraction(tree: Any, html: str) -> str:
    """The page as trafilatura should read it: the posts an article quotes (tweets and the like)
    kept, as trafilatura drops a wrapper whose class names it a social widget
    ("social-media-embed"), quote and all, though the quoted words are the article's; and what the
    page hides from screen readers left out."""
    if not tree.xpath(_EMBEDDED_POST) and not tree.xpath(_HIDDEN):
        return html
    page = lxml.html.fromstring(html)  # a copy: the caller's tree stays as the page has it
    changed = False
    for quote in page.xpath(_EMBEDDED_POST):
        for wrapper in quote.iterancestors():
            if wrapper.tag in ("article", "main", "body"):
                break
            classes = wrapper.get("class") or ""
            if _WIDGET_CLASS.search(classes):
                wrapper.set("class", _WIDGET_CLASS.sub("", classes).strip())
                changed = True
    for node in page.xpath(_HIDDEN):
        node.drop_tree()
        changed = True
    return lxml.html.tostring(page, encoding="unicode") if changed else html


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.casefold())
    return {tuple(tokens[i:i + 4]) for i in range(max(1, len(tokens) - 3))} if tokens else set()


def _without_unconfirmed_tail(body: str, strict: str) -> str:
    """The body without its last blocks when the strict extraction has few of their words (under half
    their shingles): the teasers, sign-ups and notices after an article that the lenient one still
    takes in. Nothing is cut when that would take half the body's words or more."""
    confirmed = _shingles(strict)
    blocks = body.split("\n\n")
    end = len(blocks)
    while end > 0:
        own = _shingles(blocks[end - 1])
        if own and len(own & confirmed) * 2 < len(own):
            end -= 1
        else:
            break
    kept = "\n\n".join(blocks[:end])
    # A long unconfirmed tail is more likely a part of the article the strict reading missed.
    return kept if end and words(kept) * 2 >= words(body) else body


def _h1_texts(tree: Any) -> list[str]:
    """The text of every <h1> of the page, on one line each."""
    return [one_line(h.text_content()) for h in tree.xpath("//h1")] if tree is not None else []


def _headlines(tree: Any, ld: dict[str, Any], meta: dict[str, Any], title: str | None) -> tuple[str, ...]:
    """The headline as the entry states it, then the page's <h1> and declared titles."""
    h1s = _h1_texts(tree)
    found = (title, *h1s, _text(ld.get("headline")), meta.get("og:title"), meta.get("twitter:title"))
    return tuple(dict.fromkeys(t for t in found if t))


def _restates(heading: str, headline: str) -> bool:
    """Whether a heading says the headline: the same words, a kicker before them ("Onlineversand aus
    Fernost: Wie gefährlich ..."), or a part of it; or most of its words are the headline's."""
    mine, theirs = _comparable(heading), _comparable(headline)
    if not mine or not theirs:
        return False
    if mine == theirs or len(min(mine, theirs, key=len)) >= 20 and (theirs in mine or mine in theirs):
        return True
    words_mine = re.findall(r"\w+", heading.casefold())
    words_theirs = set(re.findall(r"\w+", headline.casefold()))
    return len(words_mine) >= 4 and sum(w in words_theirs for w in words_mine) >= 0.75 * len(words_mine)


def _without_headline(body: str, headlines: tuple[str, ...]) -> str:
    """The body without a heading at its top that says the headline (the entry's title already
    says it)."""
    head, _, rest = body.lstrip().partition("\n")
    if head.startswith("#") and any(_restates(head.lstrip("#"), h) for h in headlines):
        return rest
    return body


def _without_kicker(body: str, headlines: tuple[str, ...]) -> str:
    """The body without a first block that is only a date ("sexta-feira, 22 de outubro de 2010 às
    20:13") or a one- or two-word label set as a heading over the text ("###### immunology") or
    over the headline ("Hitzefolgen"): the entry's date and topic say them."""
    head, _, rest = body.lstrip().partition("\n\n")
    plain = _plain(head)
    if not rest or "\n" in head.strip():
        return body
    dated = find_date(plain) is not None and len(plain.split()) <= 8 and not _SENTENCE_END.search(plain)
    over_title = _without_headline(rest, headlines) != rest  # the kicker, then the headline
    kicker = len(plain.split()) <= 2 and (head.startswith("#") and not rest.lstrip().startswith("#")
                                          or over_title and not _SENTENCE_END.search(plain))
    return rest if dated or kicker else body


def _without_byline(body: str, authors: tuple[str, ...]) -> str:
    """The body without a first block that only names its authors ("Staff Reports", "By Jane
    Doe"), or gives the date and "by" them: the entry's fields say it."""
    if not authors:
        return body
    head, _, rest = body.lstrip().partition("\n\n")
    plain = _plain(head)
    named = _comparable(re.sub(r"^(by|von|por|par|door|di)\s+", "", plain, flags=re.IGNORECASE))
    if rest and named and named in {*map(_comparable, authors), _comparable(" ".join(authors)),
                                    _comparable(" and ".join(authors))}:
        return rest
    # "5:45 AM PST 11/19/2019 by Jane Doe": the dateline and byline the entry's fields hold.
    if rest and len(plain.split()) <= 15 and find_date(plain) \
            and re.search(r"\bby\s+" + re.escape(authors[0]), plain, re.IGNORECASE):
        return rest
    return body


# trafilatura writes underline, superscript and subscript as inline HTML, which the site's
# Markdown (raw HTML off) would print as tags: the words are what counts.
_INLINE_HTML = re.compile(r"(?<!\\)</?(?:u|sup|sub)>")
# An escaped underscore inside a word ("Director\_Oh"): CommonMark never reads one there as
# emphasis, and the escape splits the word for anything reading the text.
_WORD_UNDERSCORE = re.compile(r"(?<=[^\W_])\\_(?=[^\W_])")


def _inline_text(body: str) -> str:
    return _WORD_UNDERSCORE.sub("_", _INLINE_HTML.sub("", body))


# Markdown around a block's words: heading marks, emphasis, backslash escapes.
_MARKUP = re.compile(r"^#{1,6}\s+|\*+|\\(?=[^\w\s])")
# What a tagline set in emphasis above or below an article asks of the reader, or gives.
_CALL = re.compile(r"\b(follow|subscribe|sign up|newsletters?|reached at|contact)\b|@\w", re.IGNORECASE)
# A list item, a table row or a heading: the article's own structure, whatever its words.
_STRUCTURE = re.compile(r"\s*([-+]|\d+[.)]|\||#{1,6})\s")


def _plain(block: str) -> str:
    return one_line(_MARKUP.sub("", block.strip()))


def _without_furniture(body: str) -> str:
    """The body without the page furniture trafilatura keeps as blocks of their own, the lines
    the text reader counts as junk ("Related: ...", "Follow us on ...", sign-ups, citations,
    credits, a consent notice over embedded content), and without what follows a heading that
    ends an article ("Comments", "Related stories"). List items and headings stay: a how-to's
    step may well say "Sign up for ..."."""
    kept: list[str] = []
    blocks = body.split("\n\n")
    for at, block in enumerate(blocks):
        text = _plain(block)
        if kept and len(text) < 60 and BOUNDARY.match(text):
            # A heading ("Related stories"); a paragraph that opens "Read more ..." is no heading.
            if _LINK_BOX.match(text) and _goes_on(blocks[at + 1:]):
                continue  # a box of links set among the article's paragraphs: the article goes on
            break
        if _is_gallery(block):
            while kept and kept[-1].lstrip().startswith("#") and "\n" not in kept[-1].strip():
                kept.pop()  # its heading ("Business news in pictures")
            continue
        if _is_furniture(block, text) or is_consent(text) \
                or _headline_list(block) and not (at and blocks[at - 1].rstrip().endswith(":")):
            continue
        if _is_tagline(block, text):
            continue
        kept.append(block)
    return "\n\n".join(kept)


# The boundaries that head a box of links to other stories ("Read more", "Popular", "Related"), which a
# page may set between the article's paragraphs; the others (comments, the author, tags, sources) come
# only after the article.
_LINK_BOX = re.compile(r"(related|read|more|see|you|recommended|popular|most|trending|top|latest|"
                       r"lesen|mehr|weitere|ähnliche|das könnte|auch interessant|meistgelesen|empfehlungen|à lire|lire|"
                       r"à voir|les plus|vous aimerez|noticias|lee|te puede|también|leia|veja|mais|"
                       r"notícias|leggi|articoli|più letti|lees|meest|baca|berita|читайте|похожие|"
                       r"czytaj|zobacz|we recommend|what to read|watch next|promoted|sponsored|"
                       r"around the web|from the web|(the )?editors?)\b", re.IGNORECASE)


def _goes_on(after: list[str]) -> bool:
    """Whether the article goes on after a box's heading: before the next heading that ends an
    article, a paragraph of prose of 40 words or more, or two in a row as long together, which a box
    of teasers (a headline and a line under it, or a list of links) does not have."""
    run: list[str] = []
    for block in after:
        text = _plain(block)
        if len(text) < 60 and BOUNDARY.match(text):
            return False
        if _STRUCTURE.match(block) or not _SENTENCE_END.search(text):
            run = []
            continue
        run.append(text)
        if sum(words(t) for t in run) >= 40:
            return True
    return False


# A gallery's slide as a list item: "- ## 2/50 Star Wars boosts economy ...".
_SLIDE_ITEM = re.compile(r"\s*[-+*]\s+(?:#{1,6}\s+)?(\d{1,3})\s*/\s*(\d{1,3})\s")


def _is_gallery(block: str) -> bool:
    """A picture gallery set among the article's paragraphs: a list of three or more slides numbered
    out of the same total, each with its caption (the text reader leaves it out too)."""
    slides = [m for m in map(_SLIDE_ITEM.match, block.splitlines()) if m and 0 < int(m[1]) <= int(m[2])]
    return len(slides) >= 3 and len({m[2] for m in slides}) == 1


_ITEM = re.compile(r"\s*([-+]|\d+[.)])\s")


def _headline_list(block: str) -> bool:
    """A list of other stories' headlines set among the article's paragraphs with no heading over it: two
    or more items, each of three to twenty words and none ending as a sentence or a lead-in does (as the
    text reader's body.headline_lists; one that a sentence ending in a colon introduces is the article's)."""
    lines = [line for line in block.splitlines() if line.strip()]
    items = [_plain(_ITEM.sub("", line, count=1)) for line in lines]
    return all(_ITEM.match(line) for line in lines) and headline_list(items) \
        and not any(item.endswith((":", ";")) for item in items)


def _without_tail(body: str) -> str:
    """The body without what trails the article: a heading with nothing under it, a short
    promotion ("... Click here", "Use the code ..."), the comments' house rules, a list of
    headlines that no sentence introduces (links to other stories)."""
    blocks = body.rstrip().split("\n\n")
    while len(blocks) > 1:
        last, text = blocks[-1].strip(), _plain(blocks[-1])
        lines = last.splitlines()
        if last.startswith("#") and len(lines) == 1 \
                or not _STRUCTURE.match(last) and words(text) <= 60 and PROMO.search(text) \
                or comment_rules(text) \
                or all(_ITEM.match(line) and not line.rstrip("*").endswith((".", "!", "?", ":"))
                       for line in lines) and not blocks[-2].rstrip().endswith(":") \
                and not blocks[-2].lstrip().startswith("#"):
            blocks.pop()
        else:
            break
    return "\n\n".join(blocks)


# The end of a sentence: a block written as one or more sentences is the article's own words.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


_URL = re.compile(r"https?://\S+")  # a link's many words do not make a line a paragraph


def _is_furniture(block: str, text: str) -> bool:
    """A short block the text reader would count as junk ("Related: ...", "Follow us on ...",
    "SOURCE: ...", a sign-up line), unless it is a list item, a heading or a sentence of the
    article's own that only mentions a newsletter or cookies; a sentence that asks the reader to
    subscribe or sign up is still a promotion."""
    if not text or words(_URL.sub("", text)) > 25 or not JUNK.match(text) or _STRUCTURE.match(block):
        return False
    return not (_SENTENCE_END.search(text) and words(text) >= 6) or bool(PROMO.search(text))


def _is_tagline(block: str, text: str) -> bool:
    """A paragraph all in emphasis that gives a handle or an address or asks to follow or
    subscribe: the author's or publisher's line around the article, not part of it."""
    block = block.strip()
    return block.startswith("*") and block.endswith("*") and words(text) <= 60 \
        and bool(_CALL.search(text))


def _without_standfirst(body: str, description: str | None) -> str:
    """The body without a heading at its top that repeats the page's declared description: that
    is the standfirst, which the entry's summary states."""
    head, _, rest = body.lstrip().partition("\n")
    if description and head.startswith("#") \
            and _comparable(head.lstrip("#")) == _comparable(description):
        return rest
    return body


def _comparable(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _tidy_markdown(body: str) -> str:
    body = re.sub(r"\n{3,}", "\n\n", body.replace("\r", ""))
    return body.strip() + "\n" if body.strip() else ""


def _json_ld(tree: Any) -> Iterator[dict[str, Any]]:
    for node in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(node.text_content() or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                # A WebPage declaring the article as its main entity (schema.org's mainEntity) holds it inside.
                if isinstance(item.get("mainEntity"), (dict, list)):
                    stack.append(item["mainEntity"])
                yield item


def _is_article(item: dict[str, Any]) -> bool:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and (k.endswith("Article") or k in {"BlogPosting", "Report"})
               for k in kinds)


def _meta(tree: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tags: list[str] = []
    for node in tree.xpath("//meta[@content]"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").strip().lower()
        value = one_line(node.get("content") or "")
        if not key or not value:
            continue
        if key == "article:tag":
            tags.append(value)
        out.setdefault(key, value)
    out["article:tag_list"] = tags
    return out


def _address(tree: Any, meta: dict[str, Any], doc: dict[str, Any], url: str | None) -> str | None:
    """The page's own absolute address, which relative addresses on it are resolved against: the
    one it declares (og:url, then its canonical link), resolved against its <base href>; else None.
    A relative one left as it is would point into the digest's own site."""
    base = _base_href(tree)
    # (trafilatura's address may be only the <base href>, often the site's home page: not the article's)
    found = doc.get("url") if web_address(doc.get("url")) != base else None
    for candidate in (meta.get("og:url"), _canonical(tree), url, found):
        address = web_address(candidate, base)
        if address:
            return address
    return None


def _base_href(tree: Any) -> str | None:
    if tree is None:
        return None
    return web_address(next(iter(tree.xpath("//base/@href")), None))


def _canonical(tree: Any) -> str | None:
    if tree is None:
        return None
    hrefs = tree.xpath('//link[@rel="canonical"]/@href')
    return str(hrefs[0]) if hrefs else None


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str) and value.strip():
        return one_line(value)
    return None


def _name(value: Any) -> Any:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.get("name") if isinstance(value, dict) else value


def _image(value: Any) -> Any:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.get("url") if isinstance(value, dict) else value


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _title(tree: Any, ld: dict[str, Any], meta: dict[str, Any], doc: dict[str, Any],
           body: str) -> tuple[str | None, bool]:
    """The displayed headline: the <h1> the page's declared titles agree with, else the <h1>
    that heads the article itself (social titles are often worded apart from it); and whether
    the page's titles agree on it."""
    declared = [t for t in (_text(ld.get("headline")), meta.get("og:title"),
                            meta.get("twitter:title"), doc.get("title")) if t]
    h1s = _h1_texts(tree)
    h1s = [h for h in h1s if h]
    for h1 in h1s:
        # The same words, or one says the other with more on the end: a site's name after it, or a
        # declared title cut short (at a quotation mark its markup did not escape).
        if any(_norm(h1) == _norm(d) or _norm(d).startswith(_norm(h1)) and len(h1) > 15
               or _norm(h1).startswith(_norm(d)) and len(d) > 15 for d in declared):
            return h1, True
    own = _article_h1(tree, body, h1s)
    # Sure when nothing the page declares disagrees: its titles worded apart from its headline
    # (a kicker joined on, another wording for social media) leave the choice to the curator.
    agreed = len({_norm(d) for d in declared}) <= 1
    if own:
        return own, not declared
    if declared:
        return declared[0], agreed and not h1s
    if h1s:
        return h1s[0], len(set(h1s)) == 1
    titles = tree.xpath("//title") if tree is not None else []
    return (one_line(titles[0].text_content()) if titles else None), False


def _article_h1(tree: Any, body: str, h1s: list[str]) -> str | None:
    """The <h1> (of the page's non-empty `h1s`) the extracted body opens with, or the first one in
    an <article> outside its asides: the page puts it at the head of the article, not in a menu
    or a teaser."""
    if tree is None:
        return None
    head = body.lstrip().partition("\n")[0]
    if head.startswith("# "):
        match = next((h for h in h1s if _comparable(h) == _comparable(head[2:])), None)
        if match:
            return match
    inside = tree.xpath("//article//h1[not(ancestor::aside or ancestor::nav or ancestor::footer)]")
    return next((text for text in (one_line(h.text_content()) for h in inside) if text), None)


def _date(ld: dict[str, Any], meta: dict[str, Any], doc: dict[str, Any]) -> tuple[str | None, bool]:
    """(the publication date, whether the page's markup declares it rather than trafilatura guessing)."""
    for value in (ld.get("datePublished"), meta.get("article:published_time"),
                  meta.get("og:published_time"), meta.get("datepublished"),
                  meta.get("date"), meta.get("pubdate"), meta.get("publishdate"),
                  meta.get("dc.date.issued"), ld.get("dateCreated")):
        text = _text(value)
        if text:
            iso = find_date(text)
            if iso:
                return iso, True
    guessed = _text(doc.get("date"))
    return (find_date(guessed) if guessed else None), False


# Where a page writes its date line: a small element of its own ("<li><strong>Datum</strong> 28.04.2023</li>").
_DATE_LINE_TAGS = {"p", "li", "span", "div", "time", "dd", "dt", "td", "small", "em", "strong", "b", "i", "header"}


def _labelled_date(tree: Any) -> str | None:
    """The first publication date the page's visible text states after a label ("Published",
    "Datum", "Veröffentlicht am"), in a short element of its own; None if there is none."""
    if tree is None:
        return None
    for node in tree.iter(*_DATE_LINE_TAGS):
        if len(node) > 4:
            continue
        text = node.text_content()
        if len(text) > 300 or not any(ch.isdigit() for ch in text):
            continue
        text = one_line(text)
        if len(text) > 100 or node.xpath("ancestor::script or ancestor::style or ancestor::noscript"):
            continue
        found = labelled_date(text)
        if found and found[0] == "published":
            return found[1]
    return None


def _stated(tree: Any, iso: str) -> bool:
    """Whether the page's visible text states this day (in any format find_date reads)."""
    if tree is None:
        return False
    for node in tree.iter():
        if not isinstance(node.tag, str) or node.tag in {"script", "style", "noscript", "template"}:
            continue
        for text in (node.text, node.tail):
            if text and any(ch.isdigit() for ch in text):
                found = find_date(text)
                if found and found[:10] == iso[:10]:
                    return True
    return False


_ORG_WORDS = re.compile(r"\b(news|nachrichten|redaktion|newsroom|staff|desk|agency|agentur|online|media|"
                        r"press|presse|zeitung|times|post|tv|radio|welle|rédaction|redacción|redação|"
                        r"team|editors|editorial|bureau|wires?|newswire)\b", re.I)
# A picture's credit where a byline goes ("Photo: Jane Doe", "Fotos von John Roe"): the photographer, not the writer.
_CREDIT = re.compile(r"^(photos?|fotos?|bild(er)?|images?|pictures?|illustrations?|videos?|grafik|graphics?|"
                     r"photography|fotografie)\b\s*(:|by\b|von\b|de\b|par\b)", re.I)


# News agencies: a wire story's credited author (the text reader reads them from datelines too).
_AGENCY = re.compile(r"^(the )?(associated press|ap|reuters|afp|agence france-presse|pti|press trust of india|"
                     r"ians|ani|upi|dpa|sda|apa|efe|ansa|kyodo|yonhap|tass|aap|bernama|anadolu|xinhua|"
                     r"the canadian press)$", re.IGNORECASE)


def _people(name: str, ld: dict[str, Any], publishers: tuple[str, ...], host: str | None) -> list[str]:
    """The persons (or news agency) a byline names: "Jane Doe, Business Insider" -> ["Jane Doe"]; a label the
    markup keeps ("By Jane Doe" as a JSON-LD author's name) is not part of the name."""
    name = re.sub(r"^by\s+(?=\S)", "", name.strip(), flags=re.IGNORECASE)
    if _AGENCY.match(name):
        return [name]
    parts = [p.strip() for p in re.split(r"\s*\|\s*|,\s+|\s+for\s+", name) if p.strip()]
    if len(parts) > 1 and not _organisation(parts[0], ld, publishers, host) \
            and all(_organisation(p, ld, publishers, host) or _AGENCY.match(p) for p in parts[1:]):
        return [parts[0]]
    return [] if _organisation(name, ld, publishers, host) else [name]


# Scripts that write a name without spaces (Chinese, Japanese, Korean, Thai): one word can be a whole name.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _unsure_name(name: str) -> bool:
    """A byline that may be no one's name, to be confirmed: one word ("Josh", a handle, a section), or a name run
    into its date ("Carrie Arnold November", from "By Carrie Arnold November 15, 2019") or holding a digit. A news
    agency's name is a credit of its own."""
    if _AGENCY.match(name.strip()):
        return False
    tokens = name.split()
    return any(ch.isdigit() for ch in name) or len(tokens) == 1 and not _UNSPACED.search(name) \
        or len(tokens) >= 3 and is_month_name(tokens[-1])


def _name_words(names: Iterable[str]) -> set[str]:
    """The words of persons' names, cased alike, a label ("by") and initials aside."""
    return {w for n in names for w in re.findall(r"[^\W\d_]+", n.casefold()) if len(w) > 1 and w != "by"}


def _organisation(name: str, ld: dict[str, Any], publishers: tuple[str, ...], host: str | None) -> bool:
    """A byline naming an organisation, an address or a picture's credit rather than a writer."""
    raw = ld.get("author")
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, dict) and _text(item.get("name")) == name:
            kind = item.get("@type")
            kinds: list[Any] = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and ("Organization" in k or "Organisation" in k) for k in kinds):
                return True
    if "@" in name or "www." in name.casefold() or re.search(r"\.[a-z]{2,4}\b", name.casefold()):
        return True
    for other in (*publishers, (host or "").removeprefix("www.").split(".")[0]):
        if _same_words(name, other or ""):
            return True
    return bool(_ORG_WORDS.search(name) or _CREDIT.match(name)) or (name.isupper() and " " not in name.strip())


def _same_words(name: str, other: str) -> bool:
    """Whether one names the other in whole words, spaces aside: "Der Spiegel" and the host's "spiegel",
    "Business Insider" and "businessinsider", "Atlantic" and "The Atlantic"; not "Andrew" and the host's "ew"
    (ew.com), nor "Simon" and "si" (si.com). A name of four letters or more inside the other, written together,
    names it too: "Insider" and the host's "businessinsider" (a host's label does not show its words)."""
    name_words, other_words = _tokens(name), _tokens(other)
    together, other_together = "".join(name_words), "".join(other_words)
    return len(other_together) >= 2 and (other_together in _runs(name_words) or together in _runs(other_words)
                                         or (len(together) >= 4 and together in other_together))


def _tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold())


def _runs(tokens: list[str]) -> set[str]:
    """Each run of neighbouring words, written together: ["der", "spiegel"] -> {"der", "spiegel", "derspiegel"}."""
    return {"".join(tokens[i:j]) for i in range(len(tokens)) for j in range(i + 1, len(tokens) + 1)}


# A byline's label and the names after it: "By Jane Doe and John Roe", "Von: Bill McCarthy, Jo Roe",
# "Autorin/Autor Roman Goncharenko"; a name is two or three capitalised words.
_BYLINE_LABEL = re.compile(r"^(?:by|von|autor(?:in)?(?:/autor)?|author|por|par|door)\s*:?\s+(?P<names>.+)$",
                           re.IGNORECASE)
_NAME = r"[^\W\d_][\w'’.-]*"
_PERSON = rf"(?:(?=[A-ZÀ-ÖØ-ÞĀ-ſ]){_NAME}\s+){{1,2}}(?=[A-ZÀ-ÖØ-ÞĀ-ſ]){_NAME}"
_JOINER = r"\s*(?:,|\band\b|\bund\b|\bet\b|\by\b|&)\s*"
_PERSON_ONLY = re.compile(rf"^{_PERSON}$")
_BYLINE_TAGS = ("p", "li", "span", "div", "a", "address", "dd", "small", "em", "strong", "b", "h5", "h6", "cite")


# Where a page sets what goes with its article but is not it: a box of related stories (<aside>), the menus
# (<nav>) and the footer.
_ELSEWHERE = "ancestor::aside or ancestor::nav or ancestor::footer"


def _in_teaser(node: Any, text: str) -> bool:
    """Whether the byline is part of a link that says four words or more besides: a teaser's card, another story's
    headline and its writer in one link ("Mögliche Garantie für Bankeinlagen: Rettet die Reichen Von Ines Zöttl");
    not a link to the writer's page around their byline alone."""
    return any(words(link.text_content()) >= words(text) + 4 for link in node.iterancestors("a"))


def _labelled_authors(tree: Any) -> tuple[str, ...]:
    """The names of persons the page's first labelled byline gives, in a short element of its own;
    () if none. A byline in a box of related stories, a menu, the footer or a link to another page
    names another story's writer ("Sur le même sujet ... Par Jane Doe"): not this one's."""
    if tree is None:
        return ()
    for node in tree.iter(*_BYLINE_TAGS):
        if len(node) > 4 or node.xpath(_ELSEWHERE):
            continue
        text = node.text_content()
        if len(text) > 120 or _in_teaser(node, text):
            continue
        m = _BYLINE_LABEL.match(one_line(text))
        if not m:
            continue
        # The first byline is the article's (later ones head teasers); its job titles ("Redakteur") go.
        names = re.split(r"\s*[|·•—–]\s*", m["names"].strip())[0]
        return tuple(n for n in re.split(_JOINER, names) if _PERSON_ONLY.match(n))
    return ()


def _authors(ld: dict[str, Any], meta: dict[str, Any]) -> tuple[str, ...]:
    """The authors the page declares: its JSON-LD article's, else its meta tags' (the first that names someone:
    article:author is often the address of the writer's page)."""
    raw = ld.get("author") or ld.get("creator")
    items = raw if isinstance(raw, list) else [raw] if raw else []
    names = [_text(_name(item)) for item in items]
    found = tuple(dict.fromkeys(n for n in names if n and not n.startswith("http")))
    return found or _split_names(next((v for v in (meta.get("author"), meta.get("article:author"), meta.get("byl"))
                                       if isinstance(v, str) and v and not v.startswith("http")), None))


def _split_names(value: Any) -> tuple[str, ...]:
    """A byline's names: "By Jane Doe and John Roe", "Jane Doe; John Roe", "Jane Doe | John Roe"."""
    if not isinstance(value, str) or not value or value.startswith("http"):
        return ()
    value = re.sub(r"^by\s+", "", value, flags=re.IGNORECASE)
    return tuple(dict.fromkeys(v.strip() for v in re.split(r";|\s+and\s+|\|", value) if v.strip()))
