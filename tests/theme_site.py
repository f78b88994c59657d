"""Helpers for the theme's browser and validator tests: the demo site built once, served on
loopback, and a headless Chromium. A missing tool skips a test locally and fails it in CI."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from digest.build import BuildOptions, build

from .conftest import BASIC_CONFIG, NOW, REPO, entry_text

NODE_MODULES = REPO / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = (375, 768, 1280)


def require(available: bool, what: str) -> None:
    """Skip when a tool is missing on a developer's machine; in CI a missing tool is a failure."""
    if available:
        return
    message = f"{what} is missing (make test installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def build_demo(folder: Path) -> Path:
    """The project's own site (digest.toml, content/, themes/) built into folder/output, search-indexed
    when Pagefind is installed. Returns the output folder."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "digest.toml", folder / "digest.toml")
    shutil.copytree(REPO / "content", folder / "content")
    if (REPO / "themes").is_dir():
        shutil.copytree(REPO / "themes", folder / "themes", symlinks=True)
    build(folder, BuildOptions(now=NOW, jobs=1, search=True))  # the index when Pagefind is installed
    return folder / "output"


EDGE_ENTRIES = {
    # Everything an article can show, with text that must stay inert in HTML, JSON-LD and meta tags.
    "content/2022/08/15/everything.md": entry_text(
        "Rocket </script><b>rolls</b> & \"out\"", "2022-08-15T09:00:00+01:00",
        "Intro with a [link](https://example.com/a?b=1&c=2).\n\n## A section\n\n> A quote.\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n![](chart.png)\n\n![A chart of launches](chart2.png)\n\n"
        "```\ncode </script>\n```\n",
        topic="world", summary="'A </script> summary & more'", source="Orbit Review",
        source_url="https://orbit.example.com/rocket", authors="[Ana Ruiz, Bo Li]", tags="[Space, NASA]",
        key_points="['One </script>', 'Two & three']", image="lead.jpg", image_alt="'The rocket on its pad at dawn'"),
    # The least an article can have: no summary, source, authors, topic or tags; a decorative image.
    "content/2022/08/16/bare.md": entry_text("Bare", "2022-08-16T23:30:00+01:00", "Just a body.",
                                             image="https://images.example.com/decor.png"),
    "content/2022/08/16/second.md": entry_text("Second world story", "2022-08-16T08:00:00+01:00", "Body.",
                                               topic="world", source="Wire"),
}


def build_edge(folder: Path) -> Path:
    """A small site with hostile text, images and pagination (one item a page); returns its output."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "digest.toml").write_text(BASIC_CONFIG.replace("timezone", "items_per_page = 1\ntimezone"),
                                        encoding="utf-8")
    for rel, text in EDGE_ENTRIES.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    build(folder, BuildOptions(now=NOW, jobs=1))
    return folder / "output"


def html_pages(output: Path) -> list[Path]:
    # The site's pages: not the search index's files, nor the editions' e-mails (a mail client's
    # HTML, checked on its own in tests/test_newsletter*.py).
    return sorted(p for p in output.rglob("*.html")
                  if "pagefind" not in p.relative_to(output).parts and p.name != "email.html")


def page_kinds(output: Path) -> dict[str, str]:
    """One URL (relative to the site root) of each kind of page."""
    days = sorted(p.parent.relative_to(output).as_posix() for p in output.glob("[0-9]*/*/*/index.html"))
    articles = sorted(p.parent.relative_to(output).as_posix() for p in output.glob("[0-9]*/*/*/*/index.html"))
    with_points = [a for a in articles if "Key points" in (output / a / "index.html").read_text()]
    return {
        "front": "",
        "edition": days[0] + "/",
        "article": (with_points or articles)[0] + "/",
        "topic": "topics/world/",
        "topics": "topics/",
        "tag": "tags/russia/",
        "tags": "tags/",
        "archive": "archive/",
        "search": "search/",
        "404": "404.html",
    }


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve folder on 127.0.0.1 (a free port) for as long as the block runs; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    path = chromium_path()
    require(path is not None, "Debian's chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright Python package")
        raise
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
