"""A newsletter page -> its file: email.html (the theme's template, CSS inlined by css-inline and
kept under Gmail's clipping size), email.txt (the plain-text template) or email.eml (both in one
MIME message). Pure: the same page gives the same bytes."""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import jinja2

from digest.errors import ThemeError
from digest.model import Edition, Page, RenderedFile
from digest.theme import render_template

HTML_TEMPLATE = "email/email.html"
TEXT_TEMPLATE = "email/email.txt"
# What each of an edition's e-mail files is rendered with (the .txt shows the stories the .html fits; the .eml, both)
EMAIL_TEMPLATES = (HTML_TEMPLATE, TEXT_TEMPLATE)
# Gmail clips a message whose HTML is over 102 KB ("[Message clipped]"): stay under it with room
# for what a sending service adds (tracking-free unsubscribe footers and the like).
MAX_HTML_BYTES = 100 * 1024


def is_email(page: Page) -> bool:
    return "email_part" in page.context


def render_email(env: jinja2.Environment, page: Page, shared: Mapping[str, Any]) -> RenderedFile:
    context = {**shared, **page.context}
    part = page.context["email_part"]
    if part == "html":
        data = _made(env, context, email_html).encode("utf-8")
    elif part == "txt":
        data = _made(env, context, email_text).encode("utf-8")
    else:
        from digest.newsletter.message import build_message, message_bytes  # here: email's modules, only for an .eml

        email = page.context["email"]
        message = build_message(_made(env, context, email_html), _made(env, context, email_text),
                                subject=email["subject"], sender=email["sender"], date=email["date"],
                                unsubscribe=email["unsubscribe"], one_click=email["one_click"])
        data = message_bytes(message)
    return RenderedFile(page.output_path, data)


# The last e-mails rendered in this process: an edition's .html, .txt and .eml render each part once, not
# once a file. Found by an equal context, not the same objects: a patched plan loads each page's context
# apart (plan_patch.load_unit), so the three files hold equal copies of their `email` and `editions` (a
# dev server's headline edit at 100,000 entries rendered the week's HTML e-mail three times, each fitted
# to 100 KB in four or five renders: 0.30 of its 0.65 s under cProfile). The files' own names are not
# compared: no part reads them (the .eml holds the parts the .html and .txt files hold). Holding the
# contexts keeps their objects alive: an equal one found is really equal, never a reused id.
_RECENT: collections.deque[tuple[jinja2.Environment, Any, dict[str, Any], Any]] = collections.deque(maxlen=8)
_PER_FILE = ("page_url", "email_part")  # what differs between an e-mail's files


def _made(env: jinja2.Environment, context: Mapping[str, Any], render: Any) -> Any:
    same = {key: value for key, value in context.items() if key not in _PER_FILE}
    for known_env, known_render, known, made in _RECENT:
        if known_env is env and known_render is render and known == same:
            return made
    made = render(env, context)
    _RECENT.append((env, render, same, made))
    return made


@functools.lru_cache(maxsize=1)
def _inliner() -> Any:  # a css_inline.CSSInliner
    import css_inline  # here: most builds render no e-mail (its library took 16 ms to load)

    # What cannot be inlined (the @media rules: phone layout, dark mode) stays in the <style>, in its
    # place (keep_at_rules moves it before <meta charset>); every rule that was inlined leaves it.
    # Never a request for a stylesheet: the build does not go on the network.
    return css_inline.CSSInliner(keep_style_tags=True, remove_inlined_selectors=True,
                                 load_remote_stylesheets=False, minify_css=True)


def email_html(env: jinja2.Environment, context: Mapping[str, Any]) -> str:
    """The HTML e-mail with every story, or, when that is over MAX_HTML_BYTES, with the most stories
    (then updates) that fit, the rest counted with a link to the edition on the site."""
    html: str = _made(env, context, _html_shown)[0]
    return html


def _html_shown(env: jinja2.Environment, context: Mapping[str, Any]) -> tuple[str, int | None]:
    """email_html's e-mail, and how many stories and updates it shows (None: all)."""
    editions: Sequence[Edition] = context["editions"]
    total = sum(len(e.stories) + len(e.followups) for e in editions)
    html = _html(env, context, editions, None)
    size = len(html.encode("utf-8"))
    if size <= MAX_HTML_BYTES:
        return html, None
    best = _most_that_fit(total, size, lambda limit: _html(env, context, editions, limit))
    if best is None:
        raise ThemeError(f"the e-mail {context['page_url']} is over {MAX_HTML_BYTES // 1024} KB even with no story "
                         "shown", HTML_TEMPLATE, hint="make the e-mail template smaller")
    return best


def _most_that_fit(total: int, size: int, made: Callable[[int], str]) -> tuple[str, int] | None:
    """made(n), and n, for the largest n below `total` whose bytes fit in MAX_HTML_BYTES (made(total) has
    `size` bytes, too many), or None when none fits. An e-mail grows with the items it shows, by
    about as much for each: from the sizes with none and with all, a guess in proportion, then its
    neighbour on the far side, which closes the search when the guess was right; when it was not,
    a halving, and again. A week's e-mail at 100,000 entries shows 250 of its 1,000 stories:
    halving alone took ten renders, each with its CSS inlined (0.1 s)."""
    best = made(0)
    fits, fits_size = 0, len(best.encode("utf-8"))  # the most items known to fit, and its size
    if fits_size > MAX_HTML_BYTES:
        return None
    over, over_size = total, size  # the fewest known not to fit, and its size
    step = 0
    last, last_fit = 0, True
    while over - fits > 1:
        kind = step % 3
        if kind == 0:  # in proportion to the room left between the sizes either side
            guess = fits + (MAX_HTML_BYTES - fits_size) * (over - fits) // max(over_size - fits_size, 1)
        elif kind == 1:  # the last guess's neighbour, across the line if the guess was right
            guess = last + 1 if last_fit else last - 1
        else:
            guess = (fits + over) // 2
        guess = min(max(guess, fits + 1), over - 1)
        candidate = made(guess)
        candidate_size = len(candidate.encode("utf-8"))
        last, last_fit = guess, candidate_size <= MAX_HTML_BYTES
        if last_fit:
            fits, fits_size, best = guess, candidate_size, candidate
        else:
            over, over_size = guess, candidate_size
        step += 1
    return best, fits


def _html(env: jinja2.Environment, context: Mapping[str, Any], editions: Sequence[Edition], limit: int | None) -> str:
    html = render_template(env, HTML_TEMPLATE, {**context, "items": _items(editions, limit)})
    try:
        return str(_inliner().inline(html)).rstrip("\n") + "\n"  # as the MIME part holds it
    except ValueError as exc:  # css-inline's error for CSS it cannot parse
        raise ThemeError(f"cannot inline the e-mail's CSS: {exc}", HTML_TEMPLATE,
                         hint="check the <style> of the e-mail template") from exc


def _items(editions: Sequence[Edition], limit: int | None) -> list[dict[str, Any]]:
    """What the templates are given: each edition with its first stories and updates only, `limit` in
    all (None: every one), and how many each leaves out (`hidden`)."""
    items = []
    left = limit
    for edition in editions:
        shown, hidden = _first_items(edition, left)
        if left is not None:
            left = max(0, left - len(shown.stories) - len(shown.followups))
        items.append({"edition": shown, "hidden": hidden})
    return items


def _first_items(edition: Edition, limit: int | None) -> tuple[Edition, int]:
    """The edition with only its first `limit` stories (in section order), then updates, and how
    many were left out."""
    count = len(edition.stories) + len(edition.followups)
    if limit is None or limit >= count:
        return edition, 0
    sections, left = [], limit
    for section in edition.sections:
        if left > 0:
            sections.append(replace(section, stories=section.stories[:left]))
            left -= len(sections[-1].stories)
    return replace(edition, sections=tuple(sections), followups=edition.followups[:left]), count - limit


def email_text(env: jinja2.Environment, context: Mapping[str, Any]) -> str:
    """The plain-text alternative: the stories the HTML e-mail shows, the rest counted as there
    (a week of a busy site held thousands: its text part was 450 KB where the HTML fit in 100)."""
    shown: int | None = _made(env, context, _html_shown)[1]
    return render_template(env, TEXT_TEMPLATE, {**context, "items": _items(context["editions"], shown)})
