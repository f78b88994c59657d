"""`digest check`: everything a build checks, plus internal links, without writing anything."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from digest.config import Config
from digest.entry_file import key_line
from digest.errors import ContentWarning, DigestError, plural
from digest.links import broken_links, exists
from digest.model import Site
from digest.pipeline import BuildOptions, plan_site
from digest.render_files import install_globals, render_page
from digest.tags import near_duplicates
from digest.theme import make_environment

_LINK = re.compile(r'(?:href|src)="([^"]*)"')


def check_site(site_root: Path, options: BuildOptions | None = None,
               warnings: list[ContentWarning] | None = None) -> tuple[list[str], str]:
    """(problems, one-line summary). Config and content errors raise as in a build; likely mistakes
    that do not stop a build are added to `warnings` when given."""
    planned = plan_site(site_root, options, warnings)
    config, site, pages = planned.config, planned.site, planned.pages
    if warnings is not None:
        warnings += tag_warnings(site, config) + lead_warnings(site, config)
    env = make_environment(config)
    install_globals(env, config)
    targets = planned.output_paths()
    shown = {e.path for e in site.entries}
    published = [e for e in planned.entries if e.path in shown]  # in the order they were found
    shared = {"site": {"title": config.title, "description": config.description, "base_url": config.base_url,
                       "language": config.language, "timezone": config.timezone}}
    # Links written in the entries: named by their Markdown file and line (links.py).
    from_entries = broken_links(published, targets, config)
    problems: list[str] = [str(warning) for _, warning in from_entries]
    reported = {rel for rel, _ in from_entries}
    base = urlsplit(config.base_url)
    for page in pages:
        try:
            html = render_page(env, page, shared).data.decode("utf-8")
        except DigestError as exc:  # a template's problem, the same on each page made with it: named once
            if exc.path is not None and exc.path.is_absolute() and exc.path.is_relative_to(site_root):
                exc.path = exc.path.relative_to(site_root)  # as the build names it
            if str(exc) not in problems:
                problems.append(str(exc))
            continue
        page_url = urljoin(config.base_url, page.context["page_url"])
        for link in set(_LINK.findall(html)):
            target = urlsplit(urljoin(page_url, link.replace("&amp;", "&")))
            if (target.scheme, target.netloc) != (base.scheme, base.netloc) or not target.path.startswith(base.path):
                continue
            rel = unquote(target.path[len(base.path):])
            if rel == "" or rel.endswith("/"):
                rel += "index.html"
            if not exists(rel, targets) and rel not in reported:  # a link the theme makes
                problems.append(f"output/{page.output_path}: broken internal link {link!r}")
    summary = (f"checked {plural(len(planned.entries), 'entry', 'entries')}, {plural(len(pages), 'page')}: "
               f"{plural(len(problems), 'problem') if problems else 'no problems'}")
    return problems, summary


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
            found.append(ContentWarning(
                f"lead: true, but {story.lead.path} leads this story (the earliest of its {len(leads)} leads)",
                config.site_root / entry.path, line,
                hint=f"remove lead: true here, or from {story.lead.path}: a story has one lead"))
    return found
