"""Site -> the newsletter's pages: for each edition and each week, email.html, email.txt and
email.eml, planned like any other page (so fingerprints, the build cache and incremental builds
cover them). Pure: what each e-mail says is decided here; digest/newsletter/render.py renders it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta, tzinfo
from itertools import groupby
from typing import Any
from urllib.parse import urlsplit

from digest.characters import cut_between_graphemes
from digest.config import WEEKDAYS, Config
from digest.formats import format_date
from digest.model import Edition, Page, Site
from digest.urls import absolute, edition_url, email_urls, feed_urls, week_url

PREHEADER_LENGTH = 140  # what inbox lists show after the subject, at most


def plan_emails(site: Site, config: Config, days: AbstractSet[date] | None = None,
                folders: AbstractSet[str] | None = None) -> Iterator[Page]:
    """Every edition's e-mail and every week's roll-up (the week ending on [email] week_ends); or
    only those of the editions of these `days` and the weeks of these `folders` (week_url)."""
    if not config.email_files:
        return
    for edition in site.editions:
        if days is not None and edition.day not in days:
            continue
        yield from _parts(config, edition_url(edition.day), [edition], "edition", edition.day.isoformat(),
                          absolute(config.base_url, edition_url(edition.day)))
    for (year, week, _end), editions in weeks(site.editions, config.email_week_ends):
        folder = week_url(year, week)
        if folders is not None and folder not in folders:
            continue
        yield from _parts(config, folder, editions, "week", f"{year}-W{week:02d}",
                          absolute(config.base_url, email_urls(folder)["html"]))


def week_end(day: date, week_ends: str) -> date:
    """The last day of the week `day` is in, weeks ending on `week_ends` (a weekday's name)."""
    return day + timedelta(days=(WEEKDAYS.index(week_ends.lower()) - day.weekday()) % 7)


def week_folder(day: date, week_ends: str) -> str:
    """The folder of the weekly e-mail whose week holds `day` (as weeks() names it)."""
    year, week, _ = week_end(day, week_ends).isocalendar()
    return week_url(year, week)


def weeks(editions: Sequence[Edition], week_ends: str) -> Iterator[tuple[tuple[int, int, date], list[Edition]]]:
    """((ISO year, ISO week, last day), its editions newest first) for each week that has an edition,
    newest first. A week is named by the ISO week its last day falls in: one name per week, whichever
    weekday it ends on."""
    for end, group in groupby(editions, key=lambda e: week_end(e.day, week_ends)):
        year, week, _ = end.isocalendar()
        yield (year, week, end), list(group)


def _parts(config: Config, folder: str, editions: Sequence[Edition], kind: str, label: str,
           web_url: str) -> Iterator[Page]:
    email = _email(config, editions, kind, label, web_url)
    for part, rel in email_urls(folder).items():
        template = "email/email.txt" if part == "txt" else "email/email.html"
        yield Page(output_path=rel, template=template,
                   context={"page_url": rel, "email_part": part, "email": email, "editions": tuple(editions)})


def refreshed_email(config: Config, context: Mapping[str, Any]) -> dict[str, Any]:
    """An e-mail page's context made again from the editions it holds (their entries as they are
    now): its subject, headline and preheader are copied from the stories' titles when planned."""
    email = context["email"]
    return {**context, "email": _email(config, context["editions"], email["kind"], email["label"], email["web_url"])}


def _email(config: Config, editions: Sequence[Edition], kind: str, label: str, web_url: str) -> dict[str, Any]:
    """What the templates and the message headers show besides the stories."""
    stories = [s for e in editions for s in e.stories]
    # The articles of these days, as the edition page counts them: a story's later reports count in
    # their own day's edition (as followups there), not also in the edition where the story began.
    tz = config.tz
    articles = sum(1 for e in editions for s in e.stories for m in s.members
                   if m.published.astimezone(tz).date() == e.day) + sum(len(e.followups) for e in editions)
    last_day = editions[0].day
    fields = {"title": config.title, "date": format_date(last_day, "long"), "stories": len(stories),
              "headline": stories[0].lead.title if stories else (editions[0].followups[0].entry.title
                                                                   if editions[0].followups else ""),
              "week": label}
    if kind == "week":
        end = week_end(last_day, config.email_week_ends)
        heading = f"The week to {format_date(end, 'long')}"
        fields["date"] = format_date(end, "long")
        subject = config.email_weekly_subject.format_map(fields)
    else:
        heading = format_date(last_day, "long")
        subject = config.email_subject.format_map(fields)
    return {
        "kind": kind,
        "label": label,
        "heading": heading,
        "subject": one_line(subject),
        "preheader": preheader([s.lead.title for s in stories] or [f.entry.title for e in editions
                                                                    for f in e.followups]),
        "web_url": web_url,
        "home_url": config.base_url,
        "feed_url": absolute(config.base_url, feed_urls()["rss"]),
        "date": _newest(editions, tz),
        "sender": config.email_from or default_sender(config),
        "unsubscribe": config.email_list_unsubscribe,
        "one_click": config.email_one_click_unsubscribe,
        "stories": len(stories),
        "articles": articles,
    }


def default_sender(config: Config) -> str:
    """The site's title at newsletter@ the host it is published at."""
    import ipaddress  # here: most builds make no sender (with email's headers, 7 ms to import)
    from email.headerregistry import Address

    host = urlsplit(config.base_url).hostname or "localhost"
    try:  # an address's host is a name, or an IP address in brackets (RFC 5321 4.1.3)
        ip = ipaddress.ip_address(host)
        host = f"[IPv6:{ip}]" if ip.version == 6 else f"[{ip}]"
    except ValueError:
        pass
    return str(Address(display_name=one_line(config.title), username="newsletter", domain=host))


def one_line(text: str) -> str:
    return " ".join(text.split())


def preheader(headlines: Sequence[str]) -> str:
    """The headlines, one after another, cut at a word before PREHEADER_LENGTH characters."""
    text = " · ".join(one_line(h) for h in headlines)
    if len(text) <= PREHEADER_LENGTH:
        return text
    cut = cut_between_graphemes(text, PREHEADER_LENGTH - 1).rsplit(" ", 1)[0].rstrip(" ·,;:")
    return cut + "…"


def _newest(editions: Sequence[Edition], tz: tzinfo) -> datetime | None:
    """The message's date: the newest article it shows (never the time of the build). A story's later
    reports are their own day's, not of the edition where it began: its e-mail was dated days late."""
    moments = [m.published for e in editions for s in e.stories for m in s.members
               if m.published.astimezone(tz).date() == e.day]
    moments += [f.entry.published for e in editions for f in e.followups]
    return max(moments, default=None)
