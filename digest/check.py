"""`digest check`: everything a build checks, plus internal links, without writing anything."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import jinja2

from digest.build import LivePages, entries_parsed_before
from digest.config import Config
from digest.entry_file import key_line
from digest.errors import ContentWarning, DigestError, plural, shown_path
from digest.links import broken_links, exists
from digest.model import Page, Site
from digest.pipeline import BuildOptions, plan_site
from digest.render_files import install_globals, page_tasks, render_page, site_context
from digest.tags import near_duplicates
from digest.theme import make_environment
from digest.theme_files import TemplateSources
from digest.workers import in_workers, orphaned

_LINK = re.compile(r'(?:href|src)="([^"]*)"')


def check_site(site_root: Path, options: BuildOptions | None = None,
               warnings: list[ContentWarning] | None = None) -> tuple[list[str], str]:
    """(problems, one-line summary). Config and content errors raise as in a build; likely mistakes
    that do not stop a build are added to `warnings` when given."""
    planned = plan_site(site_root, options, warnings, known=entries_parsed_before)
    config, site, pages = planned.config, planned.site, planned.pages
    if warnings is not None:
        warnings += tag_warnings(site, config) + lead_warnings(site, config)
    sources = TemplateSources(config)  # the templates hashed for the live pages are those rendered
    env = make_environment(config, sources)
    install_globals(env, config)
    targets = planned.output_paths()
    shown = {e.path for e in site.entries}
    published = [e for e in planned.entries if e.path in shown]  # in the order they were found
    shared = {"site": site_context(config)}
    # Links written in the entries: named by their Markdown file and line (links.py).
    from_entries = broken_links(published, targets, config)
    problems: list[str] = [str(warning) for _, warning in from_entries]
    reported = {rel for rel, _ in from_entries}
    base = urlsplit(config.base_url)
    live = LivePages(config, sources)
    internal: dict[tuple[str, str], str | None] = {}  # (page's folder, link) -> the output path it leads to

    def leads_to(page_url: str, link: str) -> str | None:
        """The output path an internal link leads to; None for a link elsewhere."""
        key = (_link_origin(page_url, link), link)
        if key not in internal:
            target = urlsplit(urljoin(urljoin(config.base_url, page_url), link.replace("&amp;", "&")))
            if (target.scheme, target.netloc) != (base.scheme, base.netloc) or not target.path.startswith(base.path):
                internal[key] = None
            else:
                rel = unquote(target.path[len(base.path):])
                internal[key] = rel + "index.html" if rel == "" or rel.endswith("/") else rel
        return internal[key]

    def check_links(page: Page, links: Iterable[str]) -> list[str]:
        page_url = page.context["page_url"]
        return [f"output/{page.output_path}: broken internal link {link!r}" for link in links
                if (rel := leads_to(page_url, link)) is not None and not exists(rel, targets)
                and rel not in reported]  # a link the theme makes

    # A page the live output/ holds as this plan would render it is read from there (a build rendered it);
    # the others are rendered, in worker processes when they are many
    found: dict[int, list[str]] = {}  # page -> its problems, in page order at the end
    to_render: list[int] = []
    for at, page in enumerate(pages):
        html = live.html(page)
        if html is None:
            to_render.append(at)
        else:
            found[at] = check_links(page, set(_LINK.findall(html)))
    rendering = _Rendering(env, pages, shared, site_root)
    tasks = [tuple(to_render[i] for i in task) for task in page_tasks([pages[at] for at in to_render])]
    for chunk in in_workers(_links_of, rendering, tasks, (options or BuildOptions()).jobs, RENDER_APART):
        for at, links in chunk.items():
            found[at] = [links] if isinstance(links, str) else check_links(pages[at], links)
    # A template's problem is the same on each page made with it: named once
    problems += dict.fromkeys(problem for at in sorted(found) for problem in found[at] if problem not in problems)
    summary = (f"checked {plural(len(planned.entries), 'entry', 'entries')}, {plural(len(pages), 'page')}: "
               f"{plural(len(problems), 'problem') if problems else 'no problems'}")
    return problems, summary


RENDER_APART = 200  # pages to render: with fewer, in this process


@dataclass(frozen=True)
class _Rendering:
    env: jinja2.Environment
    pages: Sequence[Page]
    shared: dict[str, Any]
    site_root: Path  # an error names its file relative to it, as the build does


def _links_of(work: _Rendering, chunk: Sequence[Sequence[int]]) -> dict[int, set[str] | str]:
    """Each page's links as rendered now, or what stopped it rendering (an error's message)."""
    found: dict[int, set[str] | str] = {}
    for at in (at for task in chunk for at in task):
        if orphaned():
            os._exit(1)
        try:
            found[at] = set(_LINK.findall(render_page(work.env, work.pages[at], work.shared).data.decode("utf-8")))
        except DigestError as exc:
            if exc.path is not None and exc.path.is_absolute() and exc.path.is_relative_to(work.site_root):
                exc.path = exc.path.relative_to(work.site_root)
            found[at] = str(exc)
    return found


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _link_origin(page_url: str, link: str) -> str:
    """What a link's target depends on besides the link (two links alike from pages of one origin
    lead to one place): nothing for an absolute URL or path; the page for an empty link or one that
    starts with '#' or '?'; for a relative path, the page's folder, or only its depth when the link
    climbs to the site's root ("../../topics/world/", as the theme writes its links): most of a
    page's links are the theme's, on every page, and resolving each again took most of a check."""
    if _SCHEME.match(link) or link.startswith("/"):
        return ""
    if not link or link[0] in "#?":
        return page_url
    folder = page_url.rpartition("/")[0]
    depth = folder.count("/") + 1 if folder else 0
    ups = 0
    while link.startswith("../", ups * 3):
        ups += 1
    return f"{depth} deep" if ups >= depth else folder


def tag_warnings(site: Site, config: Config) -> list[ContentWarning]:
    """Tags that are probably one subject ('Tax' and 'Taxes', 'Russian' and 'Russia'): each with
    the entry that uses the rarer one and the [tags] alias that would merge them."""
    tags = {tag.name: tag for tag in site.tags}
    found = []
    for pair in near_duplicates({name: len(tag.entries) for name, tag in tags.items()}):
        rare, kept = tags[pair.name], tags[pair.keep]
        entry = rare.entries[-1]  # the oldest: where the name came in
        text = (config.site_root / entry.path).read_text(encoding="utf-8", errors="replace")
        line = key_line(text, "tags")
        found.append(ContentWarning(
            f"tags {pair.name!r} ({plural(len(rare.entries), 'entry', 'entries')}) and {pair.keep!r} "
            f"({plural(len(kept.entries), 'entry', 'entries')}) look like one tag ({pair.why})",
            config.site_root / entry.path, line,
            hint=f"write {pair.keep!r} instead, or merge them in digest.toml: [tags] aliases = "
                 f"{{ {json.dumps(pair.keep, ensure_ascii=False)} = [{json.dumps(pair.name, ensure_ascii=False)}] }}"))
    return found


def lead_warnings(site: Site, config: Config) -> list[ContentWarning]:
    """A story with more than one `lead: true`: the earliest leads (stories._lead); each other one
    is named, with the line to remove."""
    found = []
    for story in site.stories:
        leads = [m for m in story.members if m.lead]
        for entry in leads:
            if entry is story.lead:
                continue
            text = (config.site_root / entry.path).read_text(encoding="utf-8", errors="replace")
            line = key_line(text, "lead")
            lead = shown_path(story.lead.path)
            found.append(ContentWarning(
                f"lead: true, but {lead} leads this story (the earliest of its {len(leads)} leads)",
                config.site_root / entry.path, line,
                hint=f"remove lead: true here, or from {lead}: a story has one lead"))
    return found
