"""The render stage: pages and feeds rendered into the staging tree by worker processes, with the
template environment they share (compiled templates kept on disk between builds)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import select
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2
import jinja2.bccache
from markupsafe import Markup

import digest.theme
from digest.characters import direction
from digest.config import Config
from digest.errors import BuildFailed, DigestError
from digest.feeds import FeedPlan, render_feeds
from digest.markdown_html import render_markdown
from digest.model import COVERAGE_SHOWN, Entry, Page, RenderedFile
from digest.newsletter.render import is_email, render_email
from digest.output import Staging
from digest.permalinks import body_key, entry_html, entry_permalink, entry_url, linking_relatively
from digest.theme import make_environment, render_template
from digest.theme_files import TemplateSources
from digest.urls import absolute, archive_url, edition_url, tag_slug, tag_url, topic_url
from digest.workers import Apart, in_workers, orphaned

PARALLEL_THRESHOLD = 400  # fewer files than this render faster in one process (measured: fork + pool ~60 ms)
# Pages planned with heads are made whole (`complete`) this many at a time, each batch rendered before the
# next is made: what makes them whole (each page's context made again around the whole entries) is held for
# one batch only. Made whole at once, the contexts of a whole-site render took 120 MB at 10,000 entries.
WHOLE_AT_ONCE = 4000


@dataclass(frozen=True)
class RenderWork:
    """What every rendering worker needs."""

    config: Config
    env: jinja2.Environment
    pages: Sequence[Page]
    feeds: Sequence[FeedPlan]
    staging: Staging
    shared: dict[str, Any]  # the template context every page gets
    bodies: Mapping[str, str]  # feed items' bodies as HTML already made (feeds.item_body_key)


def _render_chunk(work: RenderWork, tasks: Sequence[tuple[str, Sequence[int]]]) -> list[DigestError]:
    env, pages, feeds, staging, shared, config = work.env, work.pages, work.feeds, work.staging, work.shared, \
        work.config
    errors: list[DigestError] = []
    for kind, indexes in tasks:
        for index in indexes:
            if orphaned():
                os._exit(1)
            try:
                if kind == "page":
                    rendered = render_page(env, pages[index], shared)
                    staging.write(rendered.output_path, rendered.data)
                else:
                    for feed in render_feeds(feeds[index], config, work.bodies):
                        staging.write(feed.output_path, feed.data)
            except DigestError as exc:
                errors.append(exc)
    return errors


def page_tasks(pages: Sequence[Page]) -> list[tuple[int, ...]]:
    """The pages' places, one task each, but the files of one e-mail one task together (its .html,
    .txt and .eml: render_email renders each part once for all three, in one process). Split across
    the workers, each file of an e-mail rendered its HTML again."""
    tasks: list[tuple[int, ...]] = []
    for index, page in enumerate(pages):
        email = page.context.get("email") if is_email(page) else None
        if email is not None and tasks and pages[tasks[-1][-1]].context.get("email") is email:
            tasks[-1] += (index,)
        else:
            tasks.append((index,))
    return tasks


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between builds (Jinja checks each against its source's hash).
    Only an optimisation: a cache file that cannot be read or written is ignored."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        # Jinja checks a template's source, not the code that compiled it: digest's own template
        # tags (theme.py) compile to calls of their methods, so a template compiled by another
        # version of them must not be used (it failed with an AttributeError once).
        return super().get_cache_key(f"{_template_compiler()} {name}", filename)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@functools.lru_cache(maxsize=1)
def _template_compiler() -> str:
    """What compiles templates: Jinja's version and the source of digest's template tags."""
    code = Path(digest.theme.__file__).read_bytes()
    return hashlib.blake2b(f"jinja {jinja2.__version__}\n".encode() + code, digest_size=12).hexdigest()


def template_environment(config: Config, sources: TemplateSources | None = None) -> jinja2.Environment:
    """The theme's environment with the URL helpers, compiled templates cached on disk; its
    templates read through `sources` (theme.make_environment)."""
    env = make_environment(config, sources)
    install_globals(env, config)
    env.auto_reload = False  # one build, one version of each template: no stat per page and template
    folder = config.site_root / ".digest" / "cache" / "templates"
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = _BytecodeCache(str(folder))
    return env


def render_files(config: Config, env: jinja2.Environment, pages: Sequence[Page], feeds: Sequence[FeedPlan],
                 staging: Staging, jobs: int | None, bodies: Mapping[str, str] | None = None,
                 meanwhile: Callable[[], object] | None = None,
                 complete: Callable[[Sequence[Page]], Sequence[Page]] | None = None) -> None:
    """Render these pages and feeds into the staging tree, in worker processes when they are many.
    Every page's error is collected: one BuildFailed names them all. `bodies`: feed items' bodies
    as HTML already made (feeds.item_body_key). `meanwhile()`: called while the workers render.
    `complete(pages)`: the pages as they render, when they were planned with heads (made whole
    WHOLE_AT_ONCE at a time)."""
    for name in {page.template for page in pages}:
        with contextlib.suppress(Exception):  # compiled once here, not in every worker; errors are
            env.get_template(name)  # reported, with file and line, when the page renders
    shared = {"site": site_context(config)}
    batches = [pages] if complete is None or len(pages) <= WHOLE_AT_ONCE else \
        [pages[i:i + WHOLE_AT_ONCE] for i in range(0, len(pages), WHOLE_AT_ONCE)]
    errors: list[DigestError] = []
    for batch in batches:
        whole = complete(batch) if complete is not None else batch
        # Feeds first: a feed holds fifty items, so it is the longest task.
        tasks = [("feed", (i,)) for i in range(len(feeds))] + [("page", task) for task in page_tasks(whole)]
        work = RenderWork(config, env, whole, feeds, staging, shared, bodies or {})
        for chunk_errors in in_workers(_render_chunk, work, tasks, jobs, PARALLEL_THRESHOLD, meanwhile):
            errors.extend(chunk_errors)
        feeds, meanwhile = (), None  # rendered with the first batch; called once
        del whole, work  # let go before the next batch is made whole
    if errors:
        unique = list({str(e): e for e in errors}.values())
        raise BuildFailed(unique) if len(unique) > 1 else unique[0]


class BodiesAhead:
    """Article bodies made into HTML (permalinks.entry_html) in a forked process while this one goes
    on, until taken: a build from nothing has one core idle while it groups the stories, organises,
    plans and fingerprints the site (2 s at 10,000 entries), and the bodies' Markdown is a third of
    the articles' render. What was made by then is handed to entry_html (permalinks.use_made_ahead)
    before the render's workers fork; they make the rest. Only for a process without threads (Apart)."""

    def __init__(self, entries: Sequence[Entry], config: Config) -> None:
        stop_read, self._stop = os.pipe()
        self._apart: Apart[list[tuple[str, int, int, str]]] = Apart(_make_bodies, entries, config, stop_read,
                                                                    self._stop)
        os.close(stop_read)

    def taken(self) -> dict[tuple[str, int, int], str]:
        """The bodies made so far, by permalinks.body_key (the process told to stop, and waited for)."""
        if self._stop < 0:
            return {}
        with contextlib.suppress(OSError):
            os.write(self._stop, b"!")
        os.close(self._stop)
        self._stop = -1
        made = self._apart.taken() or []
        return {(permalink, size, key): html for permalink, size, key, html in made}

    def cancel(self) -> None:
        """Stop the process, its bodies unused (a build that failed before its render)."""
        if self._stop >= 0:
            self._apart.cancel()
            os.close(self._stop)
            self._stop = -1


def bodies_ahead(entries: Sequence[Entry], config: Config) -> BodiesAhead | None:
    """BodiesAhead of these entries begun, where processes can be forked (None elsewhere)."""
    return BodiesAhead(entries, config) if hasattr(os, "fork") else None


LOOK_EVERY = 32  # bodies made between two looks at whether BodiesAhead was told to stop
# At most this many characters of HTML made ahead: what is handed over is held by the build's process and
# shared with its workers, whatever the archive's size (at 10,000 entries the planning leaves time for
# about 4,000 bodies, 27 MB; at 100,000 it would leave time for all of them, 600 MB).
AHEAD_CHARACTERS = 64_000_000


def _make_bodies(entries: Sequence[Entry], config: Config, stop: int, own_stop: int) -> list[tuple[str, int, int, str]]:
    """In BodiesAhead's process: each entry's body as HTML, with its body_key, until told to stop (or
    AHEAD_CHARACTERS are made)."""
    os.close(own_stop)  # the other end's, inherited: the stop comes from the build's process
    made: list[tuple[str, int, int, str]] = []
    characters = 0
    # The newest first (the entries come oldest first): the feeds' bodies, made before the render, are theirs
    for count, entry in enumerate(reversed(entries)):
        if count % LOOK_EVERY == 0 and select.select([stop], [], [], 0)[0]:
            break
        permalink = entry_permalink(entry, config)
        html = render_markdown(entry.body, permalink)
        characters += len(html)
        if characters > AHEAD_CHARACTERS:
            break
        made.append((*body_key(entry.body, permalink), html))
    return made


def site_context(config: Config) -> dict[str, Any]:
    return {"title": config.title, "description": config.description, "base_url": config.base_url,
            "language": config.language, "direction": direction(config.language), "timezone": config.timezone}


def render_page(env: jinja2.Environment, page: Page, shared: dict[str, Any]) -> RenderedFile:
    if is_email(page):  # CSS inlined, or a MIME message: digest/newsletter/render.py
        return render_email(env, page, shared)
    text = render_template(env, page.template, {**shared, **page.context})
    return RenderedFile(page.output_path, text.encode("utf-8"))


def install_globals(env: jinja2.Environment, config: Config) -> None:
    """URL helpers the templates call; pure functions of the config."""
    env.globals.update(
        entry_url=lambda e: entry_url(e, config),
        edition_url=edition_url,
        topic_url=topic_url,
        tag_url=lambda name, page=1: tag_url(tag_slug(name), page),
        archive_url=archive_url,
        absolute=lambda url: absolute(config.base_url, url),
        # with the page's `root`, the body's links to the site relative, as the theme's are
        entry_html=lambda e, root=None: entry_html(e, config) if root is None else linking_relatively(
            entry_html(e, config), config.base_url, root),
        local=lambda moment: moment.astimezone(config.tz),
        json_ld=lambda e: json_ld(e, config),
        coverage_shown=COVERAGE_SHOWN,  # the most other reports of a story a list names (model.py)
    )
    env.filters["urljoin"] = urljoin


def json_ld(entry: Entry, config: Config) -> Markup:
    """schema.org NewsArticle, safe inside <script>: no '<', '>' or '&' survive unescaped."""
    url = absolute(config.base_url, entry_url(entry, config))
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": entry.title,
        "datePublished": entry.published.isoformat(), "url": url, "mainEntityOfPage": url,
        "publisher": {"@type": "Organization", "name": config.title},
    }
    if entry.authors:
        data["author"] = [{"@type": "Person", "name": a} for a in entry.authors]
    if entry.summary:
        data["description"] = entry.summary
    if entry.image:
        data["image"] = urljoin(url, entry.image)
    if entry.source_url:
        data["isBasedOn"] = urljoin(url, entry.source_url)  # relative is allowed: the article's, as on its page
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                       ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return Markup(text)
